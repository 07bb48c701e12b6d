package leversim

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"switchboard/internal/ats/lever"
)

// Delivery is one webhook POST and its outcome. StatusCode is the
// receiver's answer (0 when none); Err is a transport failure.
type Delivery struct {
	Event      string
	URL        string
	Body       []byte
	StatusCode int
	Err        error
}

type pending struct {
	event, url string
	body       []byte
}

// payloads builds one signed payload per webhook subscribed to event, all
// with the same triggeredAt. Caller holds s.mu; nothing is sent here, so no
// lock is held while a receiver (which may call the API back) runs.
func (s *Server) payloads(event string, data lever.WebhookData) []pending {
	triggeredAt := s.nowMillis()
	var out []pending
	for _, wh := range s.webhooks {
		if wh.event == event {
			out = append(out, s.payload(wh, triggeredAt, data))
		}
	}
	return out
}

func (s *Server) payload(wh webhook, triggeredAt int64, data lever.WebhookData) pending {
	var tok [16]byte
	_, _ = rand.Read(tok[:]) // never fails (crypto/rand)
	token := hex.EncodeToString(tok[:])
	p := lever.WebhookPayload{
		ID:          newID(),
		TriggeredAt: triggeredAt,
		Event:       wh.event,
		Token:       token,
		Signature:   lever.Sign(wh.signatureToken, token, triggeredAt),
		Data:        data,
	}
	body, err := json.Marshal(p)
	if err != nil {
		panic(fmt.Sprintf("leversim: marshal webhook payload: %v", err)) // plain strings and ints cannot fail
	}
	return pending{event: wh.event, url: wh.url, body: body}
}

func (s *Server) deliverAll(ctx context.Context, ps []pending) []Delivery {
	out := make([]Delivery, 0, len(ps))
	for _, p := range ps {
		out = append(out, s.deliver(ctx, p))
	}
	return out
}

// deliver POSTs synchronously, as the caller of a control method expects the
// receiver to have seen the event when it returns.
func (s *Server) deliver(ctx context.Context, p pending) Delivery {
	d := Delivery{Event: p.event, URL: p.url, Body: p.body}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(p.body))
	if err != nil {
		d.Err = fmt.Errorf("leversim: webhook %s to %s: %w", p.event, p.url, err)
		return d
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "leversim-webhooks")
	resp, err := s.webhookClient.Do(req) // set once in New; no lock needed
	if err != nil {
		d.Err = fmt.Errorf("leversim: webhook %s to %s: %w", p.event, p.url, err)
		return d
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // drain for connection reuse
	d.StatusCode = resp.StatusCode
	return d
}
