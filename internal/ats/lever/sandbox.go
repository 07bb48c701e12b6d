package lever

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
	"switchboard/internal/core"
	"switchboard/internal/netguard"
)

var _ ats.SandboxRunner = (*Connector)(nil)

// Names of the checks a Lever test order reports. They are stable, so the UI
// and tests can rely on them; the details go into each check's problem.
const (
	CheckTestPosting   = "A Lever posting carries the vacancy tag"
	CheckTestCandidate = "Test candidate created in Lever"
	CheckTestStage     = "Test candidate moved to the trigger stage"
	CheckStatusBack    = "Status written back to Lever"
	CheckScoreBack     = "Score and recommendation arrived in Lever"
	CheckLinkBack      = "Report link arrived in Lever and opens"
	CheckPDFBack       = "PDF report arrived in Lever as a file"
)

// StartTestOrder implements ats.SandboxRunner the way a recruiter orders in
// Lever: a candidate on a posting carrying the vacancy tag, moved to the
// trigger stage, which makes Lever send candidateStageChange.
func (c *Connector) StartTestOrder(ctx context.Context, cfg ats.Config, req ats.TestOrderRequest) (ats.TestOrder, []ats.Check) {
	var checks []ats.Check
	pass := func(name string) { checks = append(checks, ats.Check{Name: name, OK: true}) }
	fail := func(name, problem string) (ats.TestOrder, []ats.Check) {
		return ats.TestOrder{}, append(checks, ats.Check{Name: name, Problem: problem})
	}
	base := cfg.Setting(SettingBaseURL, DefaultBaseURL)
	cl := c.client(cfg)

	tag := req.Vacancy.Tag
	if tag == "" {
		return fail(CheckTestPosting, fmt.Sprintf("the vacancy %q has no tag: Lever orders reach a vacancy through its tag on a posting, so give the vacancy a tag and put that tag on a Lever posting", req.Vacancy.Name))
	}
	postings, err := cl.ListPostings(ctx)
	if err != nil {
		return fail(CheckTestPosting, describeCallError(base, err))
	}
	posting, ok := postingFor(postings, tag)
	if !ok {
		// Lever's API has no call to create a posting, so the run cannot make
		// its own test job as it does for the candidate.
		return fail(CheckTestPosting, fmt.Sprintf("no Lever posting carries the tag %q. Postings cannot be created through Lever's API, only in Lever itself (Jobs → Create a posting): add the tag to a posting there, then run the test again", tag))
	}
	pass(CheckTestPosting)

	// The trigger stage is resolved first, so a setting Lever no longer
	// matches does not leave a stranded test candidate behind.
	triggerID, err := c.triggerStageID(ctx, cl, cfg)
	var ae *atshttp.StatusError
	var ce *ats.CallError
	switch {
	case err == nil:
	case !errors.As(err, &ae) && errors.As(err, &ce) && ce.Failure == ats.FailConfig && !errors.Is(err, netguard.ErrBlocked):
		// The setting itself is wrong: say so rather than blame the network.
		return fail(CheckTestStage, strings.TrimPrefix(err.Error(), "lever: ")+": choose one of Lever's stages as the trigger stage; no test candidate was created")
	default:
		return fail(CheckTestStage, describeCallError(base, err)+"; no test candidate was created")
	}
	if triggerID == StageNewLead {
		// Lever sends candidateStageChange only for a move, and candidates
		// created by API start in New lead (inferred), so they never move
		// into it; checked before creating anything, and again after.
		return fail(CheckTestStage, newLeadTrigger(cfg))
	}

	// Lever records who creates a candidate: the configured user, else the
	// posting's owner, as for notes and files.
	performAs := cfg.Setting(SettingPerformAs, posting.Owner.ID)
	if performAs == "" {
		return fail(CheckTestCandidate, fmt.Sprintf("Lever needs a user to create the candidate as: set %q under ATS → Switchboard, or give the posting %q an owner in Lever", "Perform as (user id)", posting.Text))
	}
	prefix := cfg.Setting(SettingTagPrefix, "Switchboard")
	opp, err := cl.CreateOpportunity(ctx, performAs, CreateOpportunityRequest{
		Name: req.Candidate.Name, Emails: nonEmptyList(req.Candidate.Email),
		Headline: "Test candidate created by Switchboard's test order; archive it when you are done",
		Postings: []string{posting.ID}, Origin: OriginSourced,
		// The tag lets a recruiter find and clean up test candidates.
		Tags: []string{prefix + ": test candidate"},
	})
	if err != nil {
		return fail(CheckTestCandidate, describeCallError(base, err))
	}
	pass(CheckTestCandidate)

	if opp.Stage.ID == triggerID {
		return fail(CheckTestStage, newLeadTrigger(cfg))
	}
	if err := cl.UpdateStage(ctx, opp.ID, triggerID, performAs); err != nil {
		return fail(CheckTestStage, describeCallError(base, err))
	}
	pass(CheckTestStage)

	return ats.TestOrder{
		Candidate: ats.Candidate{
			ExternalID: opp.ID, Name: opp.Name, Email: req.Candidate.Email, ProfileURL: opp.URLs.Show,
		},
		ExternalJobID: posting.ID, JobName: posting.Text,
		NoOrderHint: "check in Lever (Settings → Integrations and API → Webhooks) that the candidateStageChange webhook is on and points at this integration's webhook URL, and that its signature token is the one stored under Credentials",
	}, checks
}

