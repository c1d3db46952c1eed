-- 0014: postcodes.io answers, so each postcode is asked about about once a month.
-- Keyed by a SHA-256 of the normalised postcode (core/places/postcodes.py: cache_key): the
-- file never holds a postcode, and no row says who asked.
CREATE TABLE postcode_cache (
    postcode_hash TEXT PRIMARY KEY,
    codes         TEXT NOT NULL,              -- ONS constituency codes, space-separated; '' = unknown
    expires_at    TEXT NOT NULL               -- UTC; an expired row is asked again
) WITHOUT ROWID;
