-- Photos keeps each user's photos, image bytes included. The owner is the `sub` of the access
-- token that uploaded it (or of the demo library), so a user who first appears through a token
-- simply has no photos yet.

CREATE TABLE photos (
    id         TEXT PRIMARY KEY,     -- random, unique across all users
    owner      TEXT NOT NULL,
    title      TEXT NOT NULL,
    album      TEXT NOT NULL,
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    taken_at   INTEGER NOT NULL,     -- Unix seconds
    jpeg       BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX photos_owner ON photos(owner, album, taken_at);

-- Things that happen once per database, such as making the demo library.
CREATE TABLE events (
    name       TEXT PRIMARY KEY,
    happened_at INTEGER NOT NULL
);
