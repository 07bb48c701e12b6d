package lever_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"switchboard/internal/lever"
)

func FuzzParseWebhook(f *testing.F) {
	for _, seed := range []string{
		examplePayload,
		`{"triggeredAt":"1505338300917","event":"applicationCreated","token":"t","signature":"s","data":{"opportunityId":"o","applicationId":"a"}}`,
		`{"triggeredAt":42,"event":"applicationCreated","token":"t","signature":"s"}`,
		`{"triggeredAt":42,"event":"e","token":"t","data":null}`,
		`{"triggeredAt":-1,"event":"e","token":"t"}`,
		`{"triggeredAt":1.5,"event":"e","token":"t"}`,
		`{"triggeredAt":"","event":"e","token":"t"}`,
		`{"EVENT":"e","Token":"t","triggeredat":3}`,
		`{"event":"\u00e9\ud800","token":"t","triggeredAt":3}`,
		`{"event":"e","token":"t","triggeredAt":3,"data":{"opportunityId":["x"]}}`,
		`{"event":"e","token":"t","triggeredAt":3} trailing`,
		`null`, `[]`, `{`, `"x"`, ``, "\xff\xfe",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := lever.ParseWebhook(body)
		if err != nil {
			var pe *lever.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a *ParseError: %v", err)
			}
			return
		}
		if p.Event == "" || p.Token == "" || p.TriggeredAt <= 0 {
			t.Fatalf("accepted an invalid payload: %+v", p)
		}
		// Whatever was accepted must survive a round trip unchanged.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(p); err != nil {
			t.Fatalf("re-marshal: %v", err)
		}
		if buf.Len() > lever.MaxWebhookBytes {
			// Re-encoding can grow a body near the limit (an invalid UTF-8
			// byte becomes a 3-byte U+FFFD): the size check is then right
			// to refuse it, and there is nothing more to compare.
			return
		}
		again, err := lever.ParseWebhook(buf.Bytes())
		if err != nil {
			t.Fatalf("re-parse of %s: %v", buf.Bytes(), err)
		}
		if again != p {
			t.Fatalf("round trip changed the payload:\n%+v\n%+v", p, again)
		}
	})
}
