package srsim

// The Webhooks API (/webhooks-api/v201907): subscriptions stored per
// company, activation by the real X-Hook-Secret handshake with the callback
// (which must echo it in a 200 within the deadline), signing keys with
// rotation (an old key signs on for 24 h; at most 16 live), and signed
// notifications sent when a candidate is deleted or a job's status changes.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	sr "switchboard/internal/ats/smartrecruiters"
)

const wPath = sr.WebhooksAPIPath

type subscription struct {
	id          string
	callbackURL string
	events      []string
	status      string
	keys        []secretKey // newest last
}

type secretKey struct {
	key        string
	superseded time.Time // zero while it is the newest
}

// live reports whether k still signs at now.
func (k secretKey) live(now time.Time) bool {
	return k.superseded.IsZero() || now.Before(k.superseded.Add(sr.RotatedKeyValidFor))
}

// liveKeys are the keys that sign at now, newest first. Caller holds s.mu.
func (sub *subscription) liveKeys(now time.Time) []string {
	var out []string
	for i := len(sub.keys) - 1; i >= 0; i-- {
		if sub.keys[i].live(now) {
			out = append(out, sub.keys[i].key)
		}
	}
	return out
}

func (sub *subscription) wire() sr.Subscription {
	out := sr.Subscription{ID: sub.id, CallbackURL: sub.callbackURL, Status: sub.status}
	for _, e := range sub.events {
		out.Events = append(out.Events, sr.Event{Name: e, Version: sr.EventVersionInferred})
	}
	return out
}

// WithWebhookClient sets the HTTP client for handshakes and notifications
// (an httptest TLS server's client, say); default: 30 s timeout.
func WithWebhookClient(hc *http.Client) Option {
	return func(s *Server) {
		if hc != nil {
			s.webhookClient = hc
		}
	}
}

// WithHandshakeTimeout sets how long activation waits for the callback's
// echo (default 20 s, SmartRecruiters' deadline).
func WithHandshakeTimeout(d time.Duration) Option {
	return func(s *Server) {
		if d > 0 {
			s.handshakeTimeout = d
		}
	}
}

// WithHTTPCallbacks accepts http:// callback URLs (SmartRecruiters requires
// https), for a demo without TLS.
func WithHTTPCallbacks() Option { return func(s *Server) { s.httpCallbacks = true } }

// Delivery is one notification the simulator sent.
type Delivery struct {
	SubscriptionID string
	URL            string
	Event          string
	EventID        string
	EntityID       string
	Header         http.Header
	Body           []byte
	StatusCode     int // 0 when no answer came
	Err            string
}

// SubscriptionState is a subscription as the simulator holds it.
type SubscriptionState struct {
	ID          string
	CallbackURL string
	Events      []string
	Active      bool
	LiveKeys    []string // newest first
}

// Subscriptions returns a company's subscriptions, oldest first.
func (s *Server) Subscriptions(companyID string) []SubscriptionState {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companies[companyID]
	if c == nil {
		return nil
	}
	var out []SubscriptionState
	for _, id := range c.subOrder {
		sub := c.subs[id]
		out = append(out, SubscriptionState{
			ID: sub.id, CallbackURL: sub.callbackURL, Events: slices.Clone(sub.events),
			Active: sub.status == sr.SubscriptionActive, LiveKeys: sub.liveKeys(s.now()),
		})
	}
	return out
}

// Deliveries returns the notifications sent so far, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.deliveries)
	for i := range out {
		out[i].Header = out[i].Header.Clone()
		out[i].Body = slices.Clone(out[i].Body)
	}
	return out
}

