-- The photo kiosk (printing kiosk): each Accounts user's latest visit, for the walkthrough at
-- /flow/kiosk. The kiosk runs the device flow in a terminal and writes here when it is done.
-- Secrets are masked before they get here (see internal/kiosk).

CREATE TABLE kiosk_visits (
    username   TEXT PRIMARY KEY,  -- the access token's sub: who allowed the kiosk
    started_at INTEGER NOT NULL,
    events     TEXT NOT NULL,     -- JSON array of flow.Event
    proof      BLOB NOT NULL      -- the proof JPEG the kiosk printed
);
