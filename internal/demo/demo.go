// Package demo is the scenario `switchboard demo` runs: in one process, a
// fresh SQLite database, the Lever simulator and Switchboard, set up through the
// admin API as a vendor's admin would, then a candidate moved to the trigger
// stage in Lever, invited, assessed over HTTP and written back, with every step
// printed and checked. Then the SmartRecruiters flows against its simulator
// (smartrecruiters.go): connect, packages, ad-hoc, auto-triggered and inline.
// Then Ashby, Workable and Greenhouse (ashby.go, workable.go, greenhouse.go),
// each calling Switchboard with the key it issued. Then an outside vendor, the
// example vendor, fulfilling orders from both ATSs through the vendor API
// (vendor.go). Last, applicant review of a SmartRecruiters company
// (review.go): connect, sync, qualifications, the ranking with its reasons,
// a move, and a deletion arriving by webhook.
package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"switchboard/internal/app"
	"switchboard/internal/assess"
	"switchboard/internal/ats/lever"
	"switchboard/internal/atssim/ashbysim"
	"switchboard/internal/atssim/greenhousesim"
	"switchboard/internal/atssim/leversim"
	"switchboard/internal/atssim/srsim"
	"switchboard/internal/atssim/workablesim"
	"switchboard/internal/candidatebot"
	"switchboard/internal/core"
)

// Options configure a demo run.
type Options struct {
	// Listen is where Switchboard serves; "127.0.0.1:0" picks a free port.
	Listen string
	// Once exits after the scenario instead of serving.
	Once   bool
	Out    io.Writer
	Logger *slog.Logger
}

// StepError names the step that failed.
type StepError struct {
	Step string
	Err  error
}

func (e *StepError) Error() string { return fmt.Sprintf("demo step %q failed: %v", e.Step, e.Err) }
func (e *StepError) Unwrap() error { return e.Err }