// DeleteCandidate deletes a candidate and their applications, as a
// recruiter (or a GDPR erasure) does, and notifies candidate.deleted.
func (s *Server) DeleteCandidate(ctx context.Context, companyID, candidateID string) ([]Delivery, error) {
	s.mu.Lock()
	c := s.companies[companyID]
	if c == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("srsim: delete candidate: company %q: %w", companyID, ErrNotFound)
	}
	cand := findCandidate(c, candidateID)
	if cand == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("srsim: delete candidate: candidate %q: %w", candidateID, ErrNotFound)
	}
	i, _ := slices.BinarySearchFunc(c.candidates, cand.seq, func(x *candidate, seq int) int { return x.seq - seq })
	c.candidates = slices.Delete(c.candidates, i, i+1)
	delete(c.candByID, candidateID)
	out := s.notifications(c, sr.EventCandidateDeleted, candidateID, s.baseURL+"/candidates/"+url.PathEscape(candidateID))
	s.mu.Unlock()
	return s.deliver(ctx, out), nil
}

// SetJobStatus changes a job's status and notifies job.status.updated.
func (s *Server) SetJobStatus(ctx context.Context, companyID, jobID, status string) ([]Delivery, error) {
	if !slices.Contains(sr.JobStatuses, status) {
		return nil, fmt.Errorf("srsim: set job status: unknown status %q", status)
	}
	s.mu.Lock()
	c := s.companies[companyID]
	if c == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("srsim: set job status: company %q: %w", companyID, ErrNotFound)
	}
	j := findJob(c, jobID)
	if j == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("srsim: set job status: job %q: %w", jobID, ErrNotFound)
	}
	if j.Status == status {
		s.mu.Unlock()
		return nil, nil
	}
	j.Status, j.UpdatedOn = status, sr.At(s.now())
	out := s.notifications(c, sr.EventJobStatusUpdated, jobID, s.baseURL+"/jobs/"+url.PathEscape(jobID))
	s.mu.Unlock()
	return s.deliver(ctx, out), nil
}

// notifications builds, signed, the notifications of one event for every
// active subscription to it. Caller holds s.mu.
func (s *Server) notifications(c *company, event, entityID, link string) []Delivery {
	body, _ := json.Marshal(sr.WebhookPayload{ID: sr.ID(entityID)}) // cannot fail
	now := s.now()
	ts := strconv.FormatInt(now.Unix(), 10)
	var out []Delivery
	for _, id := range c.subOrder {
		sub := c.subs[id]
		if sub.status != sr.SubscriptionActive || !slices.Contains(sub.events, event) {
			continue
		}
		s.eventSeq++
		eventID := fmt.Sprintf("%s-%d", newID()[:8], s.eventSeq)
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		h.Set(sr.EventNameHeader, event)
		h.Set(sr.EventVersionHeader, sr.EventVersionInferred)
		h.Set(sr.EventIDHeader, eventID)
		h.Set(sr.LinkHeader, sr.SelfLink(link))
		h.Set(sr.TimestampHeader, ts)
		h.Set(sr.SignatureHeader, sr.SignatureHeaderValue(sub.liveKeys(now), ts, body, eventID, event, sr.EventVersionInferred, sr.SelfLink(link)))
		out = append(out, Delivery{SubscriptionID: sub.id, Event: event, EventID: eventID, EntityID: entityID, Header: h, Body: body, URL: sub.callbackURL})
	}
	return out
}

// deliver posts each notification and records the answer.
func (s *Server) deliver(ctx context.Context, ds []Delivery) []Delivery {
	for i := range ds {
		d := &ds[i]
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
		if err == nil {
			req.Header = d.Header.Clone()
			var resp *http.Response
			if resp, err = s.webhookClient.Do(req); err == nil {
				d.StatusCode = resp.StatusCode
				_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
				resp.Body.Close()
			}
		}
		if err != nil {
			d.Err = err.Error()
		}
	}
	s.mu.Lock()
	s.deliveries = append(s.deliveries, ds...)
	s.mu.Unlock()
	return ds
}