func newLeadTrigger(cfg ats.Config) string {
	return fmt.Sprintf("Lever puts new candidates in the trigger stage %q, so no stage change orders the assessment: choose a later stage as the trigger", cfg.Setting(SettingTriggerStage, ""))
}

// postingFor picks a posting with the tag, preferring one that is open, since
// a closed job is an odd place for a test candidate but still works.
func postingFor(postings []Posting, tag string) (Posting, bool) {
	var closed *Posting
	for i, p := range postings {
		if !p.HasTag(tag) {
			continue
		}
		if p.State != "closed" {
			return p, true
		}
		if closed == nil {
			closed = &postings[i]
		}
	}
	if closed != nil {
		return *closed, true
	}
	return Posting{}, false
}

func nonEmptyList(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// InspectTestOrder implements ats.SandboxRunner: it reads the test candidate
// back and checks each item of the completed write-back (see WriteBack).
func (c *Connector) InspectTestOrder(ctx context.Context, cfg ats.Config, t ats.TestOrder, want ats.TestExpectation) []ats.Check {
	names := []string{CheckStatusBack, CheckScoreBack, CheckLinkBack, CheckPDFBack}
	allFail := func(problem string) []ats.Check {
		out := make([]ats.Check, len(names))
		for i, n := range names {
			out[i] = ats.Check{Name: n, Problem: problem}
		}
		return out
	}
	u := want.Update
	if u.Result == nil {
		return allFail("the order has no result to look for")
	}
	base := cfg.Setting(SettingBaseURL, DefaultBaseURL)
	cl := c.client(cfg)
	id := t.Candidate.ExternalID
	opp, err := cl.GetOpportunity(ctx, id)
	var notes []Note
	var files []File
	if err == nil {
		notes, err = cl.ListNotes(ctx, id)
	}
	if err == nil {
		files, err = cl.ListFiles(ctx, id)
	}
	if err != nil {
		return allFail("could not read the test candidate back from Lever: " + describeCallError(base, err))
	}
	prefix := cfg.Setting(SettingTagPrefix, "Switchboard")
	rc := cfg.Integration.WriteBack.Reports
	res := *u.Result
	// noteWith reports whether one note starts with start and contains substr.
	noteWith := func(start, substr string) bool {
		return slices.ContainsFunc(notes, func(n Note) bool {
			return strings.HasPrefix(n.Value(), start) && strings.Contains(n.Value(), substr)
		})
	}
	check := func(name string, problems []string) ats.Check {
		return ats.Check{Name: name, OK: len(problems) == 0, Problem: strings.Join(problems, "; ")}
	}
	var checks []ats.Check

	// Status: Lever has no status field; the notes tell the story and the
	// "invited" tag goes once a result is in.
	var p []string
	if !noteWith(prefix+": ", " was invited to the ") {
		p = append(p, "no note says the candidate was invited")
	}
	if !noteWith(prefix+": ", " completed the ") {
		p = append(p, "no note says the assessment was completed")
	}
	if opp.HasTag(prefix + ": invited") {
		p = append(p, fmt.Sprintf("the tag %q is still on the candidate", prefix+": invited"))
	}
	checks = append(checks, check(CheckStatusBack, p))

	// Score and recommendation: the score tag, and the label in the note.
	p = nil
	if t, ok := scoreTag(res); !ok {
		p = append(p, "the result has no score to tag")
	} else if tag := prefix + ": " + t; !opp.HasTag(tag) {
		p = append(p, fmt.Sprintf("no tag %q on the candidate (tags: %s)", tag, listOrNone(opp.Tags)))
	}
	if line := scoreLine(res); !noteWith(prefix+": ", line) {
		p = append(p, fmt.Sprintf("no note says %q", line))
	}
	checks = append(checks, check(CheckScoreBack, p))

	// Report links: each one switched on must be on the candidate and open.
	p = nil
	expected := expectedLinks(rc, u.Reports)
	if len(expected) == 0 {
		p = append(p, "no report link is switched on under Switchboard → ATS → Reports, so none was sent")
	}
	for _, l := range expected {
		i := slices.IndexFunc(opp.Links, func(have string) bool { return sameLink(have, l.url) })
		if i < 0 {
			p = append(p, fmt.Sprintf("the %s is not among the candidate's links (links: %s)", l.name, listOrNone(opp.Links)))
			continue
		}
		if want.ResolveLink != nil {
			if err := want.ResolveLink(ctx, opp.Links[i]); err != nil {
				p = append(p, fmt.Sprintf("the %s does not open: %v", l.name, err))
			}
		}
	}
	checks = append(checks, check(CheckLinkBack, p))

	// The PDF report as a file.
	p = nil
	name := reportFileName(u)
	switch {
	case !rc.PDFFile:
		p = append(p, "the PDF report as a file is switched off under Switchboard → ATS → Reports, so none was sent")
	case !slices.ContainsFunc(files, func(f File) bool { return f.Name == name && strings.EqualFold(f.Ext, "pdf") && f.Size > 0 }):
		have := make([]string, 0, len(files))
		for _, f := range files {
			have = append(have, fmt.Sprintf("%s (%d bytes)", f.Name, f.Size))
		}
		p = append(p, fmt.Sprintf("no non-empty PDF named %q on the candidate (files: %s)", name, listOrNone(have)))
	}
	checks = append(checks, check(CheckPDFBack, p))
	return checks
}

type namedLink struct{ name, url string }

// expectedLinks are the report links WriteBack sends for rc, with the names a
// user knows them by; a URL sent for two kinds is expected once.
func expectedLinks(rc core.ReportConfig, r ats.Reports) []namedLink {
	var out []namedLink
	add := func(on bool, name, link string) {
		if on && link != "" && !slices.ContainsFunc(out, func(l namedLink) bool { return l.url == link }) {
			out = append(out, namedLink{name, link})
		}
	}
	add(rc.DetailPageURL, "candidate detail page link", r.DetailPageURL)
	add(rc.ReadOnlyPageURL, "read-only report page link", r.ReadOnlyPageURL)
	add(rc.PDFURL, "PDF report link", r.PDFURL)
	add(rc.SignedReportURL, "signed report link", r.SignedReportURL)
	return out
}

// sameLink compares links without their query: signed links carry an expiry
// that differs between when they were written and when they are checked.
func sameLink(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	if errors.Join(errA, errB) != nil {
		return false
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) && ua.Path == ub.Path
}

func listOrNone(ss []string) string {
	if len(ss) == 0 {
		return "none"
	}
	return strings.Join(ss, ", ")
}
