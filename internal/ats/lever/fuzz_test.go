package lever_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
	"switchboard/internal/ats/lever"
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

// sameHexDigit reports whether a and b are the same hex digit in another
// case, which VerifySignature accepts as the same MAC.
func sameHexDigit(a, b byte) bool {
	return strings.ContainsRune("abcdefABCDEF", rune(a)) && strings.EqualFold(string(a), string(b))
}

// FuzzVerifySignature: VerifySignature accepts exactly the signature Sign
// makes (in either case), refuses it under any other key, token or
// triggeredAt, and refuses every single-byte change of it but a change of
// case.
func FuzzVerifySignature(f *testing.F) {
	for _, s := range goldenCases(f) {
		f.Add(s.SignatureToken, s.Token, s.TriggeredAt, s.Signature, uint8(0), byte('0'))
	}
	f.Add("k", "t", int64(1), "", uint8(63), byte('g'))
	f.Add("k", "t", int64(-1), "zz", uint8(200), byte(0))
	f.Fuzz(func(t *testing.T, key, token string, triggeredAt int64, claimed string, pos uint8, b byte) {
		p := lever.WebhookPayload{Token: token, TriggeredAt: triggeredAt, Signature: claimed}
		want := lever.Sign(key, token, triggeredAt)
		err := lever.VerifySignature(key, p)
		switch {
		case key == "":
			if err == nil || !errors.Is(err, lever.ErrNoSignatureToken) {
				t.Fatalf("an empty key verified %q: %v", claimed, err)
			}
			return
		case strings.EqualFold(claimed, want) && err != nil:
			t.Fatalf("the right signature %q was refused: %v", claimed, err)
		case !strings.EqualFold(claimed, want) && !errors.Is(err, lever.ErrBadSignature):
			t.Fatalf("signature %q accepted, want %q (err %v)", claimed, want, err)
		}
		p.Signature = want
		if err := lever.VerifySignature(key, p); err != nil {
			t.Fatalf("Sign's own signature refused: %v", err)
		}
		p.Signature = strings.ToUpper(want)
		if err := lever.VerifySignature(key, p); err != nil {
			t.Fatalf("upper-case signature refused: %v", err)
		}
		sig := []byte(want)
		i := int(pos) % len(sig)
		if sig[i] != b && !sameHexDigit(sig[i], b) {
			sig[i] = b
			p.Signature = string(sig)
			if err := lever.VerifySignature(key, p); !errors.Is(err, lever.ErrBadSignature) {
				t.Fatalf("signature with byte %d changed to %q accepted: %v", i, b, err)
			}
		}
		p.Signature = want
		for _, other := range []lever.WebhookPayload{
			{Token: token + "x", TriggeredAt: triggeredAt, Signature: want},
			{Token: token, TriggeredAt: triggeredAt ^ 1, Signature: want},
		} {
			if err := lever.VerifySignature(key, other); !errors.Is(err, lever.ErrBadSignature) {
				t.Fatalf("signature of (%q, %d) accepted for (%q, %d)", token, triggeredAt, other.Token, other.TriggeredAt)
			}
		}
		if err := lever.VerifySignature(key+"x", p); !errors.Is(err, lever.ErrBadSignature) {
			t.Fatalf("signature under key %q accepted under %q", key, key+"x")
		}
	})
}

// FuzzCheckFreshness: a payload is fresh exactly when triggeredAt is within
// the tolerance of now, whatever the values (no overflow at the extremes).
func FuzzCheckFreshness(f *testing.F) {
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC).UnixMilli()
	for _, seed := range [][3]int64{
		{now, now, int64(time.Hour)},
		{now - 3_600_000, now, int64(time.Hour)},
		{now - 3_600_001, now, int64(time.Hour)},
		{now + 3_600_000, now, int64(time.Hour)},
		{1, now, int64(time.Hour)},
		{1<<63 - 1, now, int64(time.Hour)},
		{-1 << 63, now, int64(time.Hour)},
		{now, 1<<63 - 1, int64(time.Hour)},
		{now, now, 0},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, triggeredAt, nowMillis, tolerance int64) {
		// Up to a year: beyond time.Duration's range, Sub saturates.
		tol := time.Duration(uint64(tolerance) % uint64(365*24*time.Hour))
		now := time.UnixMilli(nowMillis)
		err := lever.CheckFreshness(lever.WebhookPayload{TriggeredAt: triggeredAt}, now, tol)
		// The distance in milliseconds, computed without overflow.
		dist := uint64(nowMillis) - uint64(triggeredAt)
		if triggeredAt > nowMillis {
			dist = uint64(triggeredAt) - uint64(nowMillis)
		}
		fresh := dist <= uint64(tol/time.Millisecond)
		if fresh != (err == nil) {
			t.Fatalf("triggeredAt %d, now %d, tolerance %v: err = %v, want fresh %v", triggeredAt, nowMillis, tol, err, fresh)
		}
		if err != nil && !errors.Is(err, lever.ErrStale) {
			t.Fatalf("refusal is not ErrStale: %v", err)
		}
	})
}

