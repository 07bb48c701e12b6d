package smartrecruiters

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
)

// ReviewEvents are the events applicant review subscribes to, one
// subscription each (the help centre allows one event per subscription).
var ReviewEvents = []string{EventCandidateDeleted, EventJobStatusUpdated}

// DefaultWebhookTolerance is how far a notification's
// smartrecruiters-timestamp may be from now before it is refused as stale
// (or from the future).
const DefaultWebhookTolerance = 5 * time.Minute

// Bounds of what VerifyChange reads.
const (
	maxNotificationBytes = 64 << 10
	maxSignatures        = 4 * MaxSecretKeys
	maxHookSecretLen     = 512
)

func subscriptionPath(id string) string {
	return WebhooksAPIPath + "/subscriptions/" + url.PathEscape(id)
}

// CreateSubscription creates an inactive subscription (POST /subscriptions).
func (c *Client) CreateSubscription(ctx context.Context, req SubscriptionRequest) (Subscription, error) {
	b, err := atshttp.JSONBody(req)
	if err != nil {
		return Subscription{}, fmt.Errorf("smartrecruiters: create subscription: %w", err)
	}
	rq := atshttp.Request{Method: http.MethodPost, Path: WebhooksAPIPath + "/subscriptions", Body: b, ContentType: "application/json", Creates: true}
	var out Subscription
	if err := c.api.JSON(ctx, rq, &out); err != nil {
		return Subscription{}, fmt.Errorf("smartrecruiters: create subscription: %w", err)
	}
	if out.ID == "" {
		return Subscription{}, errors.New("smartrecruiters: create subscription: response has no id")
	}
	return out, nil
}

// ActivateSubscription activates a subscription (PUT .../activation):
// SmartRecruiters performs the X-Hook-Secret handshake with the callback
// before it answers, so the request gets the handshake's deadline on top of
// the usual one.
func (c *Client) ActivateSubscription(ctx context.Context, id string) error {
	rq := atshttp.Request{Method: http.MethodPut, Path: subscriptionPath(id) + "/activation", Timeout: atshttp.RequestTimeout + HandshakeDeadline}
	if err := c.api.JSON(ctx, rq, nil); err != nil {
		return fmt.Errorf("smartrecruiters: activate subscription: %w", err)
	}
	return nil
}

// GenerateSecretKey makes a new signing key for a subscription (POST
// .../secret-key); the previous keys stay valid for RotatedKeyValidFor.
func (c *Client) GenerateSecretKey(ctx context.Context, id string) (string, error) {
	rq := atshttp.Request{Method: http.MethodPost, Path: subscriptionPath(id) + "/secret-key", Creates: true}
	var out SecretKey
	if err := c.api.JSON(ctx, rq, &out); err != nil {
		return "", fmt.Errorf("smartrecruiters: generate secret key: %w", err)
	}
	if out.SecretKey == "" {
		return "", errors.New("smartrecruiters: generate secret key: response has no secretKey")
	}
	return out.SecretKey, nil
}

// DeleteSubscription deletes a subscription; one SmartRecruiters no longer
// has (404) is not an error.
func (c *Client) DeleteSubscription(ctx context.Context, id string) error {
	err := c.api.JSON(ctx, atshttp.Request{Method: http.MethodDelete, Path: subscriptionPath(id)}, nil)
	if err != nil && !isStatus(err, http.StatusNotFound) {
		return fmt.Errorf("smartrecruiters: delete subscription: %w", err)
	}
	return nil
}