// Run runs the demo. With Once it returns after the scenario; otherwise it
// serves until ctx ends.
func Run(ctx context.Context, o Options) error {
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	dir, err := os.MkdirTemp("", "switchboard-demo-")
	if err != nil {
		return fmt.Errorf("demo: temp dir: %w", err)
	}
	defer os.RemoveAll(dir)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// The Lever simulator gets its own listener: to Switchboard it is a
	// separate host, reached over real HTTP like the real Lever.
	sim := leversim.New()
	simLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: listen for the Lever simulator: %w", err)
	}
	simSrv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go simSrv.Serve(simLn)
	defer simSrv.Close()
	simURL := "http://" + simLn.Addr().String() + "/v1"

	// The SmartRecruiters simulator likewise.
	// Switchboard's review webhooks are plain http on the demo's machine;
	// SmartRecruiters itself requires https.
	srSim := srsim.New(srsim.WithHTTPCallbacks())
	srLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: listen for the SmartRecruiters simulator: %w", err)
	}
	srSrv := &http.Server{Handler: srSim.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srSrv.Serve(srLn)
	defer srSrv.Close()
	srSim.SetBaseURL("http://" + srLn.Addr().String())

	// And the Ashby simulator.
	ashbySim := ashbysim.New()
	ashbyLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: listen for the Ashby simulator: %w", err)
	}
	ashbySrv := &http.Server{Handler: ashbySim.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go ashbySrv.Serve(ashbyLn)
	defer ashbySrv.Close()
	// The Workable simulator likewise.
	wkSim := workablesim.New()
	wkLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: listen for the Workable simulator: %w", err)
	}
	wkSrv := &http.Server{Handler: wkSim.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go wkSrv.Serve(wkLn)
	defer wkSrv.Close()
	wkSim.SetBaseURL("http://" + wkLn.Addr().String())
	// And the Greenhouse simulator, which serves the ping urls it hands out
	// in send_test.
	ghSim := greenhousesim.New()
	ghLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: listen for the Greenhouse simulator: %w", err)
	}
	ghSrv := &http.Server{Handler: ghSim.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go ghSrv.Serve(ghLn)
	defer ghSrv.Close()
	defer ghSim.Wait()
	ghSim.SetBaseURL("http://" + ghLn.Addr().String())

	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return fmt.Errorf("demo: listen on %s: %w", o.Listen, err)
	}
	baseURL := "http://" + ln.Addr().String()
	if host, port, _ := net.SplitHostPort(o.Listen); host == "localhost" {
		baseURL = "http://localhost:" + port
	}
	a, err := app.Open(ctx, app.Config{
		DataDir: dir, BaseURL: baseURL, AllowPrivateNetwork: true, Work: true,
		Logger: o.Logger, PollInterval: 50 * time.Millisecond,
		// The simulators' hosts, which integrations are pointed at.
		AllowATSHosts: []string{simLn.Addr().String(), srLn.Addr().String(), ashbyLn.Addr().String(), wkLn.Addr().String(), ghLn.Addr().String()},
	})
	if err != nil {
		ln.Close()
		return fmt.Errorf("demo: %w", err)
	}
	defer a.Close(context.WithoutCancel(ctx))
	if err := a.Start(ctx); err != nil {
		ln.Close()
		return err
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- a.Serve(ctx, ln) }()

	r := &runner{out: o.Out, log: o.Logger, base: baseURL, sim: sim, simURL: simURL, srSim: srSim, wkSim: wkSim, app: a, http: &http.Client{Timeout: 30 * time.Second}}
	fmt.Fprintf(o.Out, "Switchboard demo — SQLite in %s\n", dir)
	fmt.Fprintf(o.Out, "  Switchboard:     %s\n  Lever simulator: %s\n  SmartRecruiters simulator: %s\n\n", baseURL, simURL, srSim.BaseURL())
	if err := r.scenario(ctx); err != nil {
		fmt.Fprintf(o.Out, "\n✗ %v\n", err)
		return err
	}
	fmt.Fprintf(o.Out, "\nSmartRecruiters: it calls Switchboard, and Switchboard writes back\n")
	if err := r.srScenario(ctx); err != nil {
		fmt.Fprintf(o.Out, "\n✗ %v\n", err)
		return err
	}
	fmt.Fprintf(o.Out, "\nAshby: it calls Switchboard with the key Switchboard issued, and Switchboard pushes results\n")
	if err := r.ashbyScenario(ctx, ashbySim, "http://"+ashbyLn.Addr().String()); err != nil {
		fmt.Fprintf(o.Out, "\n✗ %v\n", err)
		return err
	}
	fmt.Fprintf(o.Out, "\nWorkable: it lists the tests and sends one, and Switchboard reports to its callback\n")
	if err := r.wkScenario(ctx); err != nil {
		fmt.Fprintf(o.Out, "\n✗ %v\n", err)
		return err
	}
	fmt.Fprintf(o.Out, "\nGreenhouse: it lists the tests, sends one and asks for its status; Switchboard pings it when the result is ready\n")
	if err := r.ghScenario(ctx, ghSim); err != nil {
		fmt.Fprintf(o.Out, "\n✗ %v\n", err)
		return err
	}
	defer func() {
		for _, v := range r.vendors {
			v.close()
		}
	}()
	fmt.Fprintf(o.Out, "\nAn outside vendor: the example vendor (examples/examplevendor) over the vendor API\n")
	if err := r.vendorScenario(ctx); err != nil {
		fmt.Fprintf(o.Out, "\n✗ %v\n", err)
		return err
	}
	fmt.Fprintf(o.Out, "\nApplicant review (SmartRecruiters): sync a company's open jobs and applicants, rank them by qualifications, move one on\n")
	if err := r.reviewScenario(ctx); err != nil {
		fmt.Fprintf(o.Out, "\n✗ %v\n", err)
		return err
	}
	// The demo user signs in to the web UI with a known password. It is set
	// up quietly rather than as a scenario step: the scenario is the Lever flow.
	if err := setDemoPassword(ctx, a); err != nil {
		fmt.Fprintf(o.Out, "\n✗ %v\n", err)
		return err
	}
	fmt.Fprintf(o.Out, "\n✓ every step checked out\n")
	if o.Once {
		return nil
	}
	fmt.Fprintf(o.Out, "\nSwitchboard keeps running (Ctrl-C to stop). Sign in to the admin UI:\n")
	fmt.Fprintf(o.Out, "  %s/signin\n  email:    %s\n  password: %s\n", baseURL, demoUserEmail, DemoPassword)
	fmt.Fprintf(o.Out, "  the order: %s/orders/%s\n\nAlso:\n", baseURL, r.orderID)
	fmt.Fprintf(o.Out, "  the invitation email (signed in): %s/dev/outbox\n", baseURL)
	fmt.Fprintf(o.Out, "  the read-only report:             %s\n", r.reportURL)
	fmt.Fprintf(o.Out, "  the order and its timeline (API): %s/api/v1/orders/%s\n", baseURL, r.orderID)
	fmt.Fprintf(o.Out, "  the vendor API reference:         %s/api/vendor/docs\n", baseURL)
	fmt.Fprintf(o.Out, "  an order Acme fulfilled (Lever):  %s/orders/%s\n", baseURL, r.vendorOrderID)
	fmt.Fprintf(o.Out, "  (admin API key: %s — send it as Authorization: Bearer …)\n", r.apiKey)
	select {
	case <-ctx.Done():
		return <-serveErr
	case err := <-serveErr:
		return err
	}
}

