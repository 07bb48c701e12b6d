package lever

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
	"switchboard/internal/core"
	"switchboard/internal/netguard"
)

// Setting and credential keys of a Lever integration.
const (
	SettingBaseURL            = "base_url"
	SettingTriggerStage       = "trigger_stage"
	SettingPerformAs          = "perform_as"
	SettingTagPrefix          = "tag_prefix"
	SettingApplicationCreated = "application_created"

	CredentialAPIKey                 = "api_key"
	CredentialStageChangeToken       = "stage_change_signature_token"
	CredentialApplicationCreateToken = "application_created_signature_token"
)

// ConnectorOptions configure the Lever connector.
type ConnectorOptions struct {
	// Limiters share Lever's per-key rate limit across every job and request.
	Limiters *LimiterPool
	// Tolerance is how far a webhook's triggeredAt may be from now; 0 means
	// one hour, which bounds replays while leaving room for Lever's retries.
	Tolerance time.Duration
	ats.Runtime
}

// Connector connects Switchboard to Lever: signed webhooks in, tags, notes,
// files and links out.
type Connector struct {
	o      ConnectorOptions
	stages *stageCache
}

// NewConnector returns the Lever connector.
func NewConnector(o ConnectorOptions) *Connector {
	if o.Limiters == nil {
		o.Limiters = NewLimiterPool()
	}
	if o.Tolerance == 0 {
		o.Tolerance = time.Hour
	}
	o.Runtime = o.Runtime.WithDefaults()
	return &Connector{o: o, stages: newStageCache()}
}

var (
	_ ats.Connector       = (*Connector)(nil)
	_ ats.WebhookReceiver = (*Connector)(nil)
)

// Provider implements ats.Connector.
func (c *Connector) Provider() string { return "lever" }

// Describe implements ats.Connector.
func (c *Connector) Describe() ats.Description {
	return ats.Description{
		Name: "Lever",
		// Lever has no inline assessments: orders come from a stage move or an application.
		Patterns: []core.Pattern{core.PatternAdHoc},
		Settings: []ats.Field{
			{Key: SettingTriggerStage, Label: "Trigger stage", Required: true, Help: "The pipeline stage (name or id) that orders the assessment, e.g. Phone Screen."},
			{Key: SettingTagPrefix, Label: "Tag prefix", Default: "Switchboard", Help: "Tags written to Lever start with this, e.g. \"Switchboard: invited\"."},
			{Key: SettingPerformAs, Label: "Perform as (user id)", Help: "The Lever user notes and files are recorded as; empty uses the posting owner."},
			{Key: SettingApplicationCreated, Label: "Invite every applicant (applicationCreated)", Default: "false", Help: "true to invite on application to a tagged posting, not only at the trigger stage."},
			{Key: SettingBaseURL, Label: "API base URL", Default: DefaultBaseURL, Hosts: []string{"api.lever.co", "api.sandbox.lever.co"},
				Help: "Lever's API; the sandbox is " + SandboxBaseURL + ". Changing the host clears the stored credentials."},
		},
		Credentials: []ats.Field{
			{Key: CredentialAPIKey, Label: "API key", Required: true, Help: "Settings → Integrations and API → API Credentials (Super Admin)."},
			{Key: CredentialStageChangeToken, Label: "candidateStageChange signature token", Required: true, Help: "Shown by Lever beside the candidateStageChange webhook."},
			{Key: CredentialApplicationCreateToken, Label: "applicationCreated signature token", Help: "Needed when every applicant is invited."},
		},
		Reports:     []string{"detail_page_url", "read_only_page_url", "pdf_file", "pdf_url", "signed_report_url"},
		RoutesByTag: true,
		TestOrders:  true,
		Reinvite:    true,
		// Tags carry the state and the score, a note the label, summary and
		// each part, links the result URL and attachments; a candidate who
		// has started keeps the "invited" tag (Lever shows no progress).
		Shows: ats.Shows{Status: true, Score: true, Label: true, Summary: true, Components: true, Attachments: true, ResultURL: true},
	}
}

func applicationCreatedOn(cfg ats.Config) bool {
	return strings.EqualFold(cfg.Setting(SettingApplicationCreated, "false"), "true")
}