// Subscribe implements ats.ChangeSubscriber: for each of ReviewEvents it
// creates a subscription, makes its first signing key (so the key exists
// before any notification), and activates it, during which SmartRecruiters
// calls callbackURL with the handshake Handshake answers. On failure the
// subscriptions made so far are deleted again.
func (c *Connector) Subscribe(ctx context.Context, cfg ats.Config, callbackURL string) ([]ats.Subscription, error) {
	// SmartRecruiters itself refuses a callback that is not https (a
	// simulator for a demo may allow http).
	u, err := url.Parse(callbackURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("smartrecruiters: subscribe: the callback URL must be an absolute https URL, got %.80q", callbackURL)
	}
	cl, err := c.sourceClient(cfg)
	if err != nil {
		return nil, err
	}
	var subs []ats.Subscription
	undo := func(err error) ([]ats.Subscription, error) {
		errs := []error{err}
		for _, s := range subs {
			// A fresh context: the cleanup must run even when ctx ended the
			// subscribing.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), atshttp.RequestTimeout)
			if derr := cl.DeleteSubscription(cctx, s.ID); derr != nil {
				errs = append(errs, fmt.Errorf("and could not delete subscription %s again: %w", s.ID, derr))
			}
			cancel()
		}
		return nil, errors.Join(errs...)
	}
	for _, ev := range ReviewEvents {
		sub, err := cl.CreateSubscription(ctx, SubscriptionRequest{CallbackURL: callbackURL, Events: []string{ev}})
		if err != nil {
			return undo(fmt.Errorf("smartrecruiters: subscribe to %s: %w", ev, err))
		}
		s := ats.Subscription{ID: sub.ID, Events: []string{ev}}
		subs = append(subs, s)
		key, err := cl.GenerateSecretKey(ctx, sub.ID)
		if err != nil {
			return undo(fmt.Errorf("smartrecruiters: subscribe to %s: %w", ev, err))
		}
		subs[len(subs)-1].Keys = []string{key}
		if err := cl.ActivateSubscription(ctx, sub.ID); err != nil {
			return undo(fmt.Errorf("smartrecruiters: subscribe to %s: %w", ev, err))
		}
	}
	return subs, nil
}

// Unsubscribe implements ats.ChangeSubscriber.
func (c *Connector) Unsubscribe(ctx context.Context, cfg ats.Config, subs []ats.Subscription) error {
	cl, err := c.sourceClient(cfg)
	if err != nil {
		return err
	}
	var errs []error
	for _, s := range subs {
		if err := cl.DeleteSubscription(ctx, s.ID); err != nil {
			errs = append(errs, fmt.Errorf("subscription %s: %w", s.ID, err))
		}
	}
	return errors.Join(errs...)
}

// RotateKeys implements ats.ChangeSubscriber: a new key per subscription,
// first, before the old ones, which SmartRecruiters still signs with for a
// day; at most MaxSecretKeys are kept, the oldest dropped.
func (c *Connector) RotateKeys(ctx context.Context, cfg ats.Config, subs []ats.Subscription) ([]ats.Subscription, error) {
	cl, err := c.sourceClient(cfg)
	if err != nil {
		return nil, err
	}
	out := make([]ats.Subscription, len(subs))
	for i, s := range subs {
		key, err := cl.GenerateSecretKey(ctx, s.ID)
		if err != nil {
			return nil, fmt.Errorf("smartrecruiters: rotate keys of subscription %s: %w", s.ID, err)
		}
		keys := append([]string{key}, s.Keys...)
		if len(keys) > MaxSecretKeys {
			keys = keys[:MaxSecretKeys]
		}
		out[i] = ats.Subscription{ID: s.ID, Events: append([]string(nil), s.Events...), Keys: keys}
	}
	return out, nil
}

// Handshake implements ats.ChangeSubscriber: an activation request carries
// X-Hook-Secret, which the 200 answer echoes.
func (c *Connector) Handshake(header http.Header) (http.Header, bool) {
	secret := header.Get(HookSecretHeader)
	if secret == "" || len(secret) > maxHookSecretLen || strings.ContainsAny(secret, "\r\n") {
		return nil, false
	}
	return http.Header{HookSecretHeader: {secret}}, true
}

