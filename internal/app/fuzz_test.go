package app_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
	sr "switchboard/internal/ats/smartrecruiters"
)

// FuzzPartnerAccessToken: the partner endpoints accept exactly the access
// token Switchboard issued; any other bearer value, including the issued one
// with a single byte changed, is answered 401 in SmartRecruiters' error
// shape, never 500.
func FuzzPartnerAccessToken(f *testing.F) {
	e := apptest.New(f, apptest.Options{})
	fx := e.SetupSmartRecruiters(apptest.SROptions{})
	if _, err := fx.Sim.ListPackages(context.Background(), fx.Company.ID); err != nil {
		f.Fatalf("list packages: %v", err)
	}
	calls := fx.Calls.Find(http.MethodGet, sr.PathPackages)
	if len(calls) == 0 {
		f.Fatal("SmartRecruiters listed packages without calling Switchboard")
	}
	issued, ok := strings.CutPrefix(calls[len(calls)-1].Header.Get("Authorization"), "Bearer ")
	if !ok || issued == "" {
		f.Fatalf("the package list was called with %q", calls[len(calls)-1].Header.Get("Authorization"))
	}
	packages := e.URL + "/partners/smartrecruiters" + sr.PathPackages
	status := func(t testing.TB, token string) (int, bool) {
		req, err := http.NewRequest(http.MethodGet, packages, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, false // not a header value a client can send
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusUnauthorized && (!strings.Contains(string(body), sr.CodeUnauthorized) || resp.Header.Get("WWW-Authenticate") == "") {
			t.Fatalf("401 without SmartRecruiters' error shape: %s", body)
		}
		return resp.StatusCode, true
	}
	// Every other last character, most of which differ from the issued one
	// only in bits that base64 leaves unused: one token has one spelling.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for _, c := range []byte(alphabet) {
		if tok := mutate(issued, len(issued)-1, c); tok != issued {
			if got, _ := status(f, tok); got != http.StatusUnauthorized {
				f.Fatalf("the issued token with its last character changed to %q answered %d, want 401", c, got)
			}
		}
	}
	f.Add(issued, uint8(0), byte('x'))
	f.Add(issued, uint8(len(issued)-1), issued[len(issued)-1]^1)
	f.Add(issued, uint8(len(issued)-1), byte('A'))
	f.Add("sbt_", uint8(3), byte('_'))
	f.Add("sbt_!!!!", uint8(5), byte('='))
	f.Add(" "+issued+" ", uint8(1), byte(' '))
	f.Fuzz(func(t *testing.T, token string, pos uint8, b byte) {
		for _, tok := range []string{token, mutate(issued, int(pos), b)} {
			got, sent := status(t, tok)
			switch {
			case !sent:
			case strings.TrimSpace(tok) == issued:
				if got != http.StatusOK && got != http.StatusNoContent {
					t.Fatalf("the issued token answered %d", got)
				}
			case got != http.StatusUnauthorized:
				t.Fatalf("bearer %q (issued %q) answered %d, want 401", tok, issued, got)
			}
		}
	})
}

// mutate sets byte pos (modulo the length) of s to b.
func mutate(s string, pos int, b byte) string {
	m := []byte(s)
	m[pos%len(m)] = b
	return string(m)
}
