-- The device authorization grant (RFC 8628): the photo kiosk. A device code waits here while
-- the user enters its user code on their phone, signs in and decides; the kiosk polls it.

CREATE TABLE device_codes (
    device_code_hash BLOB PRIMARY KEY,       -- SHA-256 of the device_code the kiosk polls with
    user_code        TEXT NOT NULL UNIQUE,   -- 8 characters, no dash, upper case (RFC 8628 §6.1)
    client_id        TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    scope            TEXT NOT NULL,
    interval_seconds INTEGER NOT NULL,       -- grows by 5 with every slow_down (RFC 8628 §3.5)
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    last_poll_at     INTEGER,                -- the previous poll, to tell when to answer slow_down
    session_key      INTEGER REFERENCES sessions(key) ON DELETE SET NULL, -- the browser that entered the user code
    denied_at        INTEGER,
    grant_id         INTEGER REFERENCES grants(id) ON DELETE CASCADE,     -- set when the user allows
    used_at          INTEGER                 -- set when tokens were issued: a device code gives tokens once
) WITHOUT ROWID;
CREATE INDEX device_codes_session ON device_codes(session_key);

-- Wrong user codes entered per browser session, for the guessing limit (RFC 8628 §5.1).
CREATE TABLE user_code_tries (
    session_key   INTEGER PRIMARY KEY REFERENCES sessions(key) ON DELETE CASCADE,
    wrong         INTEGER NOT NULL,
    last_wrong_at INTEGER NOT NULL
);
