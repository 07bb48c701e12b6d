package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats"
	"switchboard/internal/candidatebot"
)

// keyCall calls a KeyPartner endpoint with the issued key as a bearer.
func keyCall(t *testing.T, key, method, url string, body any, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, url, b, err)
		}
	}
	return resp.StatusCode
}

type issuedKey struct {
	Key          string `json:"key"`
	IssuedAt     string `json:"issued_at"`
	Auth         string `json:"auth"`
	EndpointBase string `json:"endpoint_base"`
}

// TestPulledResults follows an order of an ATS that calls Switchboard with
// an issued key and pulls its results: the ATS orders with a per-order
// callback (stored only sealed), asks for the order's status before and
// after the candidate completes it (state, score, report link, its
// callback back), never gets a write-back, cannot see another
// integration's order, and its complaints land on the order's timeline, or
// in the log when they name no order of its own.
func TestPulledResults(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		kp := &apptest.KeyPartner{Name: "Keyed", ProviderName: "keyed", Auth: ats.InboundBearer, Multiple: true}
		e := apptest.New(t, apptest.Options{Dialect: dialect, Connectors: []ats.Connector{kp}})
		apiKey := e.CreateAccount("Acme", "admin@acme.example")
		var vac struct {
			ID string `json:"id"`
		}
		e.MustAPI(http.StatusCreated, apiKey, "POST", "/vacancies", map[string]any{"name": "Barista"}, &vac)
		var in, other struct {
			ID string `json:"id"`
		}
		e.MustAPI(http.StatusCreated, apiKey, "POST", "/integrations", map[string]any{"provider": "keyed", "name": "acme"}, &in)
		e.MustAPI(http.StatusCreated, apiKey, "POST", "/integrations", map[string]any{"provider": "keyed", "name": "acme-eu"}, &other)
		var k, k2 issuedKey
		e.MustAPI(http.StatusCreated, apiKey, "POST", "/integrations/"+in.ID+"/inbound-key", nil, &k)
		e.MustAPI(http.StatusCreated, apiKey, "POST", "/integrations/"+other.ID+"/inbound-key", nil, &k2)
		for _, id := range []string{in.ID, other.ID} {
			e.MustAPI(http.StatusOK, apiKey, "POST", "/integrations/"+id+"/enable", nil, nil)
		}

		var placed struct {
			OrderID string `json:"order_id"`
			Created bool   `json:"created"`
		}
		if st := keyCall(t, k.Key, "POST", k.EndpointBase+"/orders", map[string]string{
			"package_id": vac.ID, "key": "app-1", "name": "Ada Lovelace", "email": "ada@example.com",
			"callback_url": "https://ats.example/results/app-1", "callback_token": "cb-secret-1",
		}, &placed); st != http.StatusOK || !placed.Created {
			t.Fatalf("order: %d %+v", st, placed)
		}
		stored, err := e.App.Store.GetOrder(ctx, placed.OrderID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.CallbackURL != "" || len(stored.CallbackSealed) == 0 ||
			strings.Contains(string(stored.CallbackSealed), "cb-secret-1") || strings.Contains(string(stored.CallbackSealed), "ats.example") {
			t.Fatalf("the callback is stored in the clear: url %q, sealed %q", stored.CallbackURL, stored.CallbackSealed)
		}
		srWaitMails(t, e, 1)
		e.WaitIdle()

		status := func(key, orderID string) (int, apptest.KeyPartnerStatus) {
			t.Helper()
			var s apptest.KeyPartnerStatus
			return keyCall(t, key, "GET", k.EndpointBase+"/status?order_id="+orderID, nil, &s), s
		}
		st, s := status(k.Key, placed.OrderID)
		if st != http.StatusOK || s.State != "invited" || s.Score != nil || s.CandidateName != "Ada Lovelace" || s.VacancyName != "Barista" ||
			s.CallbackURL != "https://ats.example/results/app-1" || s.CallbackToken != "cb-secret-1" {
			t.Fatalf("status before completion: %d %+v", st, s)
		}
		for _, c := range []struct{ what, key, id string }{
			{"another integration's order", k2.Key, placed.OrderID},
			{"an unknown order", k.Key, "ord_unknown"},
			{"no order", k.Key, ""},
		} {
			if st, s := status(c.key, c.id); st != http.StatusNotFound {
				t.Errorf("status of %s: %d %+v, want 404", c.what, st, s)
			}
		}

		link := invitationLink(t, e, e.Mail.Messages()[0])
		srStart(t, link)
		e.WaitIdle()
		if st, s := status(k.Key, placed.OrderID); st != http.StatusOK || s.State != "in_progress" {
			t.Fatalf("status once started: %d %+v", st, s)
		}
		if _, err := candidatebot.Answer(ctx, http.DefaultClient, link, candidatebot.FirstOption); err != nil {
			t.Fatalf("the candidate: %v", err)
		}
		e.WaitIdle()
		d := order(e, apiKey, placed.OrderID)
		st, s = status(k.Key, placed.OrderID)
		if st != http.StatusOK || s.State != "completed" || d.Result == nil || s.Score == nil || *s.Score != d.Result.Score ||
			s.Label != d.Result.Label || s.ReportURL == "" || s.CallbackToken != "cb-secret-1" {
			t.Fatalf("status after completion: %d %+v; the order: %+v", st, s, d.Result)
		}
		if resp, _ := e.Get(s.ReportURL); resp.StatusCode != http.StatusOK {
			t.Errorf("GET the report URL: %d", resp.StatusCode)
		}
		if n := kp.WriteBacks(); n != 0 {
			t.Errorf("%d write-backs to an ATS that pulls its results", n)
		}
		if wb := d.entries("write_back", ""); len(wb) != 0 {
			t.Errorf("write-backs on the timeline:%s", d.dump())
		}

		// Complaints: on the timeline, bounded and printable; in the log
		// when they name no order of the integration.
		long := strings.Repeat("x", 2000)
		if st := keyCall(t, k.Key, "POST", k.EndpointBase+"/complaints", map[string]any{
			"order_id": placed.OrderID, "call": "test_status",
			"errors": []string{"partner_score must be a number", "bad\x00\n\tthing", long},
		}, nil); st != http.StatusNoContent {
			t.Fatalf("complaint: %d", st)
		}
		lines := order(e, apiKey, placed.OrderID).entries("ats_complaint", "test_status")
		if len(lines) != 1 || !strings.Contains(lines[0].Message, "partner_score must be a number; bad thing; xxx") ||
			strings.ContainsAny(lines[0].Message, "\x00\n\t") || len(lines[0].Message) > 1000 {
			t.Fatalf("complaint on the timeline: %+v", lines)
		}
		if st := keyCall(t, k2.Key, "POST", k.EndpointBase+"/complaints", map[string]any{
			"order_id": placed.OrderID, "call": "send_test", "errors": []string{"unknown interview"},
		}, nil); st != http.StatusNoContent {
			t.Fatalf("complaint about another integration's order: %d", st)
		}
		if lines := order(e, apiKey, placed.OrderID).entries("ats_complaint", ""); len(lines) != 1 {
			t.Errorf("another integration's complaint reached the order: %+v", lines)
		}
		if log := e.Log(); !strings.Contains(log, "naming no order of the integration") || !strings.Contains(log, "unknown interview") {
			t.Errorf("the complaint naming no order is not in the log")
		}
	})
}
