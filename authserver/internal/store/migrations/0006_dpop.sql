-- DPoP (RFC 9449 §5): a refresh token issued with a DPoP proof is bound to the proof's key.
-- jkt is that key's RFC 7638 thumbprint; '' for a refresh token that is not bound.
ALTER TABLE refresh_tokens ADD COLUMN jkt TEXT NOT NULL DEFAULT '';
