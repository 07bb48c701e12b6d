package lever_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"switchboard/internal/ats/lever"
)

const examplePayload = `{
  "id": "a3b1c2d4-0000-4000-8000-000000000001",
  "triggeredAt": 1505338300917,
  "event": "candidateStageChange",
  "token": "tok-123",
  "signature": "abc",
  "data": {
    "opportunityId": "250d8f03-738a-4bba-a671-8a3d73477145",
    "candidateId": "250d8f03-738a-4bba-a671-8a3d73477145",
    "contactId": "7f23e772-f2e6-4b2f-9b4e-c1b6a1b2c3d4",
    "fromStageId": "lead-new",
    "toStageId": "applicant-new"
  }
}`

func TestParseWebhookAccepts(t *testing.T) {
	t.Parallel()
	want := lever.WebhookPayload{
		ID: "a3b1c2d4-0000-4000-8000-000000000001", TriggeredAt: 1505338300917,
		Event: "candidateStageChange", Token: "tok-123", Signature: "abc",
		Data: lever.WebhookData{
			OpportunityID: "250d8f03-738a-4bba-a671-8a3d73477145", CandidateID: "250d8f03-738a-4bba-a671-8a3d73477145",
			ContactID: "7f23e772-f2e6-4b2f-9b4e-c1b6a1b2c3d4", FromStageID: "lead-new", ToStageID: "applicant-new",
		},
	}
	ping := lever.WebhookPayload{TriggeredAt: 42, Event: "applicationCreated", Token: "t", Signature: "s"}
	tests := []struct {
		name string
		body string
		want lever.WebhookPayload
	}{
		{"contract example", examplePayload, want},
		{"triggeredAt as numeric string", strings.Replace(examplePayload, "1505338300917", `"1505338300917"`, 1), want},
		{"unknown fields ignored", strings.Replace(examplePayload, `"event"`, `"future": {"x": [1, 2]}, "event"`, 1), want},
		{"leading whitespace", "\n\t " + examplePayload, want},
		{"ping without data", `{"triggeredAt":42,"event":"applicationCreated","token":"t","signature":"s"}`, ping},
		{"ping with empty data", `{"triggeredAt":42,"event":"applicationCreated","token":"t","signature":"s","data":{}}`, ping},
		{"ping with null data", `{"triggeredAt":42,"event":"applicationCreated","token":"t","signature":"s","data":null}`, ping},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := lever.ParseWebhook([]byte(tc.body))
			if err != nil {
				t.Fatalf("ParseWebhook: %v", err)
			}
			if got != tc.want {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseWebhookRejects(t *testing.T) {
	t.Parallel()
	valid := `"event":"applicationCreated","token":"t","signature":"s"`
	tests := []struct{ name, body string }{
		{"empty", ``},
		{"whitespace", "  \n"},
		{"null", `null`},
		{"array", `[{"triggeredAt":1,` + valid + `}]`},
		{"string", `"hello"`},
		{"number", `12`},
		{"truncated", `{"triggeredAt":1,` + valid},
		{"trailing data", `{"triggeredAt":1,` + valid + `} {}`},
		{"missing event", `{"triggeredAt":1,"token":"t"}`},
		{"empty event", `{"triggeredAt":1,"event":"","token":"t"}`},
		{"missing token", `{"triggeredAt":1,"event":"applicationCreated"}`},
		{"missing triggeredAt", `{` + valid + `}`},
		{"zero triggeredAt", `{"triggeredAt":0,` + valid + `}`},
		{"negative triggeredAt", `{"triggeredAt":-5,` + valid + `}`},
		{"fractional triggeredAt", `{"triggeredAt":1.5,` + valid + `}`},
		{"exponent triggeredAt", `{"triggeredAt":1e12,` + valid + `}`},
		{"overflowing triggeredAt", `{"triggeredAt":99999999999999999999,` + valid + `}`},
		{"non-numeric string triggeredAt", `{"triggeredAt":"soon",` + valid + `}`},
		{"boolean triggeredAt", `{"triggeredAt":true,` + valid + `}`},
		{"data is a string", `{"triggeredAt":1,` + valid + `,"data":"x"}`},
		{"opportunityId is a number", `{"triggeredAt":1,` + valid + `,"data":{"opportunityId":7}}`},
		{"too large", `{"triggeredAt":1,` + valid + `,"pad":"` + strings.Repeat("x", lever.MaxWebhookBytes) + `"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := lever.ParseWebhook([]byte(tc.body))
			var pe *lever.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *ParseError", err)
			}
			if !strings.HasPrefix(err.Error(), "lever: malformed webhook: ") || pe.Reason == "" {
				t.Errorf("error text %q", err)
			}
		})
	}
}

func TestIsPing(t *testing.T) {
	t.Parallel()
	if (lever.WebhookPayload{Data: lever.WebhookData{OpportunityID: "o"}}).IsPing() {
		t.Error("payload with opportunityId reported as ping")
	}
	if !(lever.WebhookPayload{Data: lever.WebhookData{ContactID: "c"}}).IsPing() {
		t.Error("payload without opportunityId not reported as ping")
	}
}

func TestCheckFreshness(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tol := 5 * time.Minute
	at := func(d time.Duration) lever.WebhookPayload {
		return lever.WebhookPayload{TriggeredAt: now.Add(d).UnixMilli()}
	}
	tests := []struct {
		name  string
		p     lever.WebhookPayload
		stale bool
	}{
		{"now", at(0), false},
		{"just past", at(-tol + time.Millisecond), false},
		{"exactly tolerance ago", at(-tol), false},
		{"exactly tolerance ahead", at(tol), false},
		{"too old", at(-tol - time.Millisecond), true},
		{"too far ahead", at(tol + time.Millisecond), true},
		{"epoch start", lever.WebhookPayload{TriggeredAt: 1}, true},
		{"far future", lever.WebhookPayload{TriggeredAt: 1<<63 - 1}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := lever.CheckFreshness(tc.p, now, tol)
			if tc.stale != errors.Is(err, lever.ErrStale) {
				t.Fatalf("err = %v, stale want %v", err, tc.stale)
			}
		})
	}
}

func TestSignedKey(t *testing.T) {
	t.Parallel()
	base, err := lever.ParseWebhook([]byte(examplePayload))
	if err != nil {
		t.Fatal(err)
	}
	key := base.SignedKey()
	if !strings.HasPrefix(key, "lever:") || len(key) != len("lever:")+64 {
		t.Fatalf("key %q has an unexpected shape", key)
	}

	// What the signature does not cover cannot make a new delivery: a
	// captured payload replayed for another opportunity or event is the same.
	for name, mutate := range map[string]func(*lever.WebhookPayload){
		"opportunity": func(p *lever.WebhookPayload) { p.Data.OpportunityID = "other" },
		"event":       func(p *lever.WebhookPayload) { p.Event = "applicationCreated" },
		"stage":       func(p *lever.WebhookPayload) { p.Data.ToStageID = "other-stage" },
		"id":          func(p *lever.WebhookPayload) { p.ID = "other-id" },
	} {
		p := base
		mutate(&p)
		if p.SignedKey() != key {
			t.Errorf("changing the unsigned %s changed the key", name)
		}
	}
	for name, mutate := range map[string]func(*lever.WebhookPayload){
		"token":       func(p *lever.WebhookPayload) { p.Token = "other-token" },
		"triggeredAt": func(p *lever.WebhookPayload) { p.TriggeredAt++ },
	} {
		p := base
		mutate(&p)
		if p.SignedKey() == key {
			t.Errorf("changing the signed %s kept the key", name)
		}
	}

	// Field boundaries matter: ("ab", 1) and ("a", b1) must differ.
	a := lever.WebhookPayload{Token: "ab", TriggeredAt: 1}
	b := lever.WebhookPayload{Token: "a", TriggeredAt: 11}
	if a.SignedKey() == b.SignedKey() {
		t.Error("keys collide across field boundaries")
	}
}
