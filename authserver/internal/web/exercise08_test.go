package web

// Workshop exercise 08's checker: single-use codes, RFC 6749 §4.1.2 and RFC 9700 §4.2.4.

import "testing"

func TestExercise08SingleUseCodesRFC6749Section4_1_2(t *testing.T) {
	readNext(t, "RFC 6749 §4.1.2 (\"MUST deny ... SHOULD revoke\"), RFC 9700 §4.2.4; workshop/08-single-use-codes.md, hints 1 and 2")
	t.Run("a good first use issues, and revokes nothing", func(t *testing.T) {
		revoke, err := checkCodeUse(true, nil)
		if err != nil {
			t.Errorf("a good first use was refused (%v): the honest client gets its tokens", err)
		}
		if revoke {
			t.Error("a good first use revoked the grant: only a reuse or a failed attempt does")
		}
	})
	t.Run("a reuse is denied, RFC 6749 §4.1.2", func(t *testing.T) {
		revoke, err := checkCodeUse(false, nil)
		if err == nil {
			t.Error("a code used a second time was accepted: the replayed code issued tokens again. firstUse is false, deny it (RFC 6749 §4.1.2: \"MUST deny the request\")")
		} else if !isInvalidGrant(err) {
			t.Errorf("a reuse got %v: refuse it with errInvalidGrant (RFC 6749 §5.2)", err)
		}
		if !revoke {
			t.Error("you denied the replay but did not revoke the tokens issued from the first use: if the attacker redeemed first, it keeps its tokens (RFC 6749 §4.1.2: \"SHOULD revoke ... all tokens previously issued\", hint 2)")
		}
	})
	t.Run("a reuse is denied even when the bindings hold, RFC 6749 §4.1.2", func(t *testing.T) {
		if _, err := checkCodeUse(false, nil); err == nil {
			t.Error("a reuse with the right client, redirect URI and verifier was accepted: single use does not depend on who presents the code")
		}
	})
	t.Run("a failed first attempt burns the code", func(t *testing.T) {
		bound := errInvalidGrant("code_verifier does not match")
		revoke, err := checkCodeUse(true, bound)
		if err == nil {
			t.Error("a first use whose checks failed was accepted: return the bindings' error")
		}
		if !revoke {
			t.Error("a failed first attempt left the grant alive: Valet gives a code one attempt, so an attacker's wrong verifier burns it (hint 1)")
		}
	})
}