func (c *Connector) client(cfg ats.Config) *Client {
	key := cfg.Secrets[CredentialAPIKey]
	opts := []Option{WithHTTPClient(cfg.HTTPClient), WithLimiter(c.o.Limiters.For(key))}
	if c.o.Sleep != nil {
		opts = append(opts, WithSleep(c.o.Sleep))
	}
	if c.o.Now != nil {
		opts = append(opts, WithClock(c.o.Now))
	}
	return NewClient(cfg.Setting(SettingBaseURL, DefaultBaseURL), key, opts...)
}

// VerifyWebhook implements ats.WebhookReceiver: the signature is
// HMAC-SHA256(signature token of that webhook, token + triggeredAt).
func (c *Connector) VerifyWebhook(cfg ats.Config, _ http.Header, body []byte, now time.Time) (ats.Delivery, error) {
	p, err := ParseWebhook(body)
	if err != nil {
		return ats.Delivery{}, ats.Refuse(http.StatusBadRequest, "malformed Lever webhook: %v", err)
	}
	// Lever has one signature token per webhook, so the event picks the token.
	var token string
	switch p.Event {
	case EventCandidateStageChange:
		token = cfg.Secrets[CredentialStageChangeToken]
	case EventApplicationCreated:
		token = cfg.Secrets[CredentialApplicationCreateToken]
	default:
		// Switchboard holds no token for the other webhooks. Trying its own
		// would let a delivery signed for one event pass as another; as it
		// does nothing, it is acknowledged unverified and not recorded.
		return ats.Delivery{Kind: p.Event, Ignore: true, Unverified: true, Reason: "Switchboard does not use " + p.Event + " webhooks"}, nil
	}
	if token == "" || VerifySignature(token, p) != nil {
		return ats.Delivery{}, ats.Refuse(http.StatusUnauthorized, "bad or missing Lever webhook signature")
	}
	if err := CheckFreshness(p, now, c.o.Tolerance); err != nil {
		return ats.Delivery{}, ats.Refuse(http.StatusBadRequest, "webhook triggeredAt is outside the accepted window of %s", c.o.Tolerance)
	}
	if len(p.Data.OpportunityID) > MaxIDLen || len(p.Data.ToStageID) > MaxIDLen {
		return ats.Delivery{}, ats.Refuse(http.StatusBadRequest, "malformed Lever webhook: an id is longer than %d bytes", MaxIDLen)
	}
	// Every verified delivery, ignored or not, is keyed on what is signed, so
	// that a ping or an ignored event cannot come back as another event.
	d := ats.Delivery{Kind: p.Event, DedupeKey: p.SignedKey()}
	switch {
	case p.IsPing():
		d.Ignore, d.Reason = true, "test ping"
	case p.Event == EventApplicationCreated && !applicationCreatedOn(cfg):
		d.Ignore, d.Reason = true, "applicationCreated is switched off"
	default:
		d.Payload, err = json.Marshal(storedWebhook{Event: p.Event, Data: storedData{OpportunityID: p.Data.OpportunityID, ToStageID: p.Data.ToStageID}})
		if err != nil {
			return ats.Delivery{}, fmt.Errorf("lever: encode delivery: %w", err)
		}
	}
	return d, nil
}

