package srsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/internal/ats/atshttp"
	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/srsim"
)

func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	form := func(grant, id, secret string) string {
		v := url.Values{}
		for k, s := range map[string]string{"grant_type": grant, "client_id": id, "client_secret": secret} {
			if s != "" {
				v.Set(k, s)
			}
		}
		return v.Encode()
	}
	tests := []struct {
		name    string
		body    string
		basic   *sr.ClientCredentials
		status  int
		errCode string
	}{
		{"form credentials", form("client_credentials", master.ClientID, master.ClientSecret), nil, 200, ""},
		{"basic credentials", form("client_credentials", "", ""), &master, 200, ""},
		{"customer credentials", form("client_credentials", w.customer.ClientID, w.customer.ClientSecret), nil, 200, ""},
		{"wrong secret", form("client_credentials", master.ClientID, "nope"), nil, 401, sr.TokenErrInvalidClient},
		{"unknown client", form("client_credentials", "who", "x"), nil, 401, sr.TokenErrInvalidClient},
		{"password grant", form("password", master.ClientID, master.ClientSecret), nil, 400, sr.TokenErrUnsupportedGrantType},
		{"no grant", form("", master.ClientID, master.ClientSecret), nil, 400, sr.TokenErrInvalidRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, w.srv.URL+sr.TokenPath, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.basic != nil {
				req.SetBasicAuth(tc.basic.ClientID, tc.basic.ClientSecret)
			}
			resp, err := w.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status == 200 {
				var at sr.AccessToken
				if json.NewDecoder(resp.Body).Decode(&at) != nil || at.AccessToken == "" || at.ExpiresIn != 3600 || at.TokenType != "Bearer" {
					t.Errorf("token answer %+v", at)
				}
				return
			}
			var te sr.TokenErrorResponse
			if json.NewDecoder(resp.Body).Decode(&te) != nil || te.Error != tc.errCode {
				t.Errorf("error %+v, want %s", te, tc.errCode)
			}
		})
	}
	if n := w.sim.TokensIssued(master.ClientID); n < 3 { // the world's master client, form and basic
		t.Errorf("TokensIssued = %d", n)
	}
}

func TestAuthScopesAndCompanies(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	orderID := w.placeOrder(t)
	masterTok := w.token(t, master)
	customerTok := w.token(t, w.customer)
	_, otherCreds := w.connect(t, "Other Co")
	otherTok := w.token(t, otherCreds)
	patch := `{"status":"PENDING"}`
	tests := []struct {
		name, method, path, token, body string
		status                          int
	}{
		{"no token", "PATCH", resultsPath(orderID), "", patch, 401},
		{"unknown token", "PATCH", resultsPath(orderID), "forged", patch, 401},
		{"master token on results", "PATCH", resultsPath(orderID), masterTok, patch, 403},
		{"customer token on partner configuration", "PUT", sr.AssessmentAPIPath + "/partner/configuration", customerTok, `{}`, 403},
		{"customer token on credential exchange", "POST", sr.AssessmentAPIPath + "/integration/company/" + w.company.ID, customerTok, `{}`, 403},
		{"master token on jobs", "GET", "/jobs", masterTok, "", 403},
		{"other company's order", "PATCH", resultsPath(orderID), otherTok, patch, 404},
		{"other company's candidate", "GET", "/candidates/" + string(w.cand.ID), otherTok, "", 404},
		{"own order", "PATCH", resultsPath(orderID), customerTok, patch, 200},
		{"own candidate", "GET", "/candidates/" + string(w.cand.ID), customerTok, "", 200},
		{"unknown route", "GET", "/nothing/here", customerTok, "", 404},
		{"wrong method", "DELETE", "/jobs", customerTok, "", 405},
	}
	for _, tc := range tests {
		r := w.call(t, tc.method, tc.path, tc.token, "application/json", tc.body)
		if tc.status >= 400 {
			wantError(t, r, tc.status)
		} else if r.status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.status)
		}
	}

	// Tokens expire on the simulator's clock, and can be revoked.
	w.clock.Advance(time.Hour)
	wantError(t, w.call(t, "GET", "/jobs", customerTok, "", ""), 401)
	fresh := w.token(t, w.customer)
	if r := w.call(t, "GET", "/jobs", fresh, "", ""); r.status != 200 {
		t.Fatalf("fresh token: %d", r.status)
	}
	w.sim.RevokeTokens()
	wantError(t, w.call(t, "GET", "/jobs", fresh, "", ""), 401)
}

