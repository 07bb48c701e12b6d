package demo

// The outside-vendor part of the demo. The example vendor
// (examples/examplevendor), a program written only against Switchboard's
// vendor HTTP contract, runs in-process on loopback listeners as two
// vendors: "Acme Assessments" and "Acme Checks". The operator creates them,
// their developer sets the webhook endpoint and pushes the packages through
// the vendor API, the account's super admin links them; then a
// Lever-triggered order, a SmartRecruiters ad-hoc and an inline order, and a
// SmartRecruiters background check are each fulfilled by the vendor, with
// what the ATS shows printed.

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"switchboard/examples/examplevendor"
	"switchboard/internal/ats/lever"
	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/srsim"
	"switchboard/internal/core"
	"switchboard/internal/vendorapi/wire"
)

// demoVendor is one vendor the demo runs: its Switchboard record, the key
// and secret it was shown once, and the example vendor program serving it.
type demoVendor struct {
	name   string
	kind   core.Kind
	path   string // the vendor API's word for its kind: assessments, background_checks
	vendor core.Vendor
	key    string
	secret string
	url    string // where the program serves
	prog   *examplevendor.Vendor
	srv    *http.Server
}

func (v *demoVendor) close() {
	if v.prog != nil {
		v.prog.Close()
	}
	if v.srv != nil {
		_ = v.srv.Close() // the demo is ending; a close error changes nothing
	}
}

// auth is the vendor API's Basic authorization with the vendor's key.
func (v *demoVendor) auth() string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(v.key+":"))
}

// packages are the vendor's share of the example vendor's catalogue: the
// packages of its kind.
func (v *demoVendor) packages() []examplevendor.Package {
	var out []examplevendor.Package
	for _, p := range examplevendor.Catalogue() {
		if p.Type == string(v.kind) {
			out = append(out, p)
		}
	}
	return out
}

// await waits until the vendor has an order match accepts, and fails at
// once when the vendor refused one or could not post its update.
func (v *demoVendor) await(ctx context.Context, what string, match func(examplevendor.Order) bool) (examplevendor.Order, error) {
	var got examplevendor.Order
	err := waitFor(ctx, what, func() (bool, error) {
		for _, o := range v.prog.Received() {
			if !match(o) {
				continue
			}
			switch {
			case o.State == examplevendor.StateRefused:
				return false, fmt.Errorf("%s refused order %s: %s", v.name, o.ID, o.Refusal)
			case o.Err != "":
				return false, fmt.Errorf("%s could not update order %s: %s", v.name, o.ID, o.Err)
			case o.State == examplevendor.StateInProgress:
				got = o
				return true, nil
			}
		}
		return false, nil
	})
	return got, err
}

// complete is the candidate finishing the vendor's test: the vendor posts
// its result, and complete returns it as Switchboard accepted it.
func (v *demoVendor) complete(ctx context.Context, o examplevendor.Order) (examplevendor.ResultBody, error) {
	if err := v.prog.Complete(ctx, o.ID); err != nil {
		return examplevendor.ResultBody{}, err
	}
	for _, got := range v.prog.Received() {
		if got.ID == o.ID && len(got.Posted) > 0 {
			return got.Posted[len(got.Posted)-1], nil
		}
	}
	return examplevendor.ResultBody{}, fmt.Errorf("%s posted no result for order %s", v.name, o.ID)
}

// received describes an order as the vendor received it.
func received(v *demoVendor, o examplevendor.Order) string {
	return fmt.Sprintf("%s got a signed %s.created delivery (webhook-id %s), signature verified\n"+
		"%s %s order for %s <%s>: package %s %q, job %s\nresults_update_url %s\nanswered with its test_url and posted in_progress",
		v.name, o.Kind, o.DeliveryID, o.Mode, o.Provider, o.Name(), o.Email(), o.Package.ID, o.Package.Name, cmp.Or(o.Job.Title, o.Job.ID), o.ResultsUpdateURL)
}

