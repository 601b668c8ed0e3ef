-- CreatorSync schema version 1: encrypted tokens and the publish log.
-- Applied by PostgresTokenStore / PostgresPublishLog at connect, inside a
-- transaction holding an advisory lock (see store/postgres.rs).

CREATE TABLE creatorsync_tokens (
    user_id      TEXT        NOT NULL,
    platform     TEXT        NOT NULL,
    account_id   TEXT        NOT NULL,
    version      BIGINT      NOT NULL CHECK (version > 0),
    key_id       TEXT        NOT NULL,
    nonce        BYTEA       NOT NULL,
    ciphertext   BYTEA       NOT NULL,
    profile      JSONB       NOT NULL,
    metadata     JSONB       NOT NULL,
    needs_reauth BOOLEAN     NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, platform, account_id)
);

CREATE TABLE creatorsync_publish_log (
    idempotency_key TEXT        NOT NULL,
    platform        TEXT        NOT NULL,
    account_id      TEXT        NOT NULL,
    user_id         TEXT        NOT NULL,
    state           TEXT        NOT NULL CHECK (state IN ('pending', 'published', 'failed')),
    started_at      TIMESTAMPTZ,
    post_id         TEXT,
    url             TEXT,
    published_at    TIMESTAMPTZ,
    error_code      TEXT,
    message         TEXT,
    retryable       BOOLEAN,
    attempts        INTEGER     NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (idempotency_key, platform, account_id)
);