func TestPartnerConfiguration(t *testing.T) {
	t.Parallel()
	sim := srsim.New()
	sim.RegisterPartner(master.ClientID, master.ClientSecret)
	w := &world{sim: sim}
	w.srv = newServer(t, sim)
	tok := w.token(t, master)
	path := sr.AssessmentAPIPath + "/partner/configuration"
	wantError(t, w.call(t, "GET", path, tok, "", ""), 404)

	valid := newFakePartner(t).config(sr.ConsentPopup)
	b, _ := json.Marshal(valid)
	invalid := valid
	invalid.SupportedAssessmentTypes = []sr.AssessmentType{"QUIZ"}
	bi, _ := json.Marshal(invalid)
	wantError(t, w.call(t, "PUT", path, tok, "application/json", string(bi)), 400)
	wantError(t, w.call(t, "PUT", path, tok, "application/json", `{"consentUrl":`), 400)
	wantError(t, w.call(t, "PUT", path, tok, "text/plain", string(b)), 415)
	if r := w.call(t, "PUT", path, tok, "application/json", string(b)); r.status != 200 {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	r := w.call(t, "GET", path, tok, "", "")
	var got sr.PartnerConfiguration
	if r.status != 200 || json.Unmarshal(r.body, &got) != nil {
		t.Fatalf("GET: %d %s", r.status, r.body)
	}
	if want := sr.ConfigurationFromRequest(valid); !reflect.DeepEqual(got, want) {
		t.Errorf("configuration %+v, want %+v", got, want)
	}
	if stored, ok := sim.PartnerConfiguration(); !ok || !reflect.DeepEqual(stored, got) {
		t.Errorf("PartnerConfiguration() = %+v, %v", stored, ok)
	}
}

func TestConnectFlow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)

	// The credential exchange needs the company's consent first.
	c := w.sim.AddCompany("Globex")
	_, err := w.master.SetUpIntegration(ctx, c.ID, w.partner.creds)
	var ae *atshttp.StatusError
	if !errors.As(err, &ae) || ae.StatusCode != 403 {
		t.Fatalf("before consent: %v, want 403", err)
	}
	if _, err := w.master.SetUpIntegration(ctx, "no-such-company", w.partner.creds); !errors.As(err, &ae) || ae.StatusCode != 403 {
		t.Fatalf("unknown company: %v, want 403", err)
	}

	consent, err := w.sim.Connect(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(consent)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Path != "/sr/integration" || q.Get("companyId") != c.ID || q.Get("app") != "switchboard" || !strings.HasPrefix(q.Get("redirect"), w.srv.URL+"/") {
		t.Fatalf("consent URL %s", consent)
	}
	if err := w.sim.CompleteConnect(c.ID); err == nil {
		t.Fatal("CompleteConnect succeeded before the credential exchange")
	}
	if conn, _ := w.sim.Connection(c.ID); !conn.Consented || conn.Integrated {
		t.Fatalf("after consent: %+v", conn)
	}

	creds, err := w.master.SetUpIntegration(ctx, c.ID, w.partner.creds)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.master.SetUpIntegration(ctx, c.ID, w.partner.creds); !errors.As(err, &ae) || ae.StatusCode != 409 {
		t.Fatalf("second exchange: %v, want 409", err)
	}
	// The admin's browser follows the redirect back.
	resp, err := w.srv.Client().Get(q.Get("redirect"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("redirect page: %d", resp.StatusCode)
	}
	conn, _ := w.sim.Connection(c.ID)
	if want := (srsim.Connection{Consented: true, Integrated: true, Returned: true, CustomerClientID: creds.ClientID, PartnerClientID: w.partner.creds.ClientID}); conn != want {
		t.Errorf("connection %+v, want %+v", conn, want)
	}
	// The customer-level credentials work.
	if err := w.client(creds).Authenticate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := w.sim.Connect(ctx, c.ID); err == nil {
		t.Error("Connect of a connected company succeeded")
	}
}

func TestConnectPopupAndUnconfigured(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim := srsim.New()
	srv := newServer(t, sim)
	sim.RegisterPartner(master.ClientID, master.ClientSecret)
	c := sim.AddCompany("Initech")
	if _, err := sim.Connect(ctx, c.ID); err == nil {
		t.Fatal("Connect without a partner configuration succeeded")
	}
	cl := sr.NewClient(srv.URL, master, sr.WithHTTPClient(srv.Client()))
	var ae *atshttp.StatusError
	if _, err := cl.SetUpIntegration(ctx, c.ID, sr.ClientCredentials{ClientID: "a", ClientSecret: "b"}); !errors.As(err, &ae) || ae.StatusCode != 404 {
		t.Fatalf("exchange without configuration: %v, want 404", err)
	}
	if _, err := cl.SavePartnerConfiguration(ctx, newFakePartner(t).config(sr.ConsentPopup)); err != nil {
		t.Fatal(err)
	}
	consent, err := sim.Connect(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(consent)
	if u.Query().Get("companyId") != c.ID || u.Query().Has("redirect") {
		t.Errorf("POPUP consent URL %s: want companyId and no redirect", consent)
	}
}

func TestOrderAdHocReachesPartner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	pls, err := w.sim.OrderAdHoc(ctx, w.company.ID, string(w.cand.ID), string(w.job.ID), "pkg-1", "pkg-2")
	if err != nil {
		t.Fatal(err)
	}
	if len(pls) != 2 || pls[0].Err != nil || pls[1].Err != nil || pls[0].StatusCode != 202 || pls[0].OrderID == pls[1].OrderID {
		t.Fatalf("placements %+v", pls)
	}
	got := w.partner.received("POST", "/sr/packages/orders")
	if len(got) != 2 {
		t.Fatalf("partner received %d orders", len(got))
	}
	for i, rq := range got {
		if rq.Auth != "Bearer partner-token-1" || rq.ContentType != "application/json" {
			t.Errorf("order %d: auth %q, content type %q", i, rq.Auth, rq.ContentType)
		}
		o, err := sr.DecodeOrder(rq.Body)
		if err != nil {
			t.Fatal(err)
		}
		want := sr.AssessmentPackageOrderRequest{
			ResultCallbackURL:   w.srv.URL + resultsPath(pls[i].OrderID),
			AssessmentPackageID: sr.ID(pls[i].PackageID),
			CompanyID:           sr.ID(w.company.ID),
			JobID:               w.job.ID,
			Job:                 sr.OrderJob{ID: w.job.ID, Title: "Barista"},
			Candidate:           sr.OrderCandidate{ID: w.cand.ID, Email: "ann@example.com", FirstName: "Ann", LastName: "Lee", ApplicationLanguage: "en"},
			Requester:           &w.company.Recruiter,
			Fields:              sr.FieldValues{"region": "EU"}, // only the partner's configured fields
		}
		if !reflect.DeepEqual(o, want) {
			t.Errorf("order %d body\n%+v\nwant\n%+v", i, o, want)
		}
	}
	// One token from the partner serves both calls.
	if w.partner.tokenCount() != 1 {
		t.Errorf("partner token requests = %d", w.partner.tokenCount())
	}
	orders := w.sim.Orders(w.company.ID)
	if len(orders) != 2 || !orders[0].Placed || orders[0].Kind != srsim.KindAdHoc || orders[1].PackageID != "pkg-2" {
		t.Errorf("orders %+v", orders)
	}
}

func TestMoveToStepTriggers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	cand, job := string(w.cand.ID), string(w.job.ID)
	pls, err := w.sim.MoveToStep(ctx, w.company.ID, cand, job, w.process.Steps[1].ID)
	if err != nil || len(pls) != 1 || pls[0].Err != nil || pls[0].PackageID != "pkg-1" {
		t.Fatalf("move to assessment step: %+v, %v", pls, err)
	}
	got := w.partner.received("POST", "/sr/packages/orders")
	o, err := sr.DecodeOrder(got[0].Body)
	if err != nil {
		t.Fatal(err)
	}
	if o.Requester != nil || !o.Triggered() {
		t.Errorf("auto-triggered order names a requester: %+v", o.Requester)
	}
	if ord, _ := w.sim.Order(pls[0].OrderID); ord.Kind != srsim.KindTriggered || !ord.Placed {
		t.Errorf("order %+v", ord)
	}
	if app, _ := w.sim.Application(w.company.ID, cand, job); app.StepID != w.process.Steps[1].ID || app.Status != sr.CandidateInReview {
		t.Errorf("application %+v", app)
	}
	// Staying at the step, or moving to one without a package, orders nothing.
	for _, step := range []string{w.process.Steps[1].ID, w.process.Steps[2].ID} {
		if pls, err := w.sim.MoveToStep(ctx, w.company.ID, cand, job, step); err != nil || len(pls) != 0 {
			t.Errorf("move to %s: %+v, %v", step, pls, err)
		}
	}
	if _, err := w.sim.MoveToStep(ctx, w.company.ID, cand, job, "no-step"); !errors.Is(err, srsim.ErrNotFound) {
		t.Errorf("unknown step: %v", err)
	}
	if n := len(w.partner.received("POST", "/sr/packages/orders")); n != 1 {
		t.Errorf("partner received %d orders", n)
	}
}

func TestApplyInlineRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	app, err := w.sim.ApplyInline(ctx, w.company.ID, string(w.job.ID), srsim.Applicant{FirstName: "Bo", LastName: "Diaz", Email: "bo@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if app.StatusCode != 200 || app.CandidateURL != w.partner.srv.URL+"/take/"+app.OrderID {
		t.Fatalf("inline application %+v", app)
	}
	got := w.partner.received("POST", "/sr/packages/inline/orders")
	if len(got) != 1 || got[0].Auth == "" {
		t.Fatalf("partner received %+v", got)
	}
	o, err := sr.DecodeInlineOrder(got[0].Body)
	if err != nil {
		t.Fatal(err)
	}
	want := sr.InlineAssessmentPackageOrderRequest{
		ResultCallbackURL: w.srv.URL + resultsPath(app.OrderID), AssessmentPackageID: "pkg-2",
		CompanyID: sr.ID(w.company.ID), JobID: w.job.ID, Job: sr.InlineJob{ID: w.job.ID},
		Candidate:                      sr.InlineCandidate{Email: "bo@example.com", FirstName: "Bo", LastName: "Diaz", ApplicationLanguage: "en"},
		CompletedAssessmentCallbackURL: app.ReturnURL, Fields: sr.FieldValues{"region": "EU"},
	}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("inline body\n%+v\nwant\n%+v", o, want)
	}
	if a, _ := w.sim.Application(w.company.ID, app.CandidateID, string(w.job.ID)); !a.Inline {
		t.Errorf("application before return: %+v", a)
	}
	// The candidate comes back to SmartRecruiters when done.
	resp, err := w.srv.Client().Get(app.ReturnURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("return page: %d", resp.StatusCode)
	}
	if ord, _ := w.sim.Order(app.OrderID); !ord.Returned || ord.Kind != srsim.KindInline || ord.CandidateURL != app.CandidateURL {
		t.Errorf("order %+v", ord)
	}
	if a, _ := w.sim.Application(w.company.ID, app.CandidateID, string(w.job.ID)); a.Inline {
		t.Errorf("application after return: %+v", a)
	}
	resp, err = w.srv.Client().Get(strings.Replace(app.ReturnURL, app.OrderID, "unknown", 1))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unknown return: %d", resp.StatusCode)
	}
}