type runner struct {
	out     io.Writer
	log     *slog.Logger
	base    string
	sim     *leversim.Server
	simURL  string
	srSim   *srsim.Server
	wkSim   *workablesim.Server
	srToken string
	srOrder string
	sr      *srDemo
	// leverOwner is the Lever user who owns the demo's postings.
	leverOwner string
	// vendorOrderID is the Lever order the example vendor fulfilled.
	vendorOrderID string
	// vendors are the example vendor programs the demo runs; closed at its end.
	vendors   []*demoVendor
	app       *app.App
	http      *http.Client
	apiKey    string
	admin     core.User
	orderID   string
	reportURL string
}

func (r *runner) step(name string, fn func() (string, error)) error {
	detail, err := fn()
	if err != nil {
		return &StepError{Step: name, Err: err}
	}
	fmt.Fprintf(r.out, "✓ %s\n", name)
	if detail != "" {
		for _, line := range strings.Split(strings.TrimRight(detail, "\n"), "\n") {
			fmt.Fprintf(r.out, "    %s\n", line)
		}
	}
	return nil
}

// api calls the admin API as the demo's super admin.
func (r *runner) api(ctx context.Context, method, path string, in, out any) (int, error) {
	return r.call(ctx, method, r.base+"/api/v1"+path, "Bearer "+r.apiKey, in, out)
}

// call sends in as JSON with the Authorization header auth and decodes the
// answer into out.
func (r *runner) call(ctx context.Context, method, url, auth string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, nil
}

// waitFor polls cond until it holds: the demo watches another system (the
// simulator) catch up, as a person refreshing a page would.
func waitFor(ctx context.Context, what string, cond func() (bool, error)) error {
	return waitForUpTo(ctx, what, 30*time.Second, cond)
}

// waitForUpTo is waitFor with its own limit.
func waitForUpTo(ctx context.Context, what string, limit time.Duration, cond func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}

// DemoPassword is the demo super admin's web UI password. The demo runs on a
// throwaway database on the operator's own machine, so a fixed, printed
// password is the point rather than a risk.
const DemoPassword = "switchboard-demo"

const demoUserEmail = "admin@acme.example"

const (
	apiKeyLever   = "demo-lever-api-key"
	stageToken    = "demo-stage-change-signature-token"
	vacancyTag    = "Switchboard: Customer Support"
	candidateName = "Ada Lovelace"
	candidateMail = "ada@example.com"
)

