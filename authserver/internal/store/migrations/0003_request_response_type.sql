-- A pending authorization request says which response it asked for (RFC 6749 §3.1.1):
-- "code", or "token" for the implicit exhibit. Before this, an empty code challenge marked an
-- implicit request, so a PKCE check that let an empty challenge through would have turned a
-- code request into an implicit one. Requests pending at the upgrade keep what they were.

ALTER TABLE authorization_requests ADD COLUMN response_type TEXT NOT NULL DEFAULT 'code';
UPDATE authorization_requests SET response_type = 'token' WHERE code_challenge = '';
