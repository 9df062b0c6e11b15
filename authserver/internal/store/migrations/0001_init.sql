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
    max_age        INTEGER NOT NULL DEFAULT -1, -- OpenID Connect max_age in seconds; -1 when absent
    logged_in      INTEGER NOT NULL DEFAULT 0,  -- the user signed in for this request
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

-- One grant per authorization code: every token issued from it points here, so revoking the
-- grant revokes them all.
CREATE TABLE grants (
    id         INTEGER PRIMARY KEY,
    client_id  TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    username   TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
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
) WITHOUT ROWID;

CREATE TABLE refresh_tokens (
    token_hash BLOB PRIMARY KEY,
    grant_id   INTEGER NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    rotated_at INTEGER               -- set when exchanged; presenting it again is reuse
) WITHOUT ROWID;

-- Tokens are found by their hash or jti, never by grant (revoking a grant marks the grant), so
-- they have no grant_id index: each index would be one more page written per token.

-- Access tokens are JWTs. A row lets introspection and revocation find a token by jti: every
-- token issued for a user's grant has one, so revoking the grant shows at once. A
-- client_credentials token gets a row only when it is revoked.
CREATE TABLE access_tokens (
    jti        TEXT PRIMARY KEY,
    grant_id   INTEGER REFERENCES grants(id) ON DELETE CASCADE, -- NULL for client_credentials
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
) WITHOUT ROWID;
CREATE INDEX grants_user_client ON grants(username, client_id);
