-- The walkthrough's "Replay the code" experiment: the last authorization code PrintShop
-- redeemed for each user, and its PKCE verifier. A redeemed code opens nothing any more; it is
-- kept only so /flow can present it again and show Accounts refusing it (RFC 6749 §4.1.2).

CREATE TABLE used_codes (
    username TEXT PRIMARY KEY REFERENCES users(username) ON DELETE CASCADE,
    code     TEXT NOT NULL,
    verifier TEXT NOT NULL
);
