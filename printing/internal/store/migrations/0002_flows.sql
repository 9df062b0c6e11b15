-- The walkthrough: the recorded steps of each user's latest OAuth flow, for /flow. Secrets are
-- masked before they get here (see internal/flow).

CREATE TABLE flows (
    username   TEXT PRIMARY KEY REFERENCES users(username) ON DELETE CASCADE,
    started_at INTEGER NOT NULL
);

CREATE TABLE flow_events (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL REFERENCES flows(username) ON DELETE CASCADE,
    event    TEXT NOT NULL          -- JSON of flow.Event
);
CREATE INDEX flow_events_user ON flow_events(username, id);
