"""Storage: every SQL statement of petitionbot lives in this package.

``migrations/`` holds the numbered schema files applied at start-up;
``connection`` opens SQLite the same way everywhere (WAL, foreign keys);
the other modules are repositories that return typed records (``records``),
never raw rows.
"""
