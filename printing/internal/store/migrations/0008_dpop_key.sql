-- DPoP (RFC 9449): with PRINTING_TOKEN_BINDING=dpop, each connection has its own key pair, kept
-- with the tokens it binds so that a restart keeps them usable. A private JWK; '' for a
-- connection whose tokens are bearer tokens.
ALTER TABLE connections ADD COLUMN dpop_key TEXT NOT NULL DEFAULT '';