// Resolve implements ats.WebhookReceiver. It re-reads the opportunity and its
// postings, because Lever does not sign a webhook's data.
func (c *Connector) Resolve(ctx context.Context, cfg ats.Config, payload []byte) ([]ats.Event, error) {
	var p storedWebhook // a whole delivery, as stored by earlier versions, decodes too
	if err := json.Unmarshal(payload, &p); err != nil || p.Data.OpportunityID == "" {
		return nil, &ats.CallError{Failure: ats.FailGiveUp, Err: fmt.Errorf("lever: resolve: the stored delivery names no opportunity (%v)", err)}
	}
	cl := c.client(cfg)
	opp, err := cl.GetOpportunity(ctx, p.Data.OpportunityID)
	if err != nil {
		return nil, classify(fmt.Errorf("lever: resolve: %w", err))
	}
	if opp.IsArchived() {
		return ignored("the opportunity is archived in Lever"), nil
	}
	if p.Event == EventCandidateStageChange {
		ok, err := c.reachedTrigger(ctx, cl, cfg, opp, p.Data.ToStageID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return ignored(fmt.Sprintf("the opportunity is not at the trigger stage %q", cfg.Setting(SettingTriggerStage, ""))), nil
		}
	}
	cand := ats.Candidate{ExternalID: opp.ID, Name: opp.Name, ProfileURL: opp.URLs.Show}
	if len(opp.Emails) > 0 {
		cand.Email = opp.Emails[0]
	}
	var events []ats.Event
	for _, postingID := range opp.PostingIDs() {
		posting, err := cl.GetPosting(ctx, postingID)
		if err != nil {
			return nil, classify(fmt.Errorf("lever: resolve: %w", err))
		}
		if len(posting.Tags) == 0 {
			events = append(events, ats.Event{Kind: ats.EventIgnored, Reason: fmt.Sprintf("the posting %q has no tags", posting.Text)})
			continue
		}
		events = append(events, ats.Event{
			Kind: ats.EventOrderRequested, Mode: core.ModeTriggered,
			// One order per opportunity and posting, whichever webhook asks first.
			IdempotencyKey: "lever:" + opp.ID + ":" + posting.ID,
			Candidate:      cand, ExternalID: opp.ID, ExternalJobID: posting.ID,
			PackageTags: posting.Tags,
			// A delivery reaching here is a new move or application (redeliveries
			// were deduplicated on arrival): after an expiry it invites again.
			Renew: true,
		})
	}
	if len(events) == 0 {
		return ignored("the opportunity is on no posting"), nil
	}
	return events, nil
}

func ignored(reason string) []ats.Event {
	return []ats.Event{{Kind: ats.EventIgnored, Reason: reason}}
}

// reachedTrigger reports whether the opportunity verifiably entered the
// trigger stage: it is there now, or its stage history shows the move the
// webhook claims.
func (c *Connector) reachedTrigger(ctx context.Context, cl *Client, cfg ats.Config, opp Opportunity, claimed string) (bool, error) {
	triggerID, err := c.cachedTriggerStageID(ctx, cl, cfg)
	if err != nil {
		return false, err
	}
	if opp.Stage.ID == triggerID {
		return true, nil
	}
	return claimed == triggerID && slices.ContainsFunc(opp.StageChanges, func(sc StageChange) bool { return sc.ToStageID == triggerID }), nil
}

// triggerStageID resolves the trigger stage setting, a stage id or its name.
func (c *Connector) triggerStageID(ctx context.Context, cl *Client, cfg ats.Config) (string, error) {
	want := cfg.Setting(SettingTriggerStage, "")
	if want == "" {
		return "", &ats.CallError{Failure: ats.FailConfig, Err: errors.New("lever: no trigger stage configured")}
	}
	stages, err := cl.ListStages(ctx)
	if err != nil {
		return "", classify(fmt.Errorf("lever: list stages: %w", err))
	}
	if s, ok := findStage(stages, want); ok {
		return s.ID, nil
	}
	return "", &ats.CallError{Failure: ats.FailConfig, Err: fmt.Errorf("lever: trigger stage %q does not exist", want)}
}

func findStage(stages []Stage, want string) (Stage, bool) {
	for _, s := range stages {
		if s.ID == want || strings.EqualFold(s.Text, want) {
			return s, true
		}
	}
	return Stage{}, false
}

// classify turns a client error into the core's verdict.
var classify = ats.CallRules{GiveUp: []error{ErrFileTooLarge}}.Classify