// posted describes a result the vendor posted.
func posted(b examplevendor.ResultBody) string {
	var parts []string
	if b.Score != nil {
		parts = append(parts, fmt.Sprintf("score %s (%s..%s, label %q)", b.Score.Value, b.Score.Min, b.Score.Max, b.Score.Label))
	}
	if b.Result != nil {
		parts = append(parts, "result "+b.Result.Value)
	}
	if b.ResultURL != "" {
		parts = append(parts, "report "+b.ResultURL)
	}
	for _, a := range b.Attachments {
		parts = append(parts, "attachment "+a.URL)
	}
	return "posted " + strings.Join(parts, ", ")
}

const (
	acmeTag     = "Acme: Cognitive ability"
	graceName   = "Grace Hopper"
	graceMail   = "grace@example.com"
	acmeCog     = "cog-20"
	acmeSJT     = "sjt-1"
	acmeBG      = "bg-basic"
	acmeVendors = "Acme Assessments and Acme Checks"
)

// startVendor serves the example vendor program for v on a loopback port,
// with the key and secret Switchboard showed.
func (r *runner) startVendor(v *demoVendor, ln net.Listener) error {
	prog, err := examplevendor.New(examplevendor.Config{
		Secrets: []string{v.secret}, Key: v.key, BaseURL: r.base + "/api/vendor", PublicURL: v.url, AllowHTTP: true,
		// Results wait for the demo's "the candidate finishes" step.
		Manual: true,
		Logger: r.log.With("component", "examplevendor", "vendor", v.name),
	})
	if err != nil {
		return err
	}
	v.prog = prog
	v.srv = &http.Server{Handler: prog.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go v.srv.Serve(ln) // ends with ErrServerClosed when the demo closes it
	return nil
}

func (r *runner) vendorScenario(ctx context.Context) error {
	assessments := &demoVendor{name: "Acme Assessments", kind: core.KindAssessment, path: "assessments"}
	checks := &demoVendor{name: "Acme Checks", kind: core.KindBackgroundCheck, path: "background_checks"}
	vs := []*demoVendor{assessments, checks}
	r.vendors = append(r.vendors, vs...)
	d := r.sr
	vac := map[string]string{} // vendor package id → vacancy id in the demo's account
	var grace lever.Opportunity
	var order examplevendor.Order
	var dara sr.Candidate
	var srOrder, srInline, srCheck string // SmartRecruiters' order ids
	steps := []struct {
		name string
		fn   func() (string, error)
	}{
		{"the operator creates the vendors " + acmeVendors + " (switchboard vendors create)", func() (string, error) {
			var b strings.Builder
			for _, v := range vs {
				created, key, err := r.app.Vendors.Create(ctx, v.name, v.kind)
				if err != nil {
					return "", err
				}
				v.vendor, v.key = created, key
				fmt.Fprintf(&b, "vendor %s: %s (%s); API key %.12s… (shown once)\n", created.ID, created.Name, created.Kind, key)
			}
			return b.String(), nil
		}},
		{"each vendor's developer reads the reference, sets its webhook endpoint (PUT /api/vendor/webhook) and starts the example vendor with the key and signing secret", func() (string, error) {
			docs := r.base + "/api/vendor/docs"
			page, err := r.get(ctx, docs)
			if err == nil && !strings.Contains(page, "openapi.json") {
				err = fmt.Errorf("%s does not link the OpenAPI document", docs)
			}
			if err != nil {
				return "", err
			}
			var b strings.Builder
			fmt.Fprintf(&b, "the vendor API reference: %s (OpenAPI 3.1: %s/api/vendor/openapi.json)\n", docs, r.base)
			for _, v := range vs {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					return "", fmt.Errorf("listen for %s: %w", v.name, err)
				}
				v.url = "http://" + ln.Addr().String()
				var hook wire.Webhook
				code, err := r.call(ctx, "PUT", r.base+"/api/vendor/webhook", v.auth(), map[string]string{"url": v.url + "/webhooks"}, &hook)
				if err == nil && (code != http.StatusOK || hook.Secret == "") {
					err = fmt.Errorf("status %d, secret %t", code, hook.Secret != "")
				}
				if err == nil {
					v.secret = hook.Secret
					err = r.startVendor(v, ln)
				}
				if err != nil {
					ln.Close()
					return "", fmt.Errorf("%s: %w", v.name, err)
				}
				fmt.Fprintf(&b, "%s: webhook %s, signing secret %.12s… (shown once)\n", v.name, hook.URL, hook.Secret)
			}
			return b.String(), nil
		}},
		{"each vendor pushes its packages (PUT /api/vendor/unified/ats/{kind}/packages)", func() (string, error) {
			var b strings.Builder
			for _, v := range vs {
				var body wire.PackageReplace
				for _, p := range v.packages() {
					body.Packages = append(body.Packages, wire.Package{ID: p.ID, Name: p.Name, Description: p.Description})
				}
				var out wire.PackageList
				code, err := r.call(ctx, "PUT", r.base+"/api/vendor/unified/ats/"+v.path+"/packages", v.auth(), body, &out)
				if err == nil && (code != http.StatusOK || len(out.Data) != len(body.Packages)) {
					err = fmt.Errorf("status %d, %d packages", code, len(out.Data))
				}
				if err != nil {
					return "", fmt.Errorf("%s: %w", v.name, err)
				}
				for _, p := range out.Data {
					fmt.Fprintf(&b, "%s: %s %q (%s)\n", v.name, p.ID, p.Name, p.Type)
				}
			}
			return b.String(), nil
		}},
		{"the super admin links both vendors to Acme Corp (admin API): their packages become vacancies", func() (string, error) {
			for _, v := range vs {
				var out struct {
					Linked bool `json:"linked"`
				}
				code, err := r.api(ctx, "POST", "/vendors/"+v.vendor.ID+"/link", nil, &out)
				if err == nil && (code != http.StatusOK || !out.Linked) {
					err = fmt.Errorf("status %d, linked %t", code, out.Linked)
				}
				if err != nil {
					return "", fmt.Errorf("link %s: %w", v.name, err)
				}
			}
			all, err := r.app.Store.ListVacancies(ctx, r.admin.AccountID)
			if err != nil {
				return "", err
			}
			var b strings.Builder
			for _, v := range vs {
				for _, p := range v.packages() {
					i := slices.IndexFunc(all, func(x core.Vacancy) bool { return x.VendorID == v.vendor.ID && x.VendorPackageID == p.ID })
					if i < 0 {
						return "", fmt.Errorf("no vacancy for %s's package %s", v.name, p.ID)
					}
					vac[p.ID] = all[i].ID
					fmt.Fprintf(&b, "%s (%s, %s) → vacancy %s\n", p.Name, v.name, all[i].Kind, all[i].ID)
				}
			}
			return b.String(), nil
		}},
		{"Lever: Acme's Cognitive ability vacancy gets a tag (admin API), and a Lever posting carries it", func() (string, error) {
			if code, err := r.api(ctx, "PATCH", "/vacancies/"+vac[acmeCog], map[string]string{"tag": acmeTag}, nil); err != nil || code != http.StatusOK {
				return "", fmt.Errorf("tag the vacancy: %d %v", code, err)
			}
			p := r.sim.AddPosting("Data Analyst", []string{acmeTag}, r.leverOwner)
			opp, _, err := r.sim.CreateOpportunity(ctx, graceName, graceMail, p.ID)
			if err != nil {
				return "", err
			}
			grace = opp
			return fmt.Sprintf("posting %q tagged %q; %s applies", p.Text, acmeTag, graceName), nil
		}},
		{"in Lever: Grace is moved to Phone Screen, and Acme Assessments receives the order", func() (string, error) {
			stage, err := stageID(r.sim, "Phone Screen")
			if err != nil {
				return "", err
			}
			ds, err := r.sim.MoveStage(ctx, grace.ID, stage)
			if err != nil {
				return "", err
			}
			if len(ds) != 1 || ds[0].StatusCode != 200 {
				return "", fmt.Errorf("webhook delivery: %+v", ds)
			}
			order, err = assessments.await(ctx, "Acme Assessments to start Grace's order", func(o examplevendor.Order) bool { return o.Email() == graceMail })
			if err != nil {
				return "", err
			}
			if order.Mode != "triggered" || order.Provider != "lever" || order.Package.ID != acmeCog {
				return "", fmt.Errorf("the vendor received a %s %s order of %s", order.Mode, order.Provider, order.Package.ID)
			}
			r.vendorOrderID = order.ID
			return received(assessments, order), nil
		}},
		{"Grace finishes Acme's test: Acme posts the result, and Lever shows the score tag, a result note and the links", func() (string, error) {
			res, err := assessments.complete(ctx, order)
			if err != nil {
				return "", err
			}
			var opp lever.Opportunity
			err = waitFor(ctx, "Lever to show Acme's result", func() (bool, error) {
				opp, _ = r.sim.Opportunity(grace.ID)
				notes := r.sim.Notes(grace.ID)
				return len(opp.Links) > 0 && len(notes) > 0 && strings.Contains(notes[len(notes)-1].Value(), "completed"), nil
			})
			if err != nil {
				return "", err
			}
			notes := r.sim.Notes(grace.ID)
			want := fmt.Sprintf("%d%%", examplevendor.ScoreFor(graceMail))
			if !slices.Contains(opp.Tags, "Switchboard: "+want) {
				return "", fmt.Errorf("Lever shows tags %v, want the score tag %q", opp.Tags, want)
			}
			if !slices.Contains(opp.Links, res.ResultURL) {
				return "", fmt.Errorf("Lever shows links %v, want Acme's report %s", opp.Links, res.ResultURL)
			}
			return fmt.Sprintf("%s\ntags: %s\nnote: %s\nlinks: %s", posted(res), strings.Join(opp.Tags, ", "),
				strings.ReplaceAll(notes[len(notes)-1].Value(), "\n", "\n      "), strings.Join(opp.Links, "\n       ")), nil
		}},
		{"SmartRecruiters: Acme's Situational judgement made inline, Acme's score labels mapped onto the fit field (admin API)", func() (string, error) {
			if code, err := r.api(ctx, "PATCH", "/vacancies/"+vac[acmeSJT], map[string]bool{"inline": true}, nil); err != nil || code != http.StatusOK {
				return "", fmt.Errorf("make the vacancy inline: %d %v", code, err)
			}
			// Acme labels a score with its package's name, a background check
			// with its verdict; with the fit field on, every label a result
			// can carry needs a value there.
			wb := d.writeBack
			wb.LabelValues = maps.Clone(wb.LabelValues)
			for _, p := range assessments.packages() {
				wb.LabelValues[p.Name] = "fit-good"
			}
			wb.LabelValues["Clear"], wb.LabelValues["Consider"] = "fit-great", "fit-poor"
			if code, err := r.api(ctx, "PATCH", "/integrations/"+d.integrationID, map[string]any{"write_back": wb}, nil); err != nil || code != http.StatusOK {
				return "", fmt.Errorf("map the labels: %d %v", code, err)
			}
			d.writeBack = wb
			return "labels Cognitive ability and Situational judgement → Good fit; a check's Clear → Great fit, Consider → Poor fit", nil
		}},
		{"SmartRecruiters lists the vendors' packages next to the built-in ones", func() (string, error) {
			ps, err := d.sim.ListPackages(ctx, d.company.ID)
			if err != nil {
				return "", err
			}
			want := map[string]sr.AssessmentType{vac[acmeCog]: sr.TypeSkillTest, vac[acmeSJT]: sr.TypeInlineAssessment, vac[acmeBG]: sr.TypeBackgroundCheck}
			var b strings.Builder
			for _, p := range ps {
				if t, ok := want[string(p.ID)]; ok {
					if p.Type != t {
						return "", fmt.Errorf("SmartRecruiters lists %s as %s, want %s", p.Name, p.Type, t)
					}
					delete(want, string(p.ID))
				}
				fmt.Fprintf(&b, "%s: %s\n", p.Type, p.Name)
			}
			if len(want) > 0 {
				return "", fmt.Errorf("SmartRecruiters does not list %d of the vendors' packages:\n%s", len(want), b.String())
			}
			return b.String(), nil
		}},
		{"ad-hoc: a recruiter orders Acme's Cognitive ability from Dara's profile", func() (string, error) {
			var err error
			if dara, err = d.sim.AddCandidate(d.company.ID, "Dara", "Cruz", "dara@example.com"); err != nil {
				return "", err
			}
			if err := d.sim.Apply(d.company.ID, string(dara.ID), string(d.job.ID)); err != nil {
				return "", err
			}
			pls, err := d.sim.OrderAdHoc(ctx, d.company.ID, string(dara.ID), string(d.job.ID), vac[acmeCog])
			if err = placed(pls, err); err != nil {
				return "", err
			}
			srOrder = pls[0].OrderID
			order, err = assessments.await(ctx, "Acme Assessments to start Dara's order", func(o examplevendor.Order) bool {
				return o.Email() == dara.Email && o.Kind == examplevendor.KindAssessment
			})
			if err != nil {
				return "", err
			}
			if order.Mode != "ad_hoc" || order.Provider != "smartrecruiters" {
				return "", fmt.Errorf("the vendor received a %s %s order", order.Mode, order.Provider)
			}
			// The vendor's progress may be recorded before its acceptance:
			// SmartRecruiters may see IN_PROGRESS without PENDING.
			o, err := d.waitStatus(ctx, srOrder, sr.StatusInProgress)
			return received(assessments, order) + "\nprofile: " + d.profile(o), err
		}},
		{"Dara finishes Acme's test: SmartRecruiters' profile shows Acme's result", func() (string, error) {
			res, err := assessments.complete(ctx, order)
			if err != nil {
				return "", err
			}
			o, err := d.waitStatus(ctx, srOrder, sr.StatusCompleted)
			if err != nil {
				return "", err
			}
			if err := checkScore(o, examplevendor.ScoreFor(dara.Email), "Cognitive ability"); err != nil {
				return "", err
			}
			// The vendor's PDF reaches SmartRecruiters as a link to the copy
			// Switchboard fetched and stored; its report page as a link.
			i := slices.IndexFunc(o.Result.Attachments, func(a sr.Attachment) bool { return a.Type == sr.AttachmentPDFURL })
			if i < 0 || !strings.HasPrefix(o.Result.Attachments[i].URL, r.base+"/files/") ||
				!slices.ContainsFunc(o.Result.Attachments, func(a sr.Attachment) bool { return a.URL == res.ResultURL }) {
				return "", fmt.Errorf("SmartRecruiters has attachments %+v, want Switchboard's copy of the PDF and Acme's report %s", o.Result.Attachments, res.ResultURL)
			}
			pdf, err := r.get(ctx, o.Result.Attachments[i].URL)
			if err == nil && !strings.HasPrefix(pdf, "%PDF") {
				err = fmt.Errorf("the PDF link answers %.20q", pdf)
			}
			if err != nil {
				return "", err
			}
			err = waitFor(ctx, "Dara's custom fields", func() (bool, error) {
				return len(d.sim.Properties(d.company.ID, string(dara.ID), string(d.job.ID))) > 0, nil
			})
			return fmt.Sprintf("%s\nprofile: %s\n%s\nthe PDF link → %d bytes of PDF", posted(res), d.profile(o), d.fields(string(dara.ID)), len(pdf)), err
		}},
		{"inline: Eve applies to a job with Acme's inline package and is sent to Acme's test page", func() (string, error) {
			hp, err := d.sim.AddHiringProcess(d.company.ID, "Analysts", vac[acmeSJT], srsim.Step{Name: "Applied"}, srsim.Step{Name: "Interview"})
			if err != nil {
				return "", err
			}
			job, err := d.sim.AddJob(d.company.ID, "Data Analyst (Remote)", hp.ID, nil)
			if err != nil {
				return "", err
			}
			app, err := d.sim.ApplyInline(ctx, d.company.ID, string(job.ID), srsim.Applicant{FirstName: "Eve", LastName: "Adams", Email: "eve@example.com"})
			if err != nil {
				return "", err
			}
			srInline = app.OrderID
			order, err = assessments.await(ctx, "Acme Assessments to start Eve's order", func(o examplevendor.Order) bool { return o.Email() == "eve@example.com" })
			if err != nil {
				return "", err
			}
			if order.Mode != "inline" || app.CandidateURL != order.TestURL || !strings.HasPrefix(app.CandidateURL, assessments.url+"/") {
				return "", fmt.Errorf("a %s order; SmartRecruiters sent Eve to %q, the vendor's test_url is %q", order.Mode, app.CandidateURL, order.TestURL)
			}
			page, err := r.get(ctx, app.CandidateURL)
			if err != nil {
				return "", err
			}
			if !strings.Contains(page, "Acme test for Eve Adams") {
				return "", fmt.Errorf("Acme's test page is not Eve's: %.200s", page)
			}
			return fmt.Sprintf("%s\nSmartRecruiters sent Eve to Acme's test_url %s (answered within the request)", received(assessments, order), app.CandidateURL), nil
		}},
		{"Eve finishes Acme's test: SmartRecruiters shows the result", func() (string, error) {
			res, err := assessments.complete(ctx, order)
			if err != nil {
				return "", err
			}
			o, err := d.waitStatus(ctx, srInline, sr.StatusCompleted)
			if err == nil {
				err = checkScore(o, examplevendor.ScoreFor("eve@example.com"), "Situational judgement")
			}
			return posted(res) + "\nprofile: " + d.profile(o), err
		}},
		{"background check: a recruiter orders Acme Checks' Basic background check from Dara's profile", func() (string, error) {
			pls, err := d.sim.OrderAdHoc(ctx, d.company.ID, string(dara.ID), string(d.job.ID), vac[acmeBG])
			if err = placed(pls, err); err != nil {
				return "", err
			}
			srCheck = pls[0].OrderID
			order, err = checks.await(ctx, "Acme Checks to start Dara's check", func(o examplevendor.Order) bool { return o.Email() == dara.Email })
			if err != nil {
				return "", err
			}
			if order.Kind != examplevendor.KindBackgroundCheck {
				return "", fmt.Errorf("Acme Checks received a %s order", order.Kind)
			}
			o, err := d.waitStatus(ctx, srCheck, sr.StatusInProgress)
			return received(checks, order) + "\nprofile: " + d.profile(o), err
		}},
		{"Acme Checks finds no records: SmartRecruiters shows the check passed, Clear", func() (string, error) {
			res, err := checks.complete(ctx, order)
			if err != nil {
				return "", err
			}
			o, err := d.waitStatus(ctx, srCheck, sr.StatusCompleted)
			if err != nil {
				return "", err
			}
			if o.Result.ScoreLabel != "Clear" || !strings.HasPrefix(o.Result.Summary, "Clear — ") {
				return "", fmt.Errorf("SmartRecruiters shows label %q, summary %q; want Clear, Clear — …", o.Result.ScoreLabel, o.Result.Summary)
			}
			// The verdict replaces Dara's fit, as any later result does.
			fit := d.writeBack.LabelField.FieldID
			err = waitFor(ctx, "Dara's fit field to show the check", func() (bool, error) {
				return d.sim.Properties(d.company.ID, string(dara.ID), string(d.job.ID))[fit] == "fit-great", nil
			})
			return posted(res) + "\nprofile: " + d.profile(o) + "\n" + d.fields(string(dara.ID)), err
		}},
	}
	for _, s := range steps {
		if err := r.step(s.name, s.fn); err != nil {
			return err
		}
	}
	return nil
}

// checkScore checks SmartRecruiters shows the vendor's score and label.
func checkScore(o srsim.Order, score int, label string) error {
	sc := o.Result.Score
	if sc == nil || int(sc.Raw) != score || sc.Min != 0 || sc.Max != 100 || o.Result.ScoreLabel != label {
		return fmt.Errorf("SmartRecruiters shows score %+v label %q, want %d of 0..100 labelled %q", sc, o.Result.ScoreLabel, score, label)
	}
	return nil
}

// get fetches a page as a browser would and returns its body.
func (r *runner) get(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	return string(b), err
}