func TestPackages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	ps, err := w.sim.ListPackages(ctx, w.company.ID)
	if err != nil || len(ps) != 2 || ps[1].Type != sr.TypeInlineAssessment {
		t.Fatalf("packages %+v, %v", ps, err)
	}
	p, err := w.sim.GetPackage(ctx, w.company.ID, "pkg-1")
	if err != nil || p.Name != "Barista" {
		t.Fatalf("package %+v, %v", p, err)
	}
	if got := w.partner.received("GET", "/sr/packages/pkg-1"); len(got) != 1 {
		t.Errorf("single package URL not expanded: %+v", w.partner.received("GET", "/sr/packages/{assessmentPackageId}"))
	}
	var pe *srsim.PartnerError
	if _, err := w.sim.GetPackage(ctx, w.company.ID, "nope"); !errors.As(err, &pe) || pe.StatusCode != 404 {
		t.Errorf("unknown package: %v", err)
	}
	w.partner.mu.Lock()
	w.partner.packages = nil
	w.partner.mu.Unlock()
	if ps, err := w.sim.ListPackages(ctx, w.company.ID); err != nil || ps == nil || len(ps) != 0 {
		t.Errorf("204: %+v, %v", ps, err)
	}
}

func TestPartnerRejectsOrder(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	pls, err := w.sim.OrderAdHoc(context.Background(), w.company.ID, string(w.cand.ID), string(w.job.ID), "unknown-pkg")
	if err != nil {
		t.Fatal(err)
	}
	var pe *srsim.PartnerError
	if len(pls) != 1 || !errors.As(pls[0].Err, &pe) || pe.StatusCode != 404 {
		t.Fatalf("placement %+v", pls)
	}
	if o, _ := w.sim.Order(pls[0].OrderID); o.Placed || !o.Refused || o.PlaceStatus != 404 {
		t.Errorf("order %+v", o)
	}
	// SmartRecruiters does not know an order the partner refused.
	wantError(t, w.call(t, "PATCH", resultsPath(pls[0].OrderID), w.token(t, w.customer), "application/json", `{"status":"PENDING"}`), 404)
}

