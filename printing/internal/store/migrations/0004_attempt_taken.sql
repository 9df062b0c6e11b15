-- An authorization attempt is no longer deleted when its state comes back: it is marked taken,
-- so the web layer can tell a second use of a state from an unknown one (RFC 6749 §10.12).
-- DeleteExpired still removes every attempt once it is older than the attempt lifetime.

ALTER TABLE authorization_attempts ADD COLUMN taken_at INTEGER;