// VerifyChange implements ats.ChangeSubscriber: the timestamp must be
// within the tolerance of now, one of the v1 signatures must match a key of
// the subscriptions (any of them: the notification does not say which
// subscription it is of), and the body must name the entity.
func (c *Connector) VerifyChange(subs []ats.Subscription, header http.Header, body []byte, now time.Time) (ats.Change, error) {
	if len(body) > maxNotificationBytes {
		return ats.Change{}, ats.Refuse(http.StatusRequestEntityTooLarge, "SmartRecruiters notification larger than %d bytes", maxNotificationBytes)
	}
	tsText := strings.TrimSpace(header.Get(TimestampHeader))
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil || ts <= 0 {
		return ats.Change{}, ats.Refuse(http.StatusBadRequest, "SmartRecruiters notification without a valid %s header", TimestampHeader)
	}
	tol := c.o.WebhookTolerance
	if tol <= 0 {
		tol = DefaultWebhookTolerance
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tol || d < -tol {
		return ats.Change{}, ats.Refuse(http.StatusBadRequest, "SmartRecruiters notification timestamp is outside the accepted window of %s", tol)
	}
	sigs, err := parseSignatures(header.Get(SignatureHeader))
	if err != nil {
		return ats.Change{}, ats.Refuse(http.StatusUnauthorized, "%v", err)
	}
	name, version, eventID, link := header.Get(EventNameHeader), header.Get(EventVersionHeader), header.Get(EventIDHeader), header.Get(LinkHeader)
	sub, ok := matchSignature(subs, sigs, tsText, body, eventID, name, version, link)
	if !ok {
		return ats.Change{}, ats.Refuse(http.StatusUnauthorized, "bad SmartRecruiters notification signature")
	}
	ch := ats.Change{Kind: ats.ChangeIgnored, DedupeKey: dedupeKey(eventID, name, body)}
	subscribed := false
	for _, e := range sub.Events {
		subscribed = subscribed || e == name
	}
	if !subscribed || (name != EventCandidateDeleted && name != EventJobStatusUpdated) {
		return ch, nil
	}
	var p WebhookPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return ats.Change{}, ats.Refuse(http.StatusBadRequest, "malformed SmartRecruiters notification body: %v", err)
	}
	id := strings.TrimSpace(string(p.ID))
	if id == "" || len(id) > 256 {
		return ats.Change{}, ats.Refuse(http.StatusBadRequest, "SmartRecruiters %s notification without a usable id", name)
	}
	if name == EventCandidateDeleted {
		ch.Kind, ch.ApplicantID = ats.ChangeApplicantDeleted, id
	} else {
		ch.Kind, ch.JobID = ats.ChangeJobStatus, id
	}
	return ch, nil
}

// parseSignatures reads "v1=<hex>;v1=<hex>…", keeping the v1 ones as bytes
// (other schemes are skipped, for a scheme SmartRecruiters may add).
func parseSignatures(h string) ([][]byte, error) {
	if strings.TrimSpace(h) == "" {
		return nil, fmt.Errorf("SmartRecruiters notification without a %s header", SignatureHeader)
	}
	var out [][]byte
	for i, part := range strings.Split(h, ";") {
		if i >= maxSignatures {
			return nil, fmt.Errorf("more than %d signatures in %s", maxSignatures, SignatureHeader)
		}
		scheme, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || strings.TrimSpace(scheme) != SignatureSchemeV1 {
			continue
		}
		b, err := hex.DecodeString(strings.TrimSpace(v))
		if err != nil || len(b) != sha256.Size {
			continue
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no v1 signature in %s", SignatureHeader)
	}
	return out, nil
}

func matchSignature(subs []ats.Subscription, sigs [][]byte, ts string, body []byte, eventID, name, version, link string) (ats.Subscription, bool) {
	for _, s := range subs {
		for _, k := range s.Keys {
			if k == "" {
				continue
			}
			want, _ := hex.DecodeString(SignV1(k, ts, body, eventID, name, version, link))
			for _, got := range sigs {
				if hmac.Equal(want, got) {
					return s, true
				}
			}
		}
	}
	return ats.Subscription{}, false
}

// dedupeKey is the event id, which redeliveries share; without one, a hash
// of the event and body.
func dedupeKey(eventID, name string, body []byte) string {
	if id := strings.TrimSpace(eventID); id != "" && len(id) <= 256 {
		return "smartrecruiters:" + id
	}
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write(body)
	return "smartrecruiters:sha256:" + hex.EncodeToString(h.Sum(nil))
}
