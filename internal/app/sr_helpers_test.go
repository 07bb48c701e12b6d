package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/atssim/srsim"
	sr "switchboard/internal/smartrecruiters"
)

// srDialects runs fn on SQLite and on PostgreSQL (which pgtest skips when
// no test server is configured).
func srDialects(t *testing.T, fn func(t *testing.T, dialect string)) {
	t.Helper()
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, d)
		})
	}
}

// srIntegration is the admin API's view of the integration.
type srIntegration struct {
	ID       string            `json:"id"`
	Status   string            `json:"status"`
	Settings map[string]string `json:"settings"`
}

func srGetIntegration(e *apptest.Env, f *apptest.SRFixture) srIntegration {
	var in srIntegration
	e.MustAPI(http.StatusOK, f.APIKey, "GET", "/integrations/"+f.IntegrationID, nil, &in)
	return in
}

// srOrders lists the account's orders through the admin API, newest first.
func srOrders(e *apptest.Env, f *apptest.SRFixture) []apiOrder {
	var out struct {
		Orders []apiOrder `json:"orders"`
	}
	e.MustAPI(http.StatusOK, f.APIKey, "GET", "/orders", nil, &out)
	return out.Orders
}

func srOrderDetail(e *apptest.Env, f *apptest.SRFixture, id string) apiOrderDetail {
	var d apiOrderDetail
	e.MustAPI(http.StatusOK, f.APIKey, "GET", "/orders/"+id, nil, &d)
	return d
}

// srOrderBySR finds Switchboard's order for a SmartRecruiters order id.
func srOrderBySR(t *testing.T, e *apptest.Env, f *apptest.SRFixture, srOrderID string) apiOrder {
	t.Helper()
	for _, o := range srOrders(e, f) {
		if o.ExternalID == srOrderID {
			return o
		}
	}
	t.Fatalf("no Switchboard order for SmartRecruiters order %s", srOrderID)
	return apiOrder{}
}

// srPlaced checks that every placement was accepted with want.
func srPlaced(t *testing.T, pls []srsim.Placement, err error, want int) {
	t.Helper()
	if err != nil {
		t.Fatalf("place: %v", err)
	}
	for _, p := range pls {
		if p.Err != nil || p.StatusCode != want {
			t.Fatalf("placement of %s: %d %v (want %d)", p.PackageID, p.StatusCode, p.Err, want)
		}
	}
}

// srRefused checks a refused placement: the status and SmartRecruiters'
// error body with a message containing msg.
func srRefused(t *testing.T, p srsim.Placement, status int, msg string) {
	t.Helper()
	var eb sr.ErrorResponse
	if p.StatusCode != status || json.Unmarshal(p.Body, &eb) != nil || len(eb.Errors) == 0 || !strings.Contains(eb.Message, msg) {
		t.Fatalf("placement: %d %s, want %d with an error body saying %q", p.StatusCode, p.Body, status, msg)
	}
}

func srStatuses(o srsim.Order) string {
	var ss []string
	for _, s := range o.StatusHistory {
		ss = append(ss, string(s))
	}
	return strings.Join(ss, " → ")
}

func srSimOrder(t *testing.T, f *apptest.SRFixture, id string) srsim.Order {
	t.Helper()
	o, ok := f.Sim.Order(id)
	if !ok {
		t.Fatalf("srsim has no order %s", id)
	}
	return o
}

// srWaitMails waits for n emails at the test SMTP server.
func srWaitMails(t *testing.T, e *apptest.Env, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := e.Mail.WaitForMessages(ctx, n); err != nil {
		t.Fatalf("waiting for %d emails: %v (have %d)", n, err, len(e.Mail.Messages()))
	}
}

var srRadio = regexp.MustCompile(`<input type="radio" name="([^"]+)" value="([^"]+)"`)

// srAnswerAndFinish answers every question of a started assessment with the
// first option shown, over HTTP, and submits it; it returns where the
// browser ended.
func srAnswerAndFinish(t *testing.T, link string) string {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second}
	send := func(method, u string, form url.Values) (string, string) {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, u, body)
		if err != nil {
			t.Fatal(err)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, u, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d\n%s", method, u, resp.StatusCode, b)
		}
		return string(b), resp.Request.URL.String()
	}
	page, _ := send(http.MethodGet, link+"/q", nil)
	for range 100 {
		ms := srRadio.FindAllStringSubmatch(page, -1)
		if len(ms) == 0 {
			break
		}
		form := url.Values{}
		for _, m := range ms {
			if !form.Has(m[1]) {
				form.Set(m[1], m[2])
			}
		}
		page, _ = send(http.MethodPost, link+"/q", form)
	}
	_, final := send(http.MethodPost, link+"/finish", url.Values{})
	return final
}

// srStart opens the invitation and starts the assessment, over HTTP.
func srStart(t *testing.T, link string) {
	t.Helper()
	resp, err := http.PostForm(link+"/start", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("start %s: %d", link, resp.StatusCode)
	}
}

func srDump(f *apptest.SRFixture) string {
	var b strings.Builder
	for _, o := range f.Sim.Orders(f.Company.ID) {
		fmt.Fprintf(&b, "%s %s %s placed=%v %d: %s\n", o.ID, o.Kind, o.PackageID, o.Placed, o.PlaceStatus, srStatuses(o))
	}
	return b.String()
}