// WriteBack implements ats.Connector, per the state mapping: tags and notes as
// the order moves, and on completion a score tag, a note, the PDF and links.
func (c *Connector) WriteBack(ctx context.Context, cfg ats.Config, u ats.Update, steps ats.Steps) error {
	cl := c.client(cfg)
	opp := u.Order.ExternalID
	prefix := cfg.Setting(SettingTagPrefix, "Switchboard")
	// Notes and files are recorded as a Lever user: the configured one, else
	// the posting's owner (Lever's own advice), looked up only when needed.
	performAs := cfg.Setting(SettingPerformAs, "")
	resolvePerformAs := func(ctx context.Context) error {
		if performAs != "" || u.Order.ExternalJobID == "" {
			return nil
		}
		p, err := cl.GetPosting(ctx, u.Order.ExternalJobID)
		if err != nil {
			return err
		}
		performAs = p.Owner.ID
		return nil
	}
	// Lever shows an order in progress as invited (see below), so both
	// states share the invitation's steps.
	keyState := u.State
	if keyState == core.StateInProgress {
		keyState = core.StateInvited
	}
	step := func(name string, fn func(ctx context.Context) error) error {
		if err := steps.Do(ctx, "lever:"+string(keyState)+":"+name, fn); err != nil {
			return classify(err)
		}
		return nil
	}
	tag := func(t string) error {
		return step("tag", func(ctx context.Context) error { return cl.AddTags(ctx, opp, []string{prefix + ": " + t}) })
	}
	// untag removes the state tags the state just written replaces, so the
	// opportunity shows only the latest state, whatever earlier orders (an
	// expired one a re-invitation replaces) left. Tags are sets: removing an
	// absent one is a no-op.
	untag := func(states ...core.State) error {
		return step("untag", func(ctx context.Context) error {
			tags := make([]string, len(states))
			for i, st := range states {
				tags[i] = prefix + ": " + string(st)
			}
			return cl.RemoveTags(ctx, opp, tags)
		})
	}
	// Notes and files are append-only in Lever: a process that dies after
	// Lever took one and before the step was recorded would write it again
	// on the retry. So each carries a marker naming the order and step, and
	// the step reads back first and skips the write when the marker is
	// there. Tags and links need no look: adding a tag or link that is
	// already there, or removing one that is not, changes nothing.
	note := func(text string) error {
		return step("note", func(ctx context.Context) error {
			mark := noteMarker(u.Order.ID, keyState)
			if mark != "" {
				notes, err := cl.ListNotes(ctx, opp)
				if err != nil {
					return fmt.Errorf("lever: look for the note before writing it: %w", err)
				}
				if slices.ContainsFunc(notes, func(n Note) bool { return hasMarker(n, mark) }) {
					return nil // Lever took it before a crash: not again
				}
				text += "\n" + mark
			}
			if err := resolvePerformAs(ctx); err != nil {
				return err
			}
			_, err := cl.AddNote(ctx, opp, performAs, text)
			return err
		})
	}
	who := cmp.Or(u.Candidate.Name, u.Candidate.Email)
	switch u.State {
	case core.StateInvited, core.StateInProgress:
		// Lever is told nothing new when the candidate starts, to keep the
		// candidate's feed quiet; but the invitation's tag and note must be
		// there, and an invited write-back overtaken by the start (it is then
		// skipped) leaves them to this one. Steps that landed are not repeated.
		if err := tag("invited"); err != nil {
			return err
		}
		if err := untag(core.StateExpired); err != nil {
			return err
		}
		if u.Order.InvitationExpiresAt.IsZero() {
			// An outside vendor's order: the vendor invites the candidate
			// and keeps its own deadlines.
			return note(fmt.Sprintf("%s: %s was invited to the %q %s.", prefix, who, u.Vacancy.Name, kindWord(u.Vacancy.Kind)))
		}
		return note(fmt.Sprintf("%s: %s was invited to the %q assessment. The invitation is valid until %s.",
			prefix, who, u.Vacancy.Name, u.Order.InvitationExpiresAt.Format("2 Jan 2006 15:04 MST")))
	case core.StateCompleted:
		if u.Result == nil {
			return &ats.CallError{Failure: ats.FailGiveUp, Err: errors.New("lever: write back: completed without a result")}
		}
		if t, ok := scoreTag(*u.Result); ok {
			if err := tag(t); err != nil {
				return err
			}
		}
		if err := untag(core.StateInvited, core.StateExpired); err != nil {
			return err
		}
		if err := note(resultNote(prefix, who, u.Vacancy.Name, *u.Result)); err != nil {
			return err
		}
		rc := cfg.Integration.WriteBack.Reports
		if rc.PDFFile && u.Reports.PDF != nil {
			if err := step("file", func(ctx context.Context) error {
				name := reportFileName(u)
				if u.Order.ID != "" {
					files, err := cl.ListFiles(ctx, opp)
					if err != nil {
						return fmt.Errorf("lever: look for the report before uploading it: %w", err)
					}
					if slices.ContainsFunc(files, func(f File) bool { return f.Name == name }) {
						return nil // uploaded before a crash: not again
					}
				}
				pdf, err := u.Reports.PDF(ctx)
				if err != nil {
					return fmt.Errorf("lever: render report: %w", err)
				}
				if err := resolvePerformAs(ctx); err != nil {
					return err
				}
				_, err = cl.UploadFile(ctx, opp, performAs, name, "application/pdf", pdf)
				return err
			}); err != nil {
				return err
			}
		}
		links := append(reportLinks(rc, u.Reports), resultLinks(*u.Result)...)
		if len(links) == 0 {
			return nil
		}
		return step("links", func(ctx context.Context) error { return cl.AddLinks(ctx, opp, links) })
	case core.StateExpired:
		if err := tag("expired"); err != nil {
			return err
		}
		if err := untag(core.StateInvited); err != nil {
			return err
		}
		return note(fmt.Sprintf("%s: the %q invitation for %s expired before it was completed.", prefix, u.Vacancy.Name, who))
	case core.StateRejected:
		return note(fmt.Sprintf("%s: the %q assessment order for %s was rejected: %s", prefix, u.Vacancy.Name, who, cmp.Or(u.Order.Reason, "no reason given")))
	case core.StateCancelled:
		return note(fmt.Sprintf("%s: the %q assessment for %s was cancelled.", prefix, u.Vacancy.Name, who))
	}
	return nil
}