// FuzzVerifyWebhook: through the connector, a signed, fresh delivery of
// either webhook is accepted and keyed on what its signature covers; the
// same body signed with the other webhook's token, with one signature byte
// changed, outside the hour or naming an id over 128 bytes is refused with
// the right status.
func FuzzVerifyWebhook(f *testing.F) {
	f.Add("4f0c0e8a2b7d4c1e9f3a", int64(0), true, "250d8f03-738a-4bba-a671-8a3d73477145", uint8(0), byte('x'))
	f.Add("t", int64(-3_600_000), false, "", uint8(63), byte('0'))
	f.Add("t", int64(3_600_001), true, "o", uint8(10), byte('A'))
	f.Add("", int64(0), true, "o", uint8(1), byte('1'))
	f.Add("tok\"\u2028", int64(1), false, "o\x00", uint8(5), byte(0))
	const stageKey, createKey = "stage-signature-token", "create-signature-token"
	cfg := ats.Config{Secrets: map[string]string{
		lever.CredentialStageChangeToken: stageKey, lever.CredentialApplicationCreateToken: createKey,
	}}
	c := lever.NewConnector(lever.ConnectorOptions{})
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, token string, skewMillis int64, stageChange bool, opp string, pos uint8, b byte) {
		if !utf8.ValidString(token) || !utf8.ValidString(opp) {
			return // JSON would carry another string than the one signed
		}
		event, key, otherKey := lever.EventCandidateStageChange, stageKey, createKey
		if !stageChange {
			event, key, otherKey = lever.EventApplicationCreated, createKey, stageKey
		}
		triggeredAt := now.UnixMilli() + skewMillis
		body := func(sig string) []byte {
			b, err := json.Marshal(map[string]any{"token": token, "triggeredAt": triggeredAt, "event": event,
				"signature": sig, "data": map[string]string{"opportunityId": opp}})
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		status := func(d ats.Delivery, err error) int {
			var ie *ats.InboundError
			switch {
			case err == nil:
				return http.StatusOK
			case errors.As(err, &ie):
				return ie.Status
			}
			t.Fatalf("not an *ats.InboundError: %v", err)
			return 0
		}
		sig := lever.Sign(key, token, triggeredAt)
		d, err := c.VerifyWebhook(cfg, nil, body(sig), now)
		got := status(d, err)
		fresh := skewMillis >= -3_600_000 && skewMillis <= 3_600_000
		switch {
		case token == "" || triggeredAt <= 0:
			if got != http.StatusBadRequest {
				t.Fatalf("malformed payload answered %d, want 400 (%v)", got, err)
			}
			return
		case !fresh:
			if got != http.StatusBadRequest {
				t.Fatalf("triggeredAt %d ms from now answered %d, want 400 (%v)", skewMillis, got, err)
			}
		case len(opp) > lever.MaxIDLen:
			if got != http.StatusBadRequest {
				t.Fatalf("signed, fresh %s naming a %d-byte id answered %d, want 400 (%v)", event, len(opp), got, err)
			}
		case got != http.StatusOK:
			t.Fatalf("signed, fresh %s answered %d: %v", event, got, err)
		case d.Kind != event || d.DedupeKey != (lever.WebhookPayload{Token: token, TriggeredAt: triggeredAt}).SignedKey():
			t.Fatalf("delivery %+v: want kind %s keyed on token and triggeredAt", d, event)
		}
		if got := status(c.VerifyWebhook(cfg, nil, body(lever.Sign(otherKey, token, triggeredAt)), now)); got != http.StatusUnauthorized {
			t.Fatalf("%s signed with the other webhook's token answered %d, want 401", event, got)
		}
		if mut := []byte(sig); mut[int(pos)%len(mut)] != b && !sameHexDigit(mut[int(pos)%len(mut)], b) {
			mut[int(pos)%len(mut)] = b
			if !utf8.Valid(mut) {
				return
			}
			if got := status(c.VerifyWebhook(cfg, nil, body(string(mut)), now)); got != http.StatusUnauthorized {
				t.Fatalf("signature %q (one byte changed) answered %d, want 401", mut, got)
			}
		}
	})
}

