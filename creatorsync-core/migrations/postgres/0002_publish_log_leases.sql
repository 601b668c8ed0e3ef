-- Publish-log leases: who holds a pending target and until when, whether its
-- create may have reached the platform, and what identifies the created post.
-- Rows pending from before may have sent their create: they are looked up
-- before anything is created again.
ALTER TABLE creatorsync_publish_log ADD COLUMN lease_owner TEXT;
ALTER TABLE creatorsync_publish_log ADD COLUMN lease_until TIMESTAMPTZ;
ALTER TABLE creatorsync_publish_log ADD COLUMN create_sent BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE creatorsync_publish_log ADD COLUMN reference TEXT;
ALTER TABLE creatorsync_publish_log ADD COLUMN last_error TEXT;
UPDATE creatorsync_publish_log SET create_sent = TRUE WHERE state = 'pending';
