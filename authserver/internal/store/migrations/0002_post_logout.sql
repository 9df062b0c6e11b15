-- OpenID Connect RP-Initiated Logout 1.0 §3.1: where a client may send the browser after
-- signing out at Accounts, matched exactly like redirect_uris.
ALTER TABLE clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]'; -- JSON array