// FuzzAPIError: whatever Lever (or a proxy in front of it) answers, the
// client returns an *atshttp.StatusError (once Lever's own *APIError, hence
// the name, which its saved corpus keeps) with the status, its retry
// classification and Retry-After, and its text never carries the API key,
// raw or as sent in the Authorization header.
func FuzzAPIError(f *testing.F) {
	const apiKey = "lever-api-key-0123456789"
	basic := base64.StdEncoding.EncodeToString([]byte(apiKey + ":"))
	for _, seed := range []struct {
		status     int
		retryAfter string
		body       string
	}{
		{404, "", `{"code":"ResourceNotFound","message":"Opportunity not found"}`},
		{429, "3", `{"code":"TooManyRequests","message":"Rate limit exceeded"}`},
		{503, "Wed, 21 Oct 2015 07:28:00 GMT", "<html>Service Unavailable</html>"},
		{401, "", `{"code":"Unauthorized","message":"bad key ` + apiKey + `"}`},
		{403, "", `{"message":"Authorization: Basic ` + basic + `"}`},
		{500, "-1", "\x00\xff"},
		{200, "", `{"data":{"id":""}}`},
		{200, "", `not json ` + apiKey},
		{204, "", ``},
	} {
		f.Add(seed.status, seed.retryAfter, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		if status < 200 || status > 599 || (status >= 300 && status < 400) {
			return
		}
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			h := http.Header{}
			h.Set("Retry-After", retryAfter)
			return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
		})}
		// A fixed clock: against time.Now the client and this test would
		// read an HTTP-date Retry-After at different instants.
		now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
		cl := lever.NewClient(lever.DefaultBaseURL, apiKey, lever.WithHTTPClient(hc), lever.WithMaxRetries(0), lever.WithLimiter(nil),
			lever.WithClock(func() time.Time { return now }))
		_, err := cl.GetOpportunity(context.Background(), "250d8f03")
		if status < 300 {
			if err == nil {
				var env struct {
					Data struct{ ID string } `json:"data"`
				}
				if json.Unmarshal(body, &env) != nil || env.Data.ID == "" {
					t.Fatalf("accepted %q as an opportunity", body)
				}
			}
		} else {
			var ae *atshttp.StatusError
			if !errors.As(err, &ae) {
				t.Fatalf("HTTP %d: error %v is not an *APIError", status, err)
			}
			if ae.StatusCode != status || ae.Temporary() != (status == 429 || status >= 500) {
				t.Fatalf("HTTP %d: APIError %+v (temporary %v)", status, ae, ae.Temporary())
			}
			if secs, perr := strconv.ParseInt(strings.TrimSpace(retryAfter), 10, 64); perr == nil && secs > 0 && secs < 1<<31 &&
				ae.RetryAfter != time.Duration(secs)*time.Second {
				t.Fatalf("Retry-After %q read as %v", retryAfter, ae.RetryAfter)
			}
			if ae.RetryAfter != atshttp.ParseRetryAfter(retryAfter, now) {
				t.Fatalf("Retry-After %q read as %v", retryAfter, ae.RetryAfter)
			}
		}
		if err != nil {
			for _, secret := range []string{apiKey, basic} {
				if msg := fmt.Sprint(err); strings.Contains(msg, secret) {
					t.Fatalf("error text carries the API key: %s", msg)
				}
			}
		}
	})
}

// FuzzDecodeOpportunity: whatever Lever answers for an opportunity decodes
// or is refused, never panics, and what decodes survives a round trip: ids
// stay ids, expanded objects stay expanded.
func FuzzDecodeOpportunity(f *testing.F) {
	for _, seed := range []string{
		`{"id":"o1","stage":"s1","owner":"u1","applications":["a1","a2"],"archived":null,"newField":{"x":1}}`,
		`{"id":"o1","stage":{"id":"s1","text":"Phone Screen"},"owner":{"id":"u1","name":"Ann","email":"a@x"},` +
			`"applications":[{"id":"a1","posting":"p1","postingOwner":"u1","createdAt":5},{"id":"a3","posting":"p2"}],` +
			`"archived":{"archivedAt":1700000000000,"reason":"r1"}}`,
		`{"id":"o1","stage":null,"owner":null,"applications":null,"snoozedUntil":null}`,
		`{"id":"o1","stage":7}`, `{"id":"o1","stage":{}}`, `{"id":"o1","stage":""}`, `{"id":"o1","owner":[]}`,
		`{"id":"o1","applications":[null,"a",{"id":"b"}]}`, `{"emails":[],"tags":null,"phones":[{"value":"1"}]}`,
		`{"id":"\u00e9\ud800","tags":["Switchboard: 45%"]}`, `null`, `[]`, `{`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var o lever.Opportunity
		if err := json.Unmarshal(body, &o); err != nil {
			return
		}
		_, _ = o.IsArchived(), o.PostingIDs()
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatalf("re-encode %+v: %v", o, err)
		}
		var again lever.Opportunity
		if err := json.Unmarshal(b, &again); err != nil {
			t.Fatalf("re-decode %s: %v", b, err)
		}
		if !reflect.DeepEqual(again, o) {
			t.Fatalf("round trip changed the opportunity:\n%+v\n%+v", o, again)
		}
	})
}
