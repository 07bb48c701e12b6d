package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
	"switchboard/internal/candidatebot"
)

// TestLeverRouting: only a move into the trigger stage of an applicant to a
// posting carrying a vacancy's tag orders an assessment. Everything else is
// acknowledged and leaves no order, email, tag or note.
func TestLeverRouting(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupLever(apptest.LeverOptions{})
		ctx := context.Background()
		stage := func(name string) string {
			for _, s := range e.Lever.Stages() {
				if s.Text == name {
					return s.ID
				}
			}
			t.Fatalf("no stage %q", name)
			return ""
		}
		untagged := e.Lever.AddPosting("Warehouse Associate", nil, f.OwnerID)
		otherTags := e.Lever.AddPosting("Account Executive", []string{"Switchboard: Sales", "Remote"}, f.OwnerID)

		for _, tc := range []struct {
			name    string
			posting string
			stages  []string
		}{
			{"posting without tags", untagged.ID, []string{f.TriggerStage}},
			{"posting without the vacancy tag", otherTags.ID, []string{f.TriggerStage}},
			{"lead without a posting", "", []string{f.TriggerStage}},
			{"tagged posting, later stage", f.PostingID, []string{stage("On-site interview")}},
			{"tagged posting, earlier stage", f.PostingID, []string{stage("Recruiter screen")}},
			{"tagged posting, moved past the trigger stage without entering it", f.PostingID, []string{stage("On-site interview"), stage("Offer")}},
		} {
			refill(e)
			email := strings.ReplaceAll(tc.name, " ", ".") + "@example.com"
			email = strings.NewReplacer(",", "").Replace(email)
			opp, _, err := e.Lever.CreateOpportunity(ctx, "Routing "+tc.name, email, tc.posting)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			for _, s := range tc.stages {
				e.Clock.Advance(time.Millisecond) // distinct moves, as in Lever
				ds, err := e.Lever.MoveStage(ctx, opp.ID, s)
				if err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusOK {
					t.Fatalf("%s: stage change delivery: %s, %v", tc.name, outcome(ds), err)
				}
			}
			e.WaitIdle()
			if total, list := orders(e, f.APIKey); total != 0 {
				t.Errorf("%s: orders %+v, want none", tc.name, list)
			}
			if n := len(e.Mail.Messages()); n != 0 {
				t.Errorf("%s: %d emails, want none", tc.name, n)
			}
			if got, _ := e.Lever.Opportunity(opp.ID); len(got.Tags) != 0 || len(e.Lever.Notes(opp.ID)) != 0 {
				t.Errorf("%s: Lever was written to: tags %v, notes %q", tc.name, got.Tags, noteTexts(e, opp.ID))
			}
		}
		// Archived opportunities cannot be exercised end to end: leversim has
		// no PUT /v1/opportunities/{id}/archived nor a Go control to archive.

		// Control: the same moves into the trigger stage of a tagged posting
		// order, also when the candidate is moved on again before
		// Switchboard reads the opportunity.
		refill(e)
		opp, _, err := e.Lever.CreateOpportunity(ctx, "Routing control", "control@example.com", f.PostingID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{f.TriggerStage, stage("On-site interview")} {
			e.Clock.Advance(time.Millisecond)
			if ds, err := e.Lever.MoveStage(ctx, opp.ID, s); err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusOK {
				t.Fatalf("control: stage change delivery: %s, %v", outcome(ds), err)
			}
		}
		e.WaitIdle()
		d := onlyOrder(t, e, f)
		if d.Order.ExternalID != opp.ID || len(e.Mail.Messages()) != 1 {
			t.Errorf("control: order %+v, %d emails", d.Order, len(e.Mail.Messages()))
		}
		if got, _ := e.Lever.Opportunity(opp.ID); !slices.Contains(got.Tags, "Switchboard: invited") {
			t.Errorf("control: tags %v", got.Tags)
		}
	})
}

