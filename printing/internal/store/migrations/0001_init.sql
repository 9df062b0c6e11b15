-- PrintShop's own data: its users and their browser sessions, the pending authorization
-- attempts, the tokens it holds for each user, cached thumbnails, and print orders.

CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL      -- bcrypt
);

CREATE TABLE sessions (
    key        INTEGER PRIMARY KEY,  -- stable across the id change at login
    id_hash    BLOB NOT NULL UNIQUE, -- SHA-256 of the printshop_session cookie
    csrf_token TEXT NOT NULL,
    username   TEXT REFERENCES users(username) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
);

-- One "Connect your Photos" attempt: the state and PKCE verifier, bound to the browser session
-- that started it, used at most once, for at most ten minutes.
CREATE TABLE authorization_attempts (
    state_hash  BLOB PRIMARY KEY,    -- SHA-256 of state
    session_key INTEGER NOT NULL REFERENCES sessions(key) ON DELETE CASCADE,
    username    TEXT NOT NULL,
    verifier    TEXT NOT NULL,
    scope       TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- The tokens PrintShop holds for a user. They never leave the server. lost_reason is set when
-- Accounts stopped honouring them (the user must reconnect).
CREATE TABLE connections (
    username      TEXT PRIMARY KEY REFERENCES users(username) ON DELETE CASCADE,
    access_token  TEXT NOT NULL,
    refresh_token TEXT NOT NULL,
    expires_at    INTEGER NOT NULL,
    scope         TEXT NOT NULL,
    connected_at  INTEGER NOT NULL,
    refreshed_at  INTEGER,
    lost_reason   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE thumbnails (
    username   TEXT NOT NULL,
    photo_id   TEXT NOT NULL,
    jpeg       BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (username, photo_id)
) WITHOUT ROWID;

CREATE TABLE orders (
    id         INTEGER PRIMARY KEY,
    username   TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    size       TEXT NOT NULL,
    copies     INTEGER NOT NULL,
    titles     TEXT NOT NULL,        -- JSON list of the printed photos' titles
    proof      BLOB NOT NULL,        -- JPEG; kept after a disconnect
    created_at INTEGER NOT NULL
);
CREATE INDEX orders_user ON orders(username, created_at);