func TestPartnerTokenRefreshedOn401(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.placeOrder(t)
	w.partner.revokeTokens()
	w.placeOrder(t)
	if w.partner.tokenCount() != 2 {
		t.Errorf("partner token requests = %d, want 2", w.partner.tokenCount())
	}
	// The partner token expires on the simulator's clock too.
	w.clock.Advance(time.Hour)
	w.placeOrder(t)
	if w.partner.tokenCount() != 3 {
		t.Errorf("partner token requests = %d, want 3", w.partner.tokenCount())
	}
}

func TestDisconnect(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	tok := w.token(t, w.customer)
	if err := w.sim.Disconnect(ctx, w.company.ID); err != nil {
		t.Fatal(err)
	}
	got := w.partner.received("DELETE", "/sr/integrations/companies/"+w.company.ID)
	if len(got) != 1 || !strings.HasPrefix(got[0].Auth, "Bearer ") {
		t.Fatalf("disable calls %+v", got)
	}
	wantError(t, w.call(t, "GET", "/jobs", tok, "", ""), 401)
	if resp, err := w.srv.Client().PostForm(w.srv.URL+sr.TokenPath, sr.NewTokenInput(w.customer).Form()); err != nil || resp.StatusCode != 401 {
		t.Errorf("revoked credentials: %v %v", resp.StatusCode, err)
	} else {
		resp.Body.Close()
	}
	if conn, _ := w.sim.Connection(w.company.ID); conn.Integrated || conn.Consented {
		t.Errorf("connection %+v", conn)
	}
	if _, err := w.sim.OrderAdHoc(ctx, w.company.ID, string(w.cand.ID), string(w.job.ID), "pkg-1"); !errors.Is(err, srsim.ErrNotConnected) {
		t.Errorf("order after disconnect: %v", err)
	}
	// Reconnecting works.
	if _, err := w.sim.Connect(ctx, w.company.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.master.SetUpIntegration(ctx, w.company.ID, w.partner.creds); err != nil {
		t.Fatal(err)
	}
}

func TestPatchResultsValidation(t *testing.T) {
	t.Parallel()
	w := newWorld(t, srsim.WithRateLimit(1000, 1000))
	orderID := w.placeOrder(t)
	tok := w.token(t, w.customer)
	tests := []struct {
		name, contentType, body string
		status                  int
	}{
		{"plain text", "text/plain", `{"status":"PENDING"}`, 415},
		{"not JSON", "application/json", `{"status":`, 400},
		{"not an object", "application/json", `["PENDING"]`, 400},
		{"unknown status", "application/json", `{"status":"DONE"}`, 400},
		{"score without max", "application/json", `{"score":{"raw":5,"min":0}}`, 400},
		{"raw above max", "application/json", `{"score":{"raw":101,"min":0,"max":100}}`, 400},
		{"score not an object", "application/json", `{"score":82}`, 400},
		{"bad attachment type", "application/json", `{"attachments":[{"type":"DOC","url":"https://x/r"}]}`, 400},
		{"assessment result without id", "application/json", `{"assessmentResults":[{"summary":"x"}]}`, 400},
		{"assessment score incomplete", "application/json", `{"assessmentResults":[{"assessmentId":"a","score":{"raw":1}}]}`, 400},
		{"wrong type", "application/json", `{"summary":5}`, 400},
		{"merge-patch media type", "application/merge-patch+json", `{"status":"PENDING"}`, 200},
		{"empty patch", "application/json", `{}`, 200},
	}
	for _, tc := range tests {
		r := w.call(t, "PATCH", resultsPath(orderID), tok, tc.contentType, tc.body)
		if tc.status >= 400 {
			wantError(t, r, tc.status)
		} else if r.status != tc.status {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
	wantError(t, w.call(t, "PATCH", resultsPath("no-such-order"), tok, "application/json", `{}`), 404)
	if o, _ := w.sim.Order(orderID); !reflect.DeepEqual(o.StatusHistory, []sr.Status{sr.StatusPending}) {
		t.Errorf("refused patches changed the order: %+v", o.StatusHistory)
	}
}

func TestPatchResultsMerges(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	orderID := w.placeOrder(t)
	tok := w.token(t, w.customer)
	for _, body := range []string{
		`{"status":"PENDING","assessmentPackageDate":"2025-03-01T10:00:00Z"}`,
		`{"status":"PENDING"}`, // a retried write-back adds no history
		`{"status":"IN_PROGRESS"}`,
		`{"status":"COMPLETED","score":{"raw":82,"min":0,"max":100},"scoreLabel":"Great fit","summary":"Good","attachments":[{"type":"OTHER_URL","url":"https://hub/r"}]}`,
		`{"summary":null,"score":{"raw":"83"}}`, // RFC 7396: null deletes; nested objects merge
	} {
		if r := w.call(t, "PATCH", resultsPath(orderID), tok, "application/json", body); r.status != 200 {
			t.Fatalf("%s: %d %s", body, r.status, r.body)
		}
	}
	o, _ := w.sim.Order(orderID)
	if want := []sr.Status{sr.StatusPending, sr.StatusInProgress, sr.StatusCompleted}; !reflect.DeepEqual(o.StatusHistory, want) {
		t.Errorf("history %v, want %v", o.StatusHistory, want)
	}
	r := o.Result
	if r.Status != sr.StatusCompleted || *r.Score != (sr.Score{Raw: 83, Min: 0, Max: 100}) || r.ScoreLabel != "Great fit" || r.Summary != "" ||
		len(r.Attachments) != 1 || !r.AssessmentPackageDate.Equal(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("result %+v", r)
	}
}

func multipartBody(t *testing.T, part, filename string, data []byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if part != "" {
		fw, err := mw.CreateFormFile(part, filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	} else {
		mw.WriteField("note", "no file")
	}
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

func TestAttachments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	orderID := w.placeOrder(t)
	tok := w.token(t, w.customer)
	path := resultsPath(orderID) + "/attachment"
	pdf := []byte("%PDF-1.4 report")
	for _, part := range []string{"file", "attachment"} {
		ct, body := multipartBody(t, part, "report.pdf", pdf)
		r := w.call(t, "POST", path, tok, ct, string(body))
		var ar sr.AttachmentResult
		if r.status != 201 || json.Unmarshal(r.body, &ar) != nil || !strings.HasPrefix(ar.URL, w.srv.URL+"/attachments/") {
			t.Fatalf("%s part: %d %s", part, r.status, r.body)
		}
		resp, err := w.srv.Client().Get(ar.URL)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		got.ReadFrom(resp.Body)
		resp.Body.Close()
		if !bytes.Equal(got.Bytes(), pdf) {
			t.Errorf("download of %s = %q", ar.URL, got.Bytes())
		}
	}
	o, _ := w.sim.Order(orderID)
	if len(o.Attachments) != 2 || o.Attachments[0].Part != "file" || o.Attachments[0].FileName != "report.pdf" || !bytes.Equal(o.Attachments[1].Data, pdf) {
		t.Errorf("attachments %+v", o.Attachments)
	}

	ct, body := multipartBody(t, "", "", nil)
	wantError(t, w.call(t, "POST", path, tok, ct, string(body)), 400)
	wantError(t, w.call(t, "POST", path, tok, "application/json", `{}`), 415)
	ct, body = multipartBody(t, "file", "big.pdf", make([]byte, sr.MaxAttachmentBytes+1))
	wantError(t, w.call(t, "POST", path, tok, ct, string(body)), 413)
	wantError(t, w.call(t, "POST", resultsPath("nope")+"/attachment", tok, ct, "x"), 404)

	app, err := w.sim.ApplyInline(ctx, w.company.ID, string(w.job.ID), srsim.Applicant{FirstName: "Bo", LastName: "Diaz", Email: "bo@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	ct, body = multipartBody(t, "file", "report.pdf", pdf)
	wantError(t, w.call(t, "POST", resultsPath(app.OrderID)+"/attachment", tok, ct, string(body)), 400)
}

func TestApplicationProperties(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tok := w.token(t, w.customer)
	score, err := w.sim.AddProperty(w.company.ID, "Matching score", srsim.PropertyText)
	if err != nil {
		t.Fatal(err)
	}
	label, _ := w.sim.AddProperty(w.company.ID, "Matching label", srsim.PropertySingleSelect, "v-great", "v-good", "v-poor")
	path := "/candidates/" + string(w.cand.ID) + "/jobs/" + string(w.job.ID) + "/properties"
	body := func(props ...sr.PropertyValue) string { b, _ := json.Marshal(props); return string(b) }

	r := w.call(t, "PUT", path, tok, "application/json", body(sr.TextProperty(score.ID, "82"), sr.SelectProperty(label.ID, "v-great")))
	if r.status != 204 || len(r.body) != 0 {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	want := map[string]any{score.ID: "82", label.ID: "v-great"}
	if got := w.sim.Properties(w.company.ID, string(w.cand.ID), string(w.job.ID)); !reflect.DeepEqual(got, want) {
		t.Errorf("properties %v, want %v", got, want)
	}
	tests := []struct {
		name, path, body string
		status           int
	}{
		{"unknown property", path, body(sr.TextProperty("nope", "1")), 400},
		{"unknown value id", path, body(sr.SelectProperty(label.ID, "Great fit")), 400},
		{"number for text", path, `[{"id":"` + score.ID + `","value":82}]`, 400},
		{"not an array", path, `{"id":"x"}`, 400},
		{"no application", "/candidates/" + string(w.cand.ID) + "/jobs/other/properties", body(sr.TextProperty(score.ID, "1")), 404},
		{"unknown candidate", "/candidates/nobody/jobs/" + string(w.job.ID) + "/properties", body(sr.TextProperty(score.ID, "1")), 404},
	}
	for _, tc := range tests {
		wantError(t, w.call(t, "PUT", tc.path, tok, "application/json", tc.body), tc.status)
	}
	// A property without a value resets it; a refused batch changed nothing.
	if r := w.call(t, "PUT", path, tok, "application/json", body(sr.PropertyValue{ID: score.ID})); r.status != 204 {
		t.Fatalf("reset: %d", r.status)
	}
	if got := w.sim.Properties(w.company.ID, string(w.cand.ID), string(w.job.ID)); !reflect.DeepEqual(got, map[string]any{label.ID: "v-great"}) {
		t.Errorf("after reset %v", got)
	}
}

func TestCustomerAPI(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tok := w.token(t, w.customer)
	second, _ := w.sim.AddCandidate(w.company.ID, "Cy", "Do", "cy@example.com")
	if err := w.sim.Apply(w.company.ID, string(second.ID), string(w.job.ID)); err != nil {
		t.Fatal(err)
	}
	w.sim.AddCandidate(w.company.ID, "No", "Application", "no@example.com") // not listed: no application

	var ids []sr.ID
	pageID := ""
	for range 5 {
		q := url.Values{"jobId": {string(w.job.ID)}, "limit": {"1"}}
		if pageID != "" {
			q.Set("pageId", pageID)
		}
		r := w.call(t, "GET", "/candidates?"+q.Encode(), tok, "", "")
		var p sr.Page[sr.Candidate]
		if r.status != 200 || json.Unmarshal(r.body, &p) != nil || p.Limit != 1 {
			t.Fatalf("page: %d %s", r.status, r.body)
		}
		for _, c := range p.Content {
			ids = append(ids, c.ID)
			if c.PrimaryAssignment == nil || c.PrimaryAssignment.Job.ID != w.job.ID || c.PrimaryAssignment.Status != sr.CandidateNew {
				t.Errorf("candidate %+v", c)
			}
		}
		if pageID = p.NextPageID; pageID == "" {
			break
		}
	}
	if want := []sr.ID{w.cand.ID, second.ID}; !reflect.DeepEqual(ids, want) {
		t.Errorf("listed %v, want %v", ids, want)
	}
	wantError(t, w.call(t, "GET", "/candidates?limit=101", tok, "", ""), 400)
	wantError(t, w.call(t, "GET", "/candidates?pageId=bogus", tok, "", ""), 400)

	r := w.call(t, "GET", "/jobs/"+string(w.job.ID), tok, "", "")
	var j sr.Job
	if r.status != 200 || json.Unmarshal(r.body, &j) != nil || j.Title != "Barista" {
		t.Errorf("job: %d %s", r.status, r.body)
	}
	wantError(t, w.call(t, "GET", "/jobs/nope", tok, "", ""), 404)
}

func TestRateLimitPerCredential(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tok := w.token(t, w.customer)
	// Connected first: the client that connects it paces itself on the
	// shared clock, which would refill the bucket under test.
	_, other := w.connect(t, "Other Co")
	for i := range 10 {
		if r := w.call(t, "GET", "/jobs", tok, "", ""); r.status != 200 {
			t.Fatalf("request %d: %d", i, r.status)
		}
	}
	r := w.call(t, "GET", "/jobs", tok, "", "")
	wantError(t, r, 429)
	for k, v := range map[string]string{"Retry-After": "1", "X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0", "X-RateLimit-Concurrent-Limit": "8"} {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	// Another credential has its own budget.
	if r := w.call(t, "GET", "/jobs", w.token(t, other), "", ""); r.status != 200 {
		t.Errorf("other credential: %d", r.status)
	}
	w.clock.Advance(100 * time.Millisecond)
	if r := w.call(t, "GET", "/jobs", tok, "", ""); r.status != 200 || r.header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("after 100ms: %d remaining %s", r.status, r.header.Get("X-RateLimit-Remaining"))
	}
	if n := w.sim.ThrottledCount(); n != 1 {
		t.Errorf("ThrottledCount = %d", n)
	}
}

func TestConcurrencyLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path string
		allowed    int
	}{
		{"8 in flight", "/jobs", 8},
		{"1 in flight for GET /candidates", "/candidates", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, srsim.WithRateLimit(1000, 1000))
			tok := w.token(t, w.customer)
			hold := w.sim.Hold()
			results := make(chan response, tc.allowed+1)
			for range tc.allowed + 1 {
				go func() { results <- w.call(t, "GET", tc.path, tok, "", "") }()
			}
			for range tc.allowed {
				<-hold.Entered()
			}
			// Exactly one request found every slot taken.
			r := <-results
			wantError(t, r, 429)
			if r.header.Get("X-RateLimit-Concurrent-Remaining") != "0" || r.header.Get("Retry-After") == "" {
				t.Errorf("headers %v", r.header)
			}
			if n := w.sim.InFlight(w.customer.ClientID); n != tc.allowed {
				t.Errorf("InFlight = %d", n)
			}
			hold.Release()
			for range tc.allowed {
				if r := <-results; r.status != 200 {
					t.Errorf("held request: %d", r.status)
				}
			}
			if n := w.sim.ThrottledCount(); n != 1 {
				t.Errorf("ThrottledCount = %d", n)
			}
		})
	}
}

func TestFailNextAndCounts(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tok := w.token(t, w.customer)
	w.sim.FailNext(1, 503, 1500*time.Millisecond)
	w.sim.FailNext(1, 500, 0)
	r := w.call(t, "GET", "/jobs", tok, "", "")
	wantError(t, r, 503)
	if r.header.Get("Retry-After") != "2" {
		t.Errorf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	r = w.call(t, "GET", "/jobs", tok, "", "")
	wantError(t, r, 500)
	if r.header.Get("Retry-After") != "" {
		t.Errorf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	if r := w.call(t, "GET", "/jobs", tok, "", ""); r.status != 200 {
		t.Fatalf("after failures: %d", r.status)
	}
	if n := w.sim.RequestCount("GET", "/jobs"); n != 1 {
		t.Errorf("RequestCount = %d, want 1 (failed requests do not reach the handler)", n)
	}
}

func TestFailNextPanicsOnSuccessStatus(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("FailNext(1, 200, 0) did not panic")
		}
	}()
	srsim.New().FailNext(1, 200, 0)
}

// TestResultBeforePlacementAnswer: SmartRecruiters knows an order before it
// posts it, so a partner that reports PENDING before answering the order's
// POST is heard, for every kind of order; a refused order is still unknown.
func TestResultBeforePlacementAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		place func(w *world) (string, error)
	}{
		{"ad hoc", func(w *world) (string, error) {
			pls, err := w.sim.OrderAdHoc(context.Background(), w.company.ID, string(w.cand.ID), string(w.job.ID), "pkg-1")
			if err != nil || len(pls) != 1 {
				return "", fmt.Errorf("%+v, %v", pls, err)
			}
			return pls[0].OrderID, pls[0].Err
		}},
		{"triggered", func(w *world) (string, error) {
			pls, err := w.sim.MoveToStep(context.Background(), w.company.ID, string(w.cand.ID), string(w.job.ID), w.process.Steps[1].ID)
			if err != nil || len(pls) != 1 {
				return "", fmt.Errorf("%+v, %v", pls, err)
			}
			return pls[0].OrderID, pls[0].Err
		}},
		{"inline", func(w *world) (string, error) {
			app, err := w.sim.ApplyInline(context.Background(), w.company.ID, string(w.job.ID), srsim.Applicant{FirstName: "Bo", LastName: "Diaz", Email: "bo@example.com"})
			return app.OrderID, err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			token := w.token(t, w.customer)
			var mu sync.Mutex
			var early []int // the statuses of PATCHes sent before answering
			w.partner.hookBeforeAnswer(func(orderID string) {
				status := -1
				req, err := http.NewRequest("PATCH", w.srv.URL+resultsPath(orderID), strings.NewReader(`{"status":"PENDING"}`))
				if err == nil {
					req.Header.Set("Authorization", "Bearer "+token)
					req.Header.Set("Content-Type", "application/json")
					if resp, err := w.srv.Client().Do(req); err == nil {
						resp.Body.Close()
						status = resp.StatusCode
					}
				}
				mu.Lock()
				defer mu.Unlock()
				early = append(early, status)
			})
			id, err := tt.place(w)
			if err != nil {
				t.Fatalf("placement: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(early) != 1 || early[0] != http.StatusOK {
				t.Fatalf("PATCH before the placement answer got %v, want [200]", early)
			}
			o, _ := w.sim.Order(id)
			if !o.Placed || o.Refused || o.Result.Status != sr.StatusPending {
				t.Errorf("order %+v, want placed with the early PENDING", o)
			}
		})
	}
}
