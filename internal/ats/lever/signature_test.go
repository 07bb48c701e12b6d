package lever_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"switchboard/internal/ats/lever"
)

// goldenCase is one entry of testdata/signatures.json, computed with openssl
// (see testdata/README.md), not with the code under test.
type goldenCase struct {
	Name           string `json:"name"`
	SignatureToken string `json:"signatureToken"`
	Token          string `json:"token"`
	TriggeredAt    int64  `json:"triggeredAt"`
	Signature      string `json:"signature"`
	Valid          bool   `json:"valid"`
	Source         string `json:"source"`
}

// goldenCases reads testdata/signatures.json.
func goldenCases(tb testing.TB) []goldenCase {
	tb.Helper()
	raw, err := os.ReadFile("testdata/signatures.json")
	if err != nil {
		tb.Fatal(err)
	}
	var cases []goldenCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		tb.Fatal(err)
	}
	return cases
}

func TestSignatureGoldenVectors(t *testing.T) {
	t.Parallel()
	cases := goldenCases(t)
	if len(cases) < 10 {
		t.Fatalf("only %d golden cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(tc.Source, "openssl") {
				t.Errorf("case has no independent source: %q", tc.Source)
			}
			p := lever.WebhookPayload{Token: tc.Token, TriggeredAt: tc.TriggeredAt, Signature: tc.Signature}
			err := lever.VerifySignature(tc.SignatureToken, p)
			if tc.Valid {
				if err != nil {
					t.Fatalf("VerifySignature: %v, want valid", err)
				}
				if got := lever.Sign(tc.SignatureToken, tc.Token, tc.TriggeredAt); got != strings.ToLower(tc.Signature) {
					t.Errorf("Sign = %s, want %s", got, strings.ToLower(tc.Signature))
				}
				return
			}
			if !errors.Is(err, lever.ErrBadSignature) {
				t.Fatalf("VerifySignature: %v, want ErrBadSignature", err)
			}
		})
	}
}

func TestVerifySignatureRefusesEmptySignatureToken(t *testing.T) {
	t.Parallel()
	// A payload correctly "signed" with an empty key must still be refused.
	p := lever.WebhookPayload{Token: "t", TriggeredAt: 1, Signature: lever.Sign("", "t", 1)}
	err := lever.VerifySignature("", p)
	if !errors.Is(err, lever.ErrBadSignature) || !errors.Is(err, lever.ErrNoSignatureToken) {
		t.Fatalf("err = %v, want ErrBadSignature and ErrNoSignatureToken", err)
	}
}
