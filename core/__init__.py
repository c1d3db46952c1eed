"""The domain core: plain Python that knows petitions but not Discord.

One package per feature, each owning its record types (``types``), its service
(``service``) and its renderers (``render``):

* ``ingest`` — documents in: the Markdown parser, the JSON reader, the loader
  (all-or-nothing, newer-wins), uploads and the optional live refresh;
* ``petitions`` — petition cards, tables, comparisons, the leaderboard and a
  petition's life (state, thresholds);
* ``places`` — constituencies and MPs: the seat reference and per-electorate rates;
* ``search`` — the one fuzzy resolver every command and autocomplete uses;
* ``charts`` — bar charts, history and the hex map;
* ``digests`` — scheduled per-server news: schedule, composition, exactly-once posting;
* ``admin`` — per-server settings, the audit log, database statistics;
* ``common`` — the shared kernel: the neutral ``Card``/``Reply`` model, name
  folding, user-facing errors.

The CLI, the offline console and the cogs call these without Discord.
"""
