-- CreatorSync schema version 4: persisted upload sessions, so a process
-- restarted mid-upload resumes from the platform's offset instead of byte
-- 0. The session (upload URLs may carry upload tokens) is sealed like a
-- token, bound to its session key.

CREATE TABLE creatorsync_upload_sessions (
    session_key  TEXT        PRIMARY KEY,
    key_id       TEXT        NOT NULL,
    sealed_nonce BYTEA       NOT NULL,
    ciphertext   BYTEA       NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
