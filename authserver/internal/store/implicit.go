package store

import (
	"context"
)

// IssueImplicitToken answers a pending implicit request (RFC 6749 §4.2, response_type=token)
// with an access token, in one transaction: it deletes the request (so it can be answered only
// once), records the grant and the access token, and, when consent is non-nil, remembers the
// user's consent. The token gets a row like any other user's token, so introspection, /revoke
// and the Revoke button on /account work on it. There is no code and no refresh token: RFC 6749
// §4.2.2 says the server "MUST NOT issue a refresh token".
func (s *Store) IssueImplicitToken(ctx context.Context, requestIDHash []byte, g Grant, at AccessToken, consent []string) error {
	return s.inTx(ctx, func(tx txn) error {
		id, err := answerRequest(ctx, tx, requestIDHash, g, consent)
		if err != nil {
			return err
		}
		return issueTokens(ctx, tx, id, at, nil, g.CreatedAt)
	})
}
