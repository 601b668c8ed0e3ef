-- CreatorSync schema version 5: a key-value table with a version per key,
-- for what the SDK keeps beside tokens, the publish log and pending
-- connects (the quota ledger; later schedules and metrics), written with
-- compare-and-swap so every worker sharing the database sees one state.

CREATE TABLE creatorsync_kv (
    key     TEXT   PRIMARY KEY,
    value   TEXT   NOT NULL,
    version BIGINT NOT NULL
);
