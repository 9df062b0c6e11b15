-- Photos' own web app: browser sessions (the photos_session cookie) and the sign-in requests
-- waiting for Accounts to send the browser back. Session ids and states are stored as hashes.

CREATE TABLE web_sessions (
    key        INTEGER PRIMARY KEY,  -- stable across the id change at sign-in
    id_hash    BLOB NOT NULL UNIQUE, -- SHA-256 of the photos_session cookie
    csrf_token TEXT NOT NULL,
    username   TEXT,                 -- the ID token's sub; NULL until signed in
    name       TEXT NOT NULL DEFAULT '',
    id_token   TEXT NOT NULL DEFAULT '', -- kept for /me and as the id_token_hint at sign-out
    expires_at INTEGER NOT NULL
);

-- One row per GET /login: state is single use and bound to the browser session that started it.
CREATE TABLE login_requests (
    state_hash    BLOB PRIMARY KEY,
    session_key   INTEGER NOT NULL REFERENCES web_sessions(key) ON DELETE CASCADE,
    nonce         TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    expires_at    INTEGER NOT NULL
) WITHOUT ROWID;