// scoreTag is the tag a scored result puts on the candidate: "82%", the
// score's place on its scale; false when the result has no score.
func scoreTag(r core.Result) (string, bool) {
	if r.Score == nil {
		return "", false
	}
	return fmt.Sprintf("%d%%", r.Score.Percent()), true
}

// scoreLine is the note's line on the overall result: "Score: 82/100 (Great
// fit)", or the label alone when there is no score; empty when neither.
func scoreLine(r core.Result) string {
	switch {
	case r.Score != nil && r.Label != "":
		return fmt.Sprintf("Score: %s (%s)", outOf(*r.Score), r.Label)
	case r.Score != nil:
		return "Score: " + outOf(*r.Score)
	case r.Label != "":
		return "Result: " + r.Label
	case r.Value != "":
		return "Result: " + string(r.Value)
	}
	return ""
}

func outOf(s core.Score) string { return core.FormatNumber(s.Value) + "/" + core.FormatNumber(s.Max) }

// resultNote is the completed note: who completed what, the overall line,
// one line per component, and the summary.
func resultNote(prefix, who, vacancy string, r core.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s completed the %q assessment.\n", prefix, who, vacancy)
	if line := scoreLine(r); line != "" {
		fmt.Fprintf(&b, "%s\n", line)
	}
	for _, c := range r.Components {
		switch {
		case c.Score != nil:
			fmt.Fprintf(&b, "- %s: %s\n", c.Name, outOf(*c.Score))
		case c.Label != "":
			fmt.Fprintf(&b, "- %s: %s\n", c.Name, c.Label)
		}
	}
	if r.Summary != "" {
		fmt.Fprintf(&b, "%s\n", r.Summary)
	}
	return strings.TrimSpace(b.String())
}

// resultLinks are the result's own links: its URL and link attachments.
// Stored files need an upload, which no vendor can send yet.
func resultLinks(r core.Result) []string {
	var links []string
	if r.ResultURL != "" {
		links = append(links, r.ResultURL)
	}
	for _, a := range r.Attachments {
		if a.URL != "" {
			links = append(links, a.URL)
		}
	}
	return links
}

// reportFileName is the PDF report's name in Lever: candidate and vacancy,
// then the order id in brackets as the marker the upload step looks for
// (one report per order), e.g. "Ann Lee - Barista (ord_1).pdf".
func reportFileName(u ats.Update) string {
	name := strings.TrimSpace(safeName(u.Candidate.Name + " - " + u.Vacancy.Name))
	if id := safeName(u.Order.ID); id != "" {
		name += " (" + id + ")"
	}
	return name + ".pdf"
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
			return r
		}
		return -1
	}, s)
}