func (s *Server) webhookRoutes(route func(pattern string, scopes []string, h handlerFunc)) {
	read := []string{sr.ScopeWebhooksManage, "webhooks_read"}
	write := []string{sr.ScopeWebhooksManage, "webhooks_write"}
	del := []string{sr.ScopeWebhooksManage, "webhooks_delete"}
	route("POST "+wPath+"/subscriptions", write, s.createSubscription)
	route("GET "+wPath+"/subscriptions", read, s.listSubscriptions)
	route("GET "+wPath+"/subscriptions/{id}", read, s.getSubscription)
	route("DELETE "+wPath+"/subscriptions/{id}", del, s.deleteSubscription)
	route("PUT "+wPath+"/subscriptions/{id}/activation", write, s.activateSubscription)
	route("POST "+wPath+"/subscriptions/{id}/secret-key", write, s.generateSecretKey)
	route("GET "+wPath+"/subscriptions/{id}/secret-key", read, s.getSecretKey)
}

func (s *Server) createSubscription(w http.ResponseWriter, r *http.Request, cred *credential) {
	b := readJSON(w, r)
	if b == nil {
		return
	}
	var in sr.SubscriptionRequest
	if err := json.Unmarshal(b, &in); err != nil {
		writeJSON(w, http.StatusBadRequest, sr.NewErrorResponse(sr.CodeInvalidSubscription, "Body must be {callbackUrl, events[]}"))
		return
	}
	u, err := url.Parse(in.CallbackURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(s.httpCallbacks && u.Scheme == "http")) {
		writeJSON(w, http.StatusBadRequest, sr.NewErrorResponse(sr.CodeInvalidSubscription, "callbackUrl must be an https URL"))
		return
	}
	if len(in.Events) == 0 {
		writeJSON(w, http.StatusBadRequest, sr.NewErrorResponse(sr.CodeInvalidSubscription, "events must name at least one event"))
		return
	}
	for i, e := range in.Events {
		if !slices.Contains(sr.WebhookEvents, e) {
			writeJSON(w, http.StatusBadRequest, sr.NewErrorResponse(sr.CodeInvalidSubscription, "Unknown event "+strconv.Quote(e)))
			return
		}
		if slices.Contains(in.Events[:i], e) {
			writeJSON(w, http.StatusBadRequest, sr.NewErrorResponse(sr.CodeInvalidSubscription, "events must be unique"))
			return
		}
	}
	s.locked(w, func() reply {
		c := s.companies[cred.companyID]
		if c == nil {
			return fail(http.StatusForbidden, "Credential has no company")
		}
		sub := &subscription{id: newID(), callbackURL: in.CallbackURL, events: slices.Clone(in.Events), status: sr.SubscriptionInactive}
		c.subs[sub.id] = sub
		c.subOrder = append(c.subOrder, sub.id)
		return reply{http.StatusCreated, sub.wire()}
	})
}

// subscriptionOf finds the credential's company's subscription. Caller
// holds s.mu.
func (s *Server) subscriptionOf(cred *credential, id string) (*company, *subscription, *reply) {
	c := s.companies[cred.companyID]
	if c == nil {
		rep := fail(http.StatusForbidden, "Credential has no company")
		return nil, nil, &rep
	}
	sub := c.subs[id]
	if sub == nil {
		rep := fail(http.StatusNotFound, "Subscription not found")
		return nil, nil, &rep
	}
	return c, sub, nil
}

func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request, cred *credential) {
	s.locked(w, func() reply {
		c := s.companies[cred.companyID]
		if c == nil {
			return fail(http.StatusForbidden, "Credential has no company")
		}
		out := []sr.Subscription{} // a bare array, as the demo app reads it
		for _, id := range c.subOrder {
			out = append(out, c.subs[id].wire())
		}
		return okReply(out)
	})
}

func (s *Server) getSubscription(w http.ResponseWriter, r *http.Request, cred *credential) {
	s.locked(w, func() reply {
		_, sub, rep := s.subscriptionOf(cred, r.PathValue("id"))
		if rep != nil {
			return *rep
		}
		return okReply(sub.wire())
	})
}

