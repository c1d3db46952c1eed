-- 0009: the MP and party of every 2024 seat now (issue 15), loaded with the reference from
-- data/reference/mps_2024.csv by db/reference.py. The MPs printed in petition documents
-- stay in mps/seat_mps: those are who held a seat when the data was captured.
CREATE TABLE current_mps (
    ons_code     TEXT PRIMARY KEY,            -- the 2024 seat (seat_reference, boundary_set '2024')
    constituency TEXT NOT NULL,
    name         TEXT NOT NULL,               -- "Llinos Medi"
    name_key     TEXT NOT NULL,               -- core.common.names.person_key(name)
    party        TEXT NOT NULL,               -- "Plaid Cymru"; "Speaker" for the Speaker
    member_id    INTEGER                      -- UK Parliament member id
) WITHOUT ROWID;
CREATE INDEX current_mps_by_key ON current_mps (name_key);
