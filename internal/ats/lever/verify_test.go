package lever_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/ats/lever"
	"switchboard/internal/core"
)

// TestVerifyWebhookKeepsOnlyIDsAndKeysEveryVerifiedDelivery: what is stored
// of a delivery is the event and the ids Resolve reads; every verified
// delivery, ignored or not, carries its signed key; an event Switchboard
// does not use is not verified with its tokens (so it is neither recorded
// nor refused), and a delivery naming an absurd id is refused.
func TestVerifyWebhookKeepsOnlyIDsAndKeysEveryVerifiedDelivery(t *testing.T) {
	t.Parallel()
	const stageToken, appToken = "stage-secret", "app-secret"
	now := time.UnixMilli(1_700_000_000_000)
	cfg := ats.Config{
		Integration: core.Integration{Settings: map[string]string{}},
		Secrets:     map[string]string{lever.CredentialStageChangeToken: stageToken, lever.CredentialApplicationCreateToken: appToken},
	}
	signed := func(event, signWith, opp string, extra map[string]any) []byte {
		p := map[string]any{
			"id": "whk-1", "triggeredAt": now.UnixMilli(), "event": event, "token": "tok-" + event,
			"signature": lever.Sign(signWith, "tok-"+event, now.UnixMilli()),
		}
		data := map[string]any{"candidateId": opp, "contactId": "c-1", "fromStageId": "s-0", "toStageId": "s-1"}
		if opp != "" {
			data["opportunityId"] = opp
		}
		for k, v := range extra {
			data[k] = v
		}
		p["data"] = data
		b, _ := json.Marshal(p)
		return b
	}
	conn := lever.NewConnector(lever.ConnectorOptions{})
	tests := []struct {
		name       string
		body       []byte
		status     int    // refusal status, 0 for none
		payload    string // what is stored, "" for nothing
		ignored    bool
		unverified bool
	}{
		{"stage change keeps ids only", signed(lever.EventCandidateStageChange, stageToken, "opp-1", map[string]any{"note": strings.Repeat("x", 10000)}),
			0, `{"event":"candidateStageChange","data":{"opportunityId":"opp-1","toStageId":"s-1"}}`, false, false},
		{"ping is keyed, stores nothing", signed(lever.EventCandidateStageChange, stageToken, "", nil), 0, "", true, false},
		{"applicationCreated switched off is keyed", signed(lever.EventApplicationCreated, appToken, "opp-1", nil), 0, "", true, false},
		{"unused event signed with our token is not verified", signed(lever.EventCandidateHired, stageToken, "opp-1", nil), 0, "", true, true},
		{"unused event signed with anything is not verified", signed(lever.EventCandidateHired, "other", "opp-1", nil), 0, "", true, true},
		{"stage change signed with the other token", signed(lever.EventCandidateStageChange, appToken, "opp-1", nil), http.StatusUnauthorized, "", false, false},
		{"id too long", signed(lever.EventCandidateStageChange, stageToken, strings.Repeat("a", 200), nil), http.StatusBadRequest, "", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := conn.VerifyWebhook(cfg, nil, tc.body, now)
			var refused *ats.InboundError
			if tc.status != 0 {
				if !errors.As(err, &refused) || refused.Status != tc.status {
					t.Fatalf("err %v, want a %d refusal", err, tc.status)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(d.Payload) != tc.payload || d.Ignore != tc.ignored || d.Unverified != tc.unverified {
				t.Errorf("delivery %+v (payload %s), want payload %s ignored %v unverified %v", d, d.Payload, tc.payload, tc.ignored, tc.unverified)
			}
			if (d.DedupeKey == "") != tc.unverified {
				t.Errorf("dedupe key %q: every verified delivery needs one, an unverified one none", d.DedupeKey)
			}
		})
	}
}