// TestLeverSecretsStayHidden runs a whole flow, including refused webhooks
// and a write-back refused by Lever, then checks that the log never holds a
// credential, a signature token, an invitation token, a report-link
// signature or an admin API key, and that the admin API shows only whether
// credentials are set.
func TestLeverSecretsStayHidden(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupLever(apptest.LeverOptions{ApplicationCreated: true})
		ctx := context.Background()
		const wrongKey = "lever-key-typed-wrong-0123456789"
		setKey := func(key string) { e.SetLeverAPIKey(f, key) }

		opp, link := invited(t, e, f, "Ada Lovelace", "ada@example.com")
		token := strings.TrimPrefix(link, e.URL+"/a/")

		// Refused webhooks: a forged signature and one signed with the
		// wrong webhook's token.
		forged := webhookPayload(lever.EventCandidateStageChange, opp.ID, f.TriggerStage, apptest.StageChangeToken, e.Clock.Now())
		forged.Signature = strings.Repeat("0", 64)
		if status, _ := post(t, f.WebhookURL, mustJSON(t, forged)); status != http.StatusUnauthorized {
			t.Errorf("forged webhook: %d", status)
		}
		crossed := webhookPayload(lever.EventApplicationCreated, opp.ID, "", apptest.StageChangeToken, e.Clock.Now())
		if status, _ := post(t, f.WebhookURL, mustJSON(t, crossed)); status != http.StatusUnauthorized {
			t.Errorf("applicationCreated signed with the stage change token: %d", status)
		}
		// A failed admin call with a wrong API key.
		if status := e.API("sbk_"+strings.Repeat("x", 52), "GET", "/orders", nil, nil); status != http.StatusUnauthorized {
			t.Errorf("unknown admin key: %d", status)
		}

		// The candidate finishes while Lever refuses the key; the admin fixes
		// it and retries.
		refill(e)
		setKey(wrongKey)
		if _, err := candidatebot.Take(ctx, http.DefaultClient, link, candidatebot.FirstOption); err != nil {
			t.Fatal(err)
		}
		e.WaitIdle()
		d := onlyOrder(t, e, f)
		failed := d.entries("job_failed", "gave up")
		if len(failed) != 1 {
			t.Fatalf("job_failed:%s", d.dump())
		}
		setKey(apptest.LeverAPIKey)
		e.MustAPI(http.StatusAccepted, f.APIKey, "POST", "/jobs/"+failed[0].Detail["job_id"]+"/retry", nil, nil)
		e.WaitIdle()
		got, _ := e.Lever.Opportunity(opp.ID)
		if len(got.Links) != 1 {
			t.Fatalf("links %v", got.Links)
		}
		// The candidate and the recruiter use their links.
		e.Get(link)
		e.Get(got.Links[0])
		e.Get(d.Reports.PDFURL)
		ru, err := url.Parse(got.Links[0])
		if err != nil {
			t.Fatal(err)
		}

		log := e.Log()
		// The log is captured, and it does record the failures above, so the
		// absence checks below look at something real.
		for _, want := range []string{"webhook refused", "job failed", "/hooks/lever/"} {
			if !strings.Contains(log, want) {
				t.Errorf("log lacks %q; is it captured?", want)
			}
		}
		for name, s := range map[string]string{
			"Lever API key":                    apptest.LeverAPIKey,
			"wrong Lever API key":              wrongKey,
			"stage change signature token":     apptest.StageChangeToken,
			"applicationCreated signature tok": apptest.AppCreatedToken,
			"invitation token":                 token,
			"admin API key":                    f.APIKey,
			"report link signature":            ru.Query().Get("sig"),
			"PDF link signature":               mustQuery(t, d.Reports.PDFURL, "sig"),
		} {
			if s == "" {
				t.Fatalf("%s: empty", name)
			}
			if strings.Contains(log, s) {
				t.Errorf("the log contains the %s", name)
			}
		}

		// The admin API says which credentials are set, never their values.
		var raw json.RawMessage
		e.MustAPI(http.StatusOK, f.APIKey, "GET", "/integrations/"+f.IntegrationID, nil, &raw)
		var list json.RawMessage
		e.MustAPI(http.StatusOK, f.APIKey, "GET", "/integrations", nil, &list)
		for _, body := range []string{string(raw), string(list)} {
			for _, s := range []string{apptest.LeverAPIKey, wrongKey, apptest.StageChangeToken, apptest.AppCreatedToken} {
				if strings.Contains(body, s) {
					t.Errorf("the integration API shows a credential value %q", s)
				}
			}
		}
		var view struct {
			Credentials []struct {
				Name  string `json:"name"`
				Set   bool   `json:"set"`
				SetAt string `json:"set_at"`
			} `json:"credentials"`
		}
		if err := json.Unmarshal(raw, &view); err != nil {
			t.Fatal(err)
		}
		if len(view.Credentials) != 3 {
			t.Errorf("credentials: %+v", view.Credentials)
		}
		for _, c := range view.Credentials {
			if !c.Set || c.SetAt == "" {
				t.Errorf("credential %s: set %v at %q, want set with a time", c.Name, c.Set, c.SetAt)
			}
		}
	})
}

func mustQuery(t *testing.T, u, k string) string {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return pu.Query().Get(k)
}