func (s *Server) deleteSubscription(w http.ResponseWriter, r *http.Request, cred *credential) {
	s.locked(w, func() reply {
		c, sub, rep := s.subscriptionOf(cred, r.PathValue("id"))
		if rep != nil {
			return *rep
		}
		delete(c.subs, sub.id)
		c.subOrder = slices.DeleteFunc(c.subOrder, func(id string) bool { return id == sub.id })
		return reply{status: http.StatusNoContent}
	})
}

// activateSubscription performs the handshake: a POST to the callback with
// X-Hook-Secret, which must come back in a 200 within the deadline. The
// lock is not held while the callback answers.
func (s *Server) activateSubscription(w http.ResponseWriter, r *http.Request, cred *credential) {
	s.mu.Lock()
	_, sub, rep := s.subscriptionOf(cred, r.PathValue("id"))
	var callback string
	if rep == nil {
		callback = sub.callbackURL
	}
	s.mu.Unlock()
	if rep != nil {
		writeJSON(w, rep.status, rep.body)
		return
	}
	secret := randomSecret()
	if err := s.handshake(r.Context(), callback, secret); err != nil {
		writeJSON(w, http.StatusBadRequest, sr.NewErrorResponse(sr.CodeActivationFailed, "Subscription activation failed: "+err.Error()))
		return
	}
	s.locked(w, func() reply {
		_, sub, rep := s.subscriptionOf(cred, r.PathValue("id"))
		if rep != nil {
			return *rep // deleted while the handshake ran
		}
		sub.status = sr.SubscriptionActive
		return reply{status: http.StatusNoContent}
	})
}

func (s *Server) handshake(ctx context.Context, callback, secret string) error {
	ctx, cancel := context.WithTimeout(ctx, s.handshakeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, callback, http.NoBody)
	if err != nil {
		return fmt.Errorf("callback URL: %v", err)
	}
	req.Header.Set(sr.HookSecretHeader, secret)
	resp, err := s.webhookClient.Do(req)
	if err != nil {
		return fmt.Errorf("callback did not answer within %s: %v", s.handshakeTimeout, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("callback answered %d, not 200", resp.StatusCode)
	case resp.Header.Get(sr.HookSecretHeader) != secret:
		return fmt.Errorf("callback did not echo the %s header", sr.HookSecretHeader)
	}
	return nil
}

func (s *Server) generateSecretKey(w http.ResponseWriter, r *http.Request, cred *credential) {
	s.locked(w, func() reply {
		_, sub, rep := s.subscriptionOf(cred, r.PathValue("id"))
		if rep != nil {
			return *rep
		}
		now := s.now()
		// Expired keys are forgotten; the live ones count against the limit.
		sub.keys = slices.DeleteFunc(sub.keys, func(k secretKey) bool { return !k.live(now) })
		if len(sub.keys) >= sr.MaxSecretKeys {
			return failCode(http.StatusBadRequest, sr.CodeSecretKeysLimit, "At most %d secret keys may be valid at once", sr.MaxSecretKeys)
		}
		if n := len(sub.keys); n > 0 {
			sub.keys[n-1].superseded = now
		}
		k := secretKey{key: randomSecret()}
		sub.keys = append(sub.keys, k)
		return reply{http.StatusCreated, sr.SecretKey{SecretKey: k.key}}
	})
}

func (s *Server) getSecretKey(w http.ResponseWriter, r *http.Request, cred *credential) {
	s.locked(w, func() reply {
		_, sub, rep := s.subscriptionOf(cred, r.PathValue("id"))
		if rep != nil {
			return *rep
		}
		if len(sub.keys) == 0 {
			return fail(http.StatusNotFound, "Subscription has no secret key")
		}
		return okReply(sr.SecretKey{SecretKey: sub.keys[len(sub.keys)-1].key})
	})
}