// noteMarker is the last line of a note Switchboard writes, naming the
// order and the state the note tells of: "switchboard:ord_1:invited". Each
// state writes at most one note per order, so the pair names the step. It
// is empty for an update without an order id, which cannot be looked for.
func noteMarker(orderID string, state core.State) string {
	if orderID == "" {
		return ""
	}
	return "switchboard:" + orderID + ":" + string(state)
}

// hasMarker reports whether the note's text ends in the marker line.
// Lever may trim what it stores [I], so trailing space does not count.
func hasMarker(n Note, mark string) bool {
	v := strings.TrimRight(n.Value(), " \t\r\n")
	return v == mark || strings.HasSuffix(v, "\n"+mark)
}

func reportLinks(rc core.ReportConfig, r ats.Reports) []string {
	var links []string
	for _, l := range expectedLinks(rc, r) { // one list: what is sent is what a test order checks
		links = append(links, l.url)
	}
	return links
}

// Validate implements ats.Connector.
func (c *Connector) Validate(ctx context.Context, cfg ats.Config) []ats.Check {
	var checks ats.Checklist
	add := checks.Add
	base := cfg.Setting(SettingBaseURL, DefaultBaseURL)
	u, err := url.Parse(base)
	baseOK := add("API base URL is an absolute URL", err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "",
		fmt.Sprintf("%q is not an http(s) URL", base))
	keyOK := add("API key is set", cfg.Secrets[CredentialAPIKey] != "", "enter the Lever API key under Credentials")
	add("candidateStageChange signature token is set", cfg.Secrets[CredentialStageChangeToken] != "",
		"copy the signature token of the candidateStageChange webhook from Lever")
	if applicationCreatedOn(cfg) {
		add("applicationCreated signature token is set", cfg.Secrets[CredentialApplicationCreateToken] != "",
			"copy the signature token of the applicationCreated webhook from Lever, or switch applicationCreated off")
	}
	trigger := cfg.Setting(SettingTriggerStage, "")
	add("trigger stage is set", trigger != "", "choose the Lever stage that orders the assessment")
	if !baseOK || !keyOK {
		return checks
	}
	cl := c.client(cfg)
	stages, err := cl.ListStages(ctx)
	if !add("Lever accepts the API key", err == nil, describeCallError(base, err)) {
		return checks
	}
	if trigger != "" {
		names := make([]string, 0, len(stages))
		for _, s := range stages {
			names = append(names, s.Text)
		}
		_, ok := findStage(stages, trigger)
		add(fmt.Sprintf("trigger stage %q exists in Lever", trigger), ok, "Lever's stages are: "+strings.Join(names, ", "))
	}
	if pa := cfg.Setting(SettingPerformAs, ""); pa != "" {
		users, err := cl.ListUsers(ctx)
		found := err == nil && slices.ContainsFunc(users, func(u User) bool { return u.ID == pa })
		problem := fmt.Sprintf("no Lever user has id %q", pa)
		if err != nil {
			problem = describeCallError(base, err)
		}
		add("perform-as user exists in Lever", found, problem)
	}
	return checks
}

func describeCallError(base string, err error) string {
	var ae *atshttp.StatusError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ae) && (ae.StatusCode == 401 || ae.StatusCode == 403):
		return fmt.Sprintf("Lever refused the API key (%d): check the key and its endpoint permissions", ae.StatusCode)
	case errors.As(err, &ae):
		return fmt.Sprintf("Lever answered %d: %s", ae.StatusCode, ae.Message)
	case errors.Is(err, netguard.ErrBlocked):
		return fmt.Sprintf("%s is not a public address; Switchboard refuses private addresses unless started with --allow-private-network", base)
	}
	var ce *ats.CallError
	if errors.As(err, &ce) {
		return ce.Error() // already says what to fix
	}
	return fmt.Sprintf("cannot reach Lever at %s: %v", base, err)
}

// kindWord names what a package is in a note.
func kindWord(k core.Kind) string {
	if k == core.KindBackgroundCheck {
		return "background check"
	}
	return "assessment"
}
