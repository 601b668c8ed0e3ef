-- CreatorSync schema version 2: leases in the publish log.
-- A Pending record belongs to the caller named in lease_owner until
-- lease_until (compared with the server's now()). Rows written before this
-- migration get no owner and a lease that ran out in 1970: an old Pending
-- row is treated as released, so the next begin reconciles it, as before,
-- and as possibly sent: it is looked up before anything is created again.

ALTER TABLE creatorsync_publish_log
    ADD COLUMN lease_owner TEXT,
    ADD COLUMN lease_until TIMESTAMPTZ NOT NULL DEFAULT 'epoch',
    ADD COLUMN create_sent BOOLEAN     NOT NULL DEFAULT false,
    ADD COLUMN reference   TEXT,
    ADD COLUMN last_error  TEXT;

UPDATE creatorsync_publish_log SET create_sent = true WHERE state = 'pending';
