package srsim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/srsim"
)

// callback is a subscriber's https endpoint: it answers the handshake as
// told and records notifications.
type callback struct {
	srv *httptest.Server

	mu       sync.Mutex
	answer   func(w http.ResponseWriter, r *http.Request) // the handshake's
	received []*http.Request
	bodies   [][]byte
}

func newCallback(t *testing.T) *callback {
	t.Helper()
	cb := &callback{answer: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(sr.HookSecretHeader, r.Header.Get(sr.HookSecretHeader))
		w.WriteHeader(http.StatusOK)
	}}
	cb.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(sr.HookSecretHeader) != "" {
			cb.mu.Lock()
			answer := cb.answer
			cb.mu.Unlock()
			answer(w, r)
			return
		}
		b, _ := io.ReadAll(r.Body)
		cb.mu.Lock()
		cb.received, cb.bodies = append(cb.received, r), append(cb.bodies, b)
		cb.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(cb.srv.Close)
	return cb
}

func (cb *callback) setAnswer(f func(w http.ResponseWriter, r *http.Request)) {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	cb.answer = f
}

func (w *keyWorld) subscribe(t *testing.T, cbURL string, events ...string) sr.Subscription {
	t.Helper()
	b, _ := json.Marshal(sr.SubscriptionRequest{CallbackURL: cbURL, Events: events})
	r := w.call(t, "POST", sr.WebhooksAPIPath+"/subscriptions", w.key, string(b))
	var sub sr.Subscription
	if r.status != 201 || json.Unmarshal(r.body, &sub) != nil || sub.Status != sr.SubscriptionInactive {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	return sub
}

func (w *keyWorld) newKey(t *testing.T, id string) string {
	t.Helper()
	r := w.call(t, "POST", sr.WebhooksAPIPath+"/subscriptions/"+id+"/secret-key", w.key, "")
	var k sr.SecretKey
	if r.status != 201 || json.Unmarshal(r.body, &k) != nil || k.SecretKey == "" {
		t.Fatalf("secret key: %d %s", r.status, r.body)
	}
	return k.SecretKey
}

func TestSubscriptionValidation(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	for _, tc := range []struct{ name, body string }{
		{"http callback", `{"callbackUrl":"http://hooks.example/sr","events":["candidate.deleted"]}`},
		{"no events", `{"callbackUrl":"https://hooks.example/sr","events":[]}`},
		{"unknown event", `{"callbackUrl":"https://hooks.example/sr","events":["candidate.exploded"]}`},
		{"duplicate event", `{"callbackUrl":"https://hooks.example/sr","events":["job.created","job.created"]}`},
		{"events as objects", `{"callbackUrl":"https://hooks.example/sr","events":[{"name":"job.created"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, w.call(t, "POST", sr.WebhooksAPIPath+"/subscriptions", w.key, tc.body), 400, sr.CodeInvalidSubscription)
		})
	}
	sub := w.subscribe(t, "https://hooks.example/sr", sr.EventCandidateDeleted, sr.EventJobStatusUpdated)
	if len(sub.Events) != 2 || sub.Events[0].Name != sr.EventCandidateDeleted || sub.Events[0].Version == "" {
		t.Fatalf("events %+v", sub.Events)
	}
	r := w.call(t, "GET", sr.WebhooksAPIPath+"/subscriptions", w.key, "")
	var all []sr.Subscription
	if r.status != 200 || json.Unmarshal(r.body, &all) != nil || len(all) != 1 || all[0].ID != sub.ID {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	if r := w.call(t, "DELETE", sr.WebhooksAPIPath+"/subscriptions/"+sub.ID, w.key, ""); r.status != 204 {
		t.Fatalf("delete: %d", r.status)
	}
	wantError(t, w.call(t, "DELETE", sr.WebhooksAPIPath+"/subscriptions/"+sub.ID, w.key, ""), 404)
}

func TestActivationHandshake(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		answer func(w http.ResponseWriter, r *http.Request)
		ok     bool
	}{
		{"echoed", nil, true},
		{"not echoed", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }, false},
		{"wrong secret", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(sr.HookSecretHeader, "guess")
		}, false},
		{"echoed with 202", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(sr.HookSecretHeader, r.Header.Get(sr.HookSecretHeader))
			w.WriteHeader(http.StatusAccepted)
		}, false},
		{"too slow", func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done() // past the handshake deadline
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cb := newCallback(t)
			if tc.answer != nil {
				cb.setAnswer(tc.answer)
			}
			w := newKeyWorld(t, srsim.WithWebhookClient(cb.srv.Client()), srsim.WithHandshakeTimeout(200*time.Millisecond))
			sub := w.subscribe(t, cb.srv.URL+"/sr", sr.EventCandidateDeleted)
			r := w.call(t, "PUT", sr.WebhooksAPIPath+"/subscriptions/"+sub.ID+"/activation", w.key, "")
			active := w.sim.Subscriptions(w.company.ID)[0].Active
			if tc.ok {
				if r.status != 204 || !active {
					t.Fatalf("activation: %d %s, active %v", r.status, r.body, active)
				}
				return
			}
			wantCode(t, r, 400, sr.CodeActivationFailed)
			if active {
				t.Fatal("activated without a handshake")
			}
		})
	}
}

func TestSignedDeliveriesAndRotation(t *testing.T) {
	t.Parallel()
	cb := newCallback(t)
	w := newKeyWorld(t, srsim.WithWebhookClient(cb.srv.Client()), srsim.WithRateLimit(0, 1))
	j, err := w.sim.AddJobWith(w.company.ID, srsim.JobSpec{Title: "Barista"})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := w.sim.SeedApplicants(w.company.ID, string(j.ID), 2)
	if err != nil {
		t.Fatal(err)
	}
	del := w.subscribe(t, cb.srv.URL+"/sr", sr.EventCandidateDeleted)
	jobs := w.subscribe(t, cb.srv.URL+"/sr", sr.EventJobStatusUpdated)
	k1 := w.newKey(t, del.ID)
	w.newKey(t, jobs.ID)
	// Inactive subscriptions get nothing.
	if ds, err := w.sim.DeleteCandidate(t.Context(), w.company.ID, ids[0]); err != nil || len(ds) != 0 {
		t.Fatalf("inactive: %v %v", ds, err)
	}
	for _, id := range []string{del.ID, jobs.ID} {
		if r := w.call(t, "PUT", sr.WebhooksAPIPath+"/subscriptions/"+id+"/activation", w.key, ""); r.status != 204 {
			t.Fatalf("activate: %d %s", r.status, r.body)
		}
	}
	ds, err := w.sim.SetJobStatus(t.Context(), w.company.ID, string(j.ID), sr.JobFilled)
	if err != nil || len(ds) != 1 || ds[0].StatusCode != 202 || ds[0].SubscriptionID != jobs.ID {
		t.Fatalf("job status deliveries %+v, %v", ds, err)
	}
	if r := w.call(t, "GET", "/jobs/"+string(j.ID), w.key, ""); !strings.Contains(string(r.body), sr.JobFilled) {
		t.Fatalf("job not filled: %s", r.body)
	}

	w.clock.Advance(time.Hour)
	k2 := w.newKey(t, del.ID)
	ds, err = w.sim.DeleteCandidate(t.Context(), w.company.ID, ids[1])
	if err != nil || len(ds) != 1 || ds[0].StatusCode != 202 {
		t.Fatalf("deliveries %+v, %v", ds, err)
	}
	h, body := ds[0].Header, ds[0].Body
	if string(body) != `{"id":"`+ids[1]+`"}` || h.Get(sr.EventNameHeader) != sr.EventCandidateDeleted || h.Get(sr.LinkHeader) != sr.SelfLink(w.srv.URL+"/candidates/"+ids[1]) {
		t.Fatalf("notification %v %s", h, body)
	}
	sig := func(k string) string {
		return "v1=" + sr.SignV1(k, h.Get(sr.TimestampHeader), body, h.Get(sr.EventIDHeader), h.Get(sr.EventNameHeader), h.Get(sr.EventVersionHeader), h.Get(sr.LinkHeader))
	}
	if got, want := h.Get(sr.SignatureHeader), sig(k2)+";"+sig(k1); got != want {
		t.Fatalf("signature %q, want the new key's then the old one's %q", got, want)
	}
	if r := w.call(t, "GET", "/candidates/"+ids[1], w.key, ""); r.status != 404 {
		t.Fatalf("deleted candidate still there: %d", r.status)
	}
	// A day after the rotation the old key no longer signs.
	w.clock.Advance(sr.RotatedKeyValidFor + time.Second)
	if keys := w.sim.Subscriptions(w.company.ID)[0].LiveKeys; len(keys) != 1 || keys[0] != k2 {
		t.Fatalf("live keys %v, want only the new one", keys)
	}
	// At most 16 live keys.
	for range sr.MaxSecretKeys - 1 {
		w.newKey(t, del.ID)
	}
	wantCode(t, w.call(t, "POST", sr.WebhooksAPIPath+"/subscriptions/"+del.ID+"/secret-key", w.key, ""), 400, sr.CodeSecretKeysLimit)
	if n := len(w.sim.Deliveries()); n != 2 {
		t.Fatalf("%d deliveries recorded, want 2", n)
	}
}