func (r *runner) scenario(ctx context.Context) error {
	var integrationID, webhookURL, postingID, oppID, invitation string
	var vacancy struct {
		Package assess.Package `json:"package"`
	}
	steps := []struct {
		name string
		fn   func() (string, error)
	}{
		{"create an account and its super admin", func() (string, error) {
			acc, u, key, err := r.app.Identity.CreateAccount(ctx, "Acme Corp", demoUserEmail, "Avery Admin")
			r.apiKey, r.admin = key, u
			return fmt.Sprintf("account %s, super admin %s", acc.Name, u.Email), err
		}},
		{"add a Lever integration (admin API)", func() (string, error) {
			var out struct {
				ID         string `json:"id"`
				WebhookURL string `json:"webhook_url"`
			}
			code, err := r.api(ctx, "POST", "/integrations", map[string]string{"provider": "lever"}, &out)
			if err == nil && code != http.StatusCreated {
				err = fmt.Errorf("status %d", code)
			}
			integrationID, webhookURL = out.ID, out.WebhookURL
			return "webhook URL to paste into Lever: " + webhookURL, err
		}},
		{"enabling without credentials is refused", func() (string, error) {
			var out struct {
				Error string `json:"error"`
			}
			code, err := r.api(ctx, "POST", "/integrations/"+integrationID+"/enable", nil, &out)
			if err == nil && code != http.StatusUnprocessableEntity {
				err = fmt.Errorf("expected 422, got %d", code)
			}
			return out.Error, err
		}},
		{"in Lever: an API key, a user, a posting with the vacancy tag, a signed candidateStageChange webhook", func() (string, error) {
			r.sim.AddAPIKey(apiKeyLever)
			owner := r.sim.AddUser("Riley Recruiter", "riley@acme.example")
			r.leverOwner = owner.ID
			p := r.sim.AddPosting("Customer Support Specialist", []string{vacancyTag}, owner.ID)
			postingID = p.ID
			r.sim.RegisterWebhook(lever.EventCandidateStageChange, webhookURL, stageToken)
			return fmt.Sprintf("posting %q tagged %q", p.Text, vacancyTag), nil
		}},
		{"enter credentials and the trigger stage, then enable", func() (string, error) {
			// Settings first: pointing the base URL at another host clears credentials.
			settings := map[string]any{"settings": map[string]string{lever.SettingBaseURL: r.simURL, lever.SettingTriggerStage: "Phone Screen"}}
			if code, err := r.api(ctx, "PATCH", "/integrations/"+integrationID, settings, nil); err != nil || code != 200 {
				return "", fmt.Errorf("settings: %d %v", code, err)
			}
			for name, value := range map[string]string{lever.CredentialAPIKey: apiKeyLever, lever.CredentialStageChangeToken: stageToken} {
				if code, err := r.api(ctx, "PUT", "/integrations/"+integrationID+"/credentials/"+name, map[string]string{"value": value}, nil); err != nil || code != 200 {
					return "", fmt.Errorf("set %s: %d %v", name, code, err)
				}
			}
			var out struct {
				Status string `json:"status"`
				Error  string `json:"error"`
			}
			code, err := r.api(ctx, "POST", "/integrations/"+integrationID+"/enable", nil, &out)
			if err == nil && (code != 200 || out.Status != "enabled") {
				err = fmt.Errorf("%d %s", code, out.Error)
			}
			return "validated against Lever and enabled; trigger stage Phone Screen", err
		}},
		{"create a vacancy routed by the tag", func() (string, error) {
			var out struct {
				Package assess.Package `json:"package"`
			}
			code, err := r.api(ctx, "POST", "/vacancies", map[string]any{"name": "Customer Support Specialist", "tag": vacancyTag}, &out)
			if err == nil && code != http.StatusCreated {
				err = fmt.Errorf("status %d", code)
			}
			vacancy.Package = out.Package
			return fmt.Sprintf("%d modules, %d questions, invitations valid 7 days", len(out.Package.Modules), len(out.Package.Questions())), err
		}},
		{"in Lever: a candidate applies and is moved to Phone Screen", func() (string, error) {
			opp, _, err := r.sim.CreateOpportunity(ctx, candidateName, candidateMail, postingID)
			if err != nil {
				return "", err
			}
			oppID = opp.ID
			stage, err := stageID(r.sim, "Phone Screen")
			if err != nil {
				return "", err
			}
			ds, err := r.sim.MoveStage(ctx, oppID, stage)
			if err != nil {
				return "", err
			}
			if len(ds) != 1 || ds[0].StatusCode != 200 {
				return "", fmt.Errorf("webhook delivery: %+v", ds)
			}
			return fmt.Sprintf("candidateStageChange delivered to Switchboard → %d", ds[0].StatusCode), nil
		}},
		{"the candidate is emailed an invitation", func() (string, error) {
			var to, subject string
			err := waitFor(ctx, "the invitation email", func() (bool, error) {
				mails, err := r.app.Service.Outbox(ctx, r.admin, 10)
				if err != nil || len(mails) == 0 {
					return false, err
				}
				m := mails[0]
				to, subject, r.orderID = m.To, m.Subject, m.OrderID
				invitation = regexp.MustCompile(`https?://\S+/a/\S+`).FindString(m.Text)
				return invitation != "", nil
			})
			return fmt.Sprintf("to %s: %q\nlink: %s (see %s/dev/outbox)", to, subject, invitation, r.base), err
		}},
		{"Lever shows the invited tag and a note", func() (string, error) {
			err := waitFor(ctx, "the invited tag and note", func() (bool, error) {
				opp, _ := r.sim.Opportunity(oppID)
				return slices.Contains(opp.Tags, "Switchboard: invited") && len(r.sim.Notes(oppID)) >= 1, nil
			})
			if err != nil {
				return "", err
			}
			return "tags: " + strings.Join(mustOpp(r.sim, oppID).Tags, ", ") + "\nnote: " + r.sim.Notes(oppID)[0].Value(), nil
		}},
		{"the candidate takes the assessment in the browser's place (HTTP)", func() (string, error) {
			res, err := candidatebot.Take(ctx, r.http, invitation, strongAnswers(vacancy.Package))
			if err == nil && !strings.Contains(res.EndPage, "Thank you") {
				err = errors.New("no end page after submitting")
			}
			return fmt.Sprintf("opened the link, started, answered %d questions, submitted, saw the end page", res.Answered), err
		}},
		{"Lever shows the score tag, a result note, the PDF and a link", func() (string, error) {
			var opp lever.Opportunity
			err := waitFor(ctx, "the completed write-back", func() (bool, error) {
				opp, _ = r.sim.Opportunity(oppID)
				return len(opp.Links) > 0 && len(r.sim.Files(oppID)) > 0, nil
			})
			if err != nil {
				return "", err
			}
			notes := r.sim.Notes(oppID)
			files := r.sim.Files(oppID)
			r.reportURL = opp.Links[0]
			return fmt.Sprintf("tags: %s\nnote: %s\nfile: %s (%d bytes)\nlink: %s",
				strings.Join(opp.Tags, ", "), strings.ReplaceAll(notes[len(notes)-1].Value(), "\n", "\n      "),
				files[0].Name, len(files[0].Data), r.reportURL), nil
		}},
		{"the report link written to Lever resolves", func() (string, error) {
			resp, err := r.http.Get(r.reportURL)
			if err != nil {
				return "", err
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				return "", fmt.Errorf("GET %s: %d", r.reportURL, resp.StatusCode)
			}
			return fmt.Sprintf("GET → %d %s", resp.StatusCode, resp.Header.Get("Content-Type")), nil
		}},
		{"the order's timeline (admin API)", func() (string, error) {
			var out struct {
				Order struct {
					State string `json:"state"`
				} `json:"order"`
				Timeline []struct {
					Message string `json:"message"`
				} `json:"timeline"`
			}
			if _, err := r.api(ctx, "GET", "/orders/"+r.orderID, nil, &out); err != nil {
				return "", err
			}
			if out.Order.State != "completed" {
				return "", fmt.Errorf("order is %s, want completed", out.Order.State)
			}
			var b strings.Builder
			for _, e := range out.Timeline {
				fmt.Fprintf(&b, "%s\n", e.Message)
			}
			return b.String(), nil
		}},
	}
	for _, s := range steps {
		if err := r.step(s.name, s.fn); err != nil {
			return err
		}
	}
	return nil
}

