-- CreatorSync schema version 3: pending connects, so an OAuth callback may
-- reach another worker than the one that began the connect. The row holds
-- the encrypted pending connect (PKCE verifier, OAuth 1.0a request-token
-- secret), bound to its state nonce; it is taken once with DELETE ...
-- RETURNING and purged once expired.

CREATE TABLE creatorsync_pending_connects (
    nonce        TEXT        PRIMARY KEY,
    key_id       TEXT        NOT NULL,
    sealed_nonce BYTEA       NOT NULL,
    ciphertext   BYTEA       NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
