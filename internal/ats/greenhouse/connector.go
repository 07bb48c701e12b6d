package greenhouse

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
	"switchboard/internal/core"
)

// ConnectorOptions configure the Greenhouse connector.
type ConnectorOptions struct {
	// AllowHosts are the hosts besides Greenhouse's that a send_test url may
	// name (the operator's --allow-ats-host: a simulator, a proxy).
	AllowHosts []string
	ats.Runtime
}

// Connector connects Switchboard to Greenhouse as an assessment partner.
type Connector struct {
	o        ConnectorOptions
	hosts    ats.AllowedHosts
	hostsErr error
}

// NewConnector returns the Greenhouse connector. Allowed hosts that do not
// parse (the operator's flag is checked at start-up, so this is a
// programming error) make every ping URL refused, saying why.
func NewConnector(o ConnectorOptions) *Connector {
	o.Runtime = o.Runtime.WithDefaults()
	c := &Connector{o: o}
	c.hosts, c.hostsErr = ats.ParseAllowedHosts(o.AllowHosts)
	return c
}

var (
	_ ats.Connector        = (*Connector)(nil)
	_ ats.PartnerEndpoints = (*Connector)(nil)
)

// Provider implements ats.Connector.
func (c *Connector) Provider() string { return "greenhouse" }

// Describe implements ats.Connector.
func (c *Connector) Describe() ats.Description {
	return ats.Description{
		Name: "Greenhouse",
		// A recruiter's "Send Test" at the partner stage; Greenhouse has no
		// inline or automatic order.
		Patterns: []core.Pattern{core.PatternAdHoc},
		// The profile link Greenhouse shows is the first of these that is
		// switched on (ProfileURL); a PDF cannot be uploaded.
		Reports: []string{"read_only_page_url", "signed_report_url", "detail_page_url", "pdf_url"},
		// A status, a number, a link and flat metadata (label, summary, one
		// entry per component).
		Shows:   ats.Shows{Status: true, Score: true, Label: true, Summary: true, Components: true, ResultURL: true, InProgress: true},
		Results: ats.ResultsBoth,
	}
}

// Validate implements ats.Connector. Greenhouse has no API Switchboard could
// call to check anything: what can be checked is that the key Greenhouse
// calls with is of a length Greenhouse takes. Whether a key is issued at all
// is the core's check, made for every connector that issues one.
func (c *Connector) Validate(_ context.Context, cfg ats.Config) []ats.Check {
	var checks []ats.Check
	if cfg.IssuedKey != "" {
		ch := ats.Check{Name: "the key is shorter than 171 characters, as Greenhouse requires", OK: len(cfg.IssuedKey) < MaxKeyLength}
		if !ch.OK {
			ch.Problem = fmt.Sprintf("the key has %d characters; issue a new one", len(cfg.IssuedKey))
		}
		checks = append(checks, ch)
	}
	hostsOK := c.hostsErr == nil
	ch := ats.Check{Name: "Greenhouse's ping URLs can be checked", OK: hostsOK}
	if !hostsOK {
		ch.Problem = "the operator's allowed ATS hosts are unreadable: " + c.hostsErr.Error()
	}
	return append(checks, ch)
}

// StatusFor is the partner_status of an order state.
func StatusFor(s core.State) string {
	switch s {
	case core.StateCompleted:
		return StatusComplete
	case core.StateInProgress:
		return StatusInProgress
	case core.StateExpired:
		return StatusExpired
	case core.StateRejected:
		return StatusRejected
	case core.StateCancelled:
		return StatusCancelled
	}
	return StatusSent // received, invited
}

// ProfileURL is the link Greenhouse shows as the candidate's page at the
// partner: the first report link the integration sends back, else the
// vendor's own result page.
func ProfileURL(u ats.Update) string {
	var vendor string
	if u.Result != nil {
		vendor = u.Result.ResultURL
	}
	return cmp.Or(u.Reports.ReadOnlyPageURL, u.Reports.SignedReportURL, vendor, u.Reports.DetailPageURL, u.Reports.PDFURL)
}

// ErrNoProfileURL is a completed order without a link to show: Greenhouse
// requires one.
var ErrNoProfileURL = errors.New("greenhouse: a completed test needs a profile URL, and no report link is switched on for this integration and the vendor gave none")