func mustOpp(sim *leversim.Server, id string) lever.Opportunity {
	o, _ := sim.Opportunity(id)
	return o
}

func stageID(sim *leversim.Server, text string) (string, error) {
	for _, s := range sim.Stages() {
		if strings.EqualFold(s.Text, text) {
			return s.ID, nil
		}
	}
	return "", errors.New("no stage " + text)
}

// strongAnswers picks a candidate's answers: the best option mostly, the
// second best every third question, so the result is realistic.
func strongAnswers(pkg assess.Package) candidatebot.Pick {
	n := 0
	return func(qid string, optionIDs []string) string {
		n++
		q, _, ok := pkg.Question(qid)
		if !ok {
			return optionIDs[0]
		}
		opts := slices.Clone(q.Options)
		slices.SortStableFunc(opts, func(a, b assess.Option) int { return b.Points - a.Points })
		if n%3 == 0 && len(opts) > 1 {
			return opts[1].ID
		}
		return opts[0].ID
	}
}

// setDemoPassword gives the demo's super admin DemoPassword for the web UI.
func setDemoPassword(ctx context.Context, a *app.App) error {
	u, err := a.Store.GetUserByEmail(ctx, demoUserEmail)
	if err == nil {
		err = a.Identity.SetPassword(ctx, nil, u.ID, DemoPassword)
	}
	if err != nil {
		return &StepError{Step: "give the demo user a web UI password", Err: err}
	}
	return nil
}
