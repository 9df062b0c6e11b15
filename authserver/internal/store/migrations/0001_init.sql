-- Accounts keeps everything an authorization server must remember across a restart.
-- Secrets, codes, refresh tokens and session ids are stored only as hashes.

CREATE TABLE clients (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    secret_hash   TEXT,              -- bcrypt; NULL for a public client
    redirect_uris TEXT NOT NULL,     -- JSON array, matched exactly
    grant_types   TEXT NOT NULL,     -- JSON array
    scopes        TEXT NOT NULL,     -- space-separated, the most this client may ask for
    first_party   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL      -- bcrypt
);

CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,    -- RFC 7638 thumbprint
    alg         TEXT NOT NULL,
    private_jwk TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    retired_at  INTEGER              -- when a newer key took over signing
);

CREATE TABLE sessions (
    key        INTEGER PRIMARY KEY,  -- stable across the id change at login
    id_hash    BLOB NOT NULL UNIQUE, -- SHA-256 of the accounts_session cookie
    csrf_token TEXT NOT NULL,
    username   TEXT REFERENCES users(username) ON DELETE CASCADE,
    auth_time  INTEGER,
    expires_at INTEGER NOT NULL
);

-- A validated /authorize request waiting for login and consent.
CREATE TABLE authorization_requests (
    id_hash        BLOB PRIMARY KEY,
    session_key    INTEGER NOT NULL REFERENCES sessions(key) ON DELETE CASCADE,
    client_id      TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    state          TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    prompt         TEXT NOT NULL,
    logged_in      INTEGER NOT NULL DEFAULT 0, -- the user signed in for this request (prompt=login)
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
);

-- What a user has agreed to let a client do, so a repeat flow can skip the consent page.
CREATE TABLE consents (
    username   TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    client_id  TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (username, client_id)
);

-- One grant per authorization code or client_credentials request: every token issued from it
-- points here, so revoking the grant revokes them all.
CREATE TABLE grants (
    id         INTEGER PRIMARY KEY,
    client_id  TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    username   TEXT REFERENCES users(username) ON DELETE CASCADE, -- NULL for client_credentials
    scope      TEXT NOT NULL,
    auth_time  INTEGER,
    nonce      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE authorization_codes (
    code_hash      BLOB PRIMARY KEY,
    grant_id       INTEGER NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER
);

CREATE TABLE refresh_tokens (
    token_hash BLOB PRIMARY KEY,
    grant_id   INTEGER NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    rotated_at INTEGER               -- set when exchanged; presenting it again is reuse
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens(grant_id);

-- Access tokens are JWTs; this row only lets introspection and revocation find them by jti.
CREATE TABLE access_tokens (
    jti        TEXT PRIMARY KEY,
    grant_id   INTEGER NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX access_tokens_grant ON access_tokens(grant_id);
CREATE INDEX grants_user_client ON grants(username, client_id);