// Metadata keys of a test_status answer, as the recruiter reads them.
const (
	MetaLabel       = "Result"
	MetaVerdict     = "Verdict"
	MetaSummary     = "Summary"
	MetaScoreRange  = "Score range"
	MetaStartedAt   = "Started At"
	MetaCompletedAt = "Completed At"
)

// TestStatusFor is the test_status answer for an order as it stands.
func TestStatusFor(u ats.Update) (TestStatus, error) {
	ts := TestStatus{PartnerStatus: StatusFor(u.State)}
	if u.State != core.StateCompleted || u.Result == nil {
		if u.State == core.StateCompleted {
			return TestStatus{}, fmt.Errorf("order %s is completed without a result", u.Order.ID)
		}
		return ts, nil
	}
	r := u.Result
	link := ProfileURL(u)
	if link == "" {
		return TestStatus{}, ErrNoProfileURL
	}
	ts.PartnerProfileURL = &link
	meta := map[string]any{}
	if r.Score != nil && !math.IsNaN(r.Score.Value) && !math.IsInf(r.Score.Value, 0) {
		v := r.Score.Value
		ts.PartnerScore = &v
		if r.Score.Min != 0 || r.Score.Max != 100 {
			meta[MetaScoreRange] = number(r.Score.Min) + "–" + number(r.Score.Max)
		}
	}
	put := func(k string, v any) {
		if s, ok := v.(string); ok && strings.TrimSpace(s) == "" {
			return
		}
		for {
			if _, taken := meta[k]; !taken {
				break
			}
			k += " (part)"
		}
		meta[k] = v
	}
	put(MetaLabel, r.Label)
	put(MetaVerdict, string(r.Value))
	put(MetaSummary, r.Summary)
	for _, comp := range r.Components {
		switch {
		case comp.Score != nil:
			put(comp.Name, comp.Score.Value)
		case comp.Label != "":
			put(comp.Name, comp.Label)
		}
	}
	if t := cmp.Or(r.StartedAt, u.Order.StartedAt); !t.IsZero() {
		put(MetaStartedAt, t.UTC().Format(metaTime))
	}
	if t := cmp.Or(r.SubmittedAt, u.Order.CompletedAt); !t.IsZero() {
		put(MetaCompletedAt, t.UTC().Format(metaTime))
	}
	if len(meta) > 0 {
		ts.Metadata = meta
	}
	return ts, nil
}

// metaTime is how times read in metadata (Greenhouse shows the string as
// it is; its example is "10:15 AM 26 March 2014").
const metaTime = "3:04 PM 2 January 2006 UTC"

func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// WriteBack implements ats.Connector: on completion, the PATCH ping, after
// which Greenhouse asks test_status for the result. Other states are not
// pinged: the call is Greenhouse's "Mark Test as Completed", and Greenhouse
// reads the other statuses on its own poll. The ping goes once per order
// (a step); the url is the one Greenhouse gave in send_test, checked again
// against Greenhouse's hosts because the key goes with it.
func (c *Connector) WriteBack(ctx context.Context, cfg ats.Config, u ats.Update, steps ats.Steps) error {
	if u.State != core.StateCompleted {
		return nil
	}
	// The core hands back the url of the send_test that made the order
	// (unsealed, or the plain URL of an order stored before sealing).
	pingURL := u.Callback.URL
	if pingURL == "" {
		return &ats.CallError{Failure: ats.FailGiveUp, Err: fmt.Errorf("greenhouse: order %s has no url from send_test to ping", u.Order.ID)}
	}
	if cfg.IssuedKey == "" {
		return &ats.CallError{Failure: ats.FailConfig, Err: errors.New("greenhouse: no key is issued for this integration, and the ping must carry it")}
	}
	return steps.Do(ctx, "greenhouse.ping", func(ctx context.Context) error {
		return classify(c.Ping(ctx, cfg.HTTPClient, cfg.IssuedKey, pingURL))
	})
}

// classify turns a ping's error into the core's verdict.
var classify = ats.CallRules{
	Config: []error{ErrPingURL},
	Status: func(se *atshttp.StatusError, f ats.Failure) ats.Failure {
		if se.StatusCode == http.StatusNotFound || se.StatusCode == http.StatusGone {
			// Greenhouse no longer updates this test (the candidate was
			// hired or the application removed): Greenhouse's own poll, if
			// any, reads test_status all the same.
			return ats.FailGiveUp
		}
		return f
	},
}.Classify
