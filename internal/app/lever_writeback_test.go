package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
	"switchboard/internal/candidatebot"
)

// TestLeverInvitationExpiry: an invitation not taken within 7 days expires,
// whether the sweep or the candidate's late visit notices first. Lever gets
// the expired tag and one note, the link says it expired, and noticing
// again changes nothing.
func TestLeverInvitationExpiry(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		sweep bool
	}{
		{"by the sweep", true},
		{"when the candidate opens the link", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dialects(t, func(t *testing.T, dialect string) {
				e := apptest.New(t, apptest.Options{Dialect: dialect})
				f := e.SetupLever(apptest.LeverOptions{})
				ctx := context.Background()
				opp, link := invited(t, e, f, "Ada Lovelace", "ada@example.com")

				// A minute before the end the link still works.
				e.Clock.Advance(7*24*time.Hour - time.Minute)
				if n, err := e.App.Engine.ExpireDue(ctx); n != 0 || err != nil {
					t.Fatalf("expire due a minute early: %d, %v", n, err)
				}
				if resp, body := e.Get(link); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Start the assessment") {
					t.Fatalf("link a minute before expiry: %d", resp.StatusCode)
				}

				e.Clock.Advance(2 * time.Minute)
				if tc.sweep {
					if n, err := e.App.Engine.ExpireDue(ctx); n != 1 || err != nil {
						t.Fatalf("expire due: %d, %v; want 1", n, err)
					}
				}
				resp, body := e.Get(link)
				if resp.StatusCode != http.StatusGone || !strings.Contains(body, "This invitation has expired") ||
					!strings.Contains(body, "new invitation") {
					t.Errorf("expired link: %d\n%s", resp.StatusCode, body)
				}
				e.WaitIdle()

				check := func(when string) {
					t.Helper()
					d := onlyOrder(t, e, f)
					if d.Order.State != "expired" {
						t.Errorf("%s: order state %s, want expired", when, d.Order.State)
					}
					if n := len(d.entries("state", "Invitation expired")); n != 1 {
						t.Errorf("%s: %d expiry entries, want 1:%s", when, n, d.dump())
					}
					if n := len(d.entries("write_back", "Lever told: expired")); n != 1 {
						t.Errorf("%s: %d expired write-backs, want 1:%s", when, n, d.dump())
					}
					got, _ := e.Lever.Opportunity(opp.ID)
					if !slices.Contains(got.Tags, "Switchboard: expired") {
						t.Errorf("%s: tags %v lack the expired tag", when, got.Tags)
					}
					notes := noteTexts(e, opp.ID)
					want := `Switchboard: the "` + apptest.VacancyName + `" invitation for Ada Lovelace expired before it was completed.` +
						"\nswitchboard:" + d.Order.ID + ":expired"
					if len(notes) != 2 || notes[1] != want {
						t.Errorf("%s: notes %q, want the invited note and %q", when, notes, want)
					}
					if n := e.Lever.RequestCount("POST", "/opportunities/{id}/notes"); n != 2 {
						t.Errorf("%s: notes posted: %d, want 2", when, n)
					}
				}
				check("after expiry")

				// Noticing again does nothing more.
				if n, err := e.App.Engine.ExpireDue(ctx); n != 0 || err != nil {
					t.Errorf("expire due again: %d, %v; want 0", n, err)
				}
				if resp, _ := e.Get(link); resp.StatusCode != http.StatusGone {
					t.Errorf("expired link again: %d", resp.StatusCode)
				}
				if resp, _ := e.PostForm(link+"/start", nil); resp.StatusCode != http.StatusGone {
					t.Errorf("starting an expired assessment: %d, want 410", resp.StatusCode)
				}
				e.WaitIdle()
				check("after noticing again") // re-inviting is TestLeverReinvite's
			})
		})
	}
}

// TestLeverWriteBackRetriesThrottling: Lever answers the invited write-back
// with 429 (Retry-After: 1) and then 500 before recovering. The client waits
// as told, the tag and note land exactly once, Switchboard's own limiter
// keeps the simulator's bucket from ever throttling, and the order's
// timeline shows every call.
func TestLeverWriteBackRetriesThrottling(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupLever(apptest.LeverOptions{})

		// Resolving the webhook ends by reading the posting; the write-back
		// is queued only after that answer. Arming the failures while that
		// answer is still being written makes them hit the write-back, and
		// only it.
		var arm sync.Once
		var armed atomic.Bool
		sim := e.Lever.Handler()
		proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sim.ServeHTTP(w, r)
			if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/postings/") {
				arm.Do(func() {
					e.Lever.FailNext(1, http.StatusTooManyRequests, time.Second)
					e.Lever.FailNext(1, http.StatusInternalServerError, 0)
					armed.Store(true)
				})
			}
		}))
		t.Cleanup(proxy.Close)
		e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/integrations/"+f.IntegrationID,
			map[string]any{"settings": map[string]string{lever.SettingBaseURL: proxy.URL + "/v1"}}, nil)

		opp, _ := invited(t, e, f, "Ada Lovelace", "ada@example.com")
		if !armed.Load() {
			t.Fatal("the failures were never armed: the webhook was not resolved through the proxy")
		}

		got, _ := e.Lever.Opportunity(opp.ID)
		if n := countContaining(got.Tags, "Switchboard: invited"); n != 1 {
			t.Errorf("tags %v", got.Tags)
		}
		if notes := noteTexts(e, opp.ID); len(notes) != 1 || !strings.Contains(notes[0], "was invited") {
			t.Errorf("notes %q, want one invited note", notes)
		}
		if n := e.Lever.RequestCount("POST", "/opportunities/{id}/addTags"); n != 1 {
			t.Errorf("addTags served %d times, want 1", n)
		}
		if n := e.Lever.RequestCount("POST", "/opportunities/{id}/notes"); n != 1 {
			t.Errorf("notes served %d times, want 1", n)
		}
		if ds := e.Sleeps.Durations(); !slices.Contains(ds, time.Second) || len(ds) != 2 {
			t.Errorf("client waits %v: want Retry-After's 1s and one backoff", ds)
		}
		if n := e.Lever.ThrottledCount(); n != 0 {
			t.Errorf("the simulator's rate limit was hit %d times", n)
		}

		d := onlyOrder(t, e, f)
		tagPath := "POST /v1/opportunities/" + opp.ID + "/addTags"
		for _, status := range []int{429, 500, 200} {
			es := d.entries("ats_call", fmt.Sprintf("%s → %d", tagPath, status))
			if len(es) != 1 || es[0].Detail["status"] != fmt.Sprint(status) {
				t.Errorf("timeline: %d entries for %s → %d, want 1:%s", len(es), tagPath, status, d.dump())
			}
		}
		if len(d.entries("write_back", "Lever told: invited")) != 1 || len(d.entries("job_failed", "")) != 0 {
			t.Errorf("timeline:%s", d.dump())
		}
		if n := len(e.Mail.Messages()); n != 1 {
			t.Errorf("emails: %d", n)
		}
	})
}

// TestLeverWriteBackGivesUpAndReplays: Lever refuses the results write-back
// in a way that retrying cannot fix (the key is wrong; the key may not upload
// files). The job stops at once, the timeline says it gave up and names the
// job; once the admin fixes the cause, retrying that job completes the
// write-back, and nothing that had already landed is written twice.
func TestLeverWriteBackGivesUpAndReplays(t *testing.T) {
	t.Parallel()
	type leverState = struct {
		notes       int
		files       int
		links       int
		scoreTagged bool
	}
	for _, tc := range []struct {
		name   string
		status string // the refused call's status on the timeline
		// before is what Lever shows while the job is stopped.
		before leverState
	}{
		{"API key refused", "401", leverState{notes: 1}},
		{"file upload forbidden", "403", leverState{notes: 2, scoreTagged: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dialects(t, func(t *testing.T, dialect string) {
				e := apptest.New(t, apptest.Options{Dialect: dialect})
				f := e.SetupLever(apptest.LeverOptions{})
				ctx := context.Background()

				// Lever, as seen through a switch that can forbid uploads, as
				// for a key without the files permission.
				var forbidFiles atomic.Bool
				sim := e.Lever.Handler()
				proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if forbidFiles.Load() && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/files") {
						w.Header().Set("Content-Type", "application/json")
						w.WriteHeader(http.StatusForbidden)
						fmt.Fprint(w, `{"code":"Forbidden","message":"This API key may not upload files"}`)
						return
					}
					sim.ServeHTTP(w, r)
				}))
				t.Cleanup(proxy.Close)
				e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/integrations/"+f.IntegrationID,
					map[string]any{"settings": map[string]string{lever.SettingBaseURL: proxy.URL + "/v1"}}, nil)
				setKey := func(key string) { e.SetLeverAPIKey(f, key) }

				opp, link := invited(t, e, f, "Ada Lovelace", "ada@example.com")
				switch tc.status {
				case "401":
					setKey("lever-key-revoked-last-week")
				case "403":
					forbidFiles.Store(true)
				}
				if _, err := candidatebot.Take(ctx, http.DefaultClient, link, candidatebot.FirstOption); err != nil {
					t.Fatal(err)
				}
				e.WaitIdle() // returns only if nothing is left to retry

				d := onlyOrder(t, e, f)
				if d.Order.State != "completed" || d.Result == nil {
					t.Fatalf("order %+v", d.Order)
				}
				scoreTag := fmt.Sprintf("Switchboard: %d%%", d.Result.Score)
				failed := d.entries("job_failed", "gave up")
				if len(failed) != 1 || failed[0].Detail["job_id"] == "" || failed[0].Detail["verdict"] != "fix configuration" ||
					!strings.Contains(failed[0].Message, tc.status) {
					t.Fatalf("job_failed entries %+v:%s", failed, d.dump())
				}
				jobID := failed[0].Detail["job_id"]
				if n := len(d.entries("ats_call", "→ "+tc.status)); n != 1 {
					t.Errorf("Lever was asked %d times after refusing, want 1:%s", n, d.dump())
				}
				if n := len(d.entries("write_back", "Lever told: completed")); n != 0 {
					t.Errorf("timeline claims the write-back landed:%s", d.dump())
				}
				got, _ := e.Lever.Opportunity(opp.ID)
				if slices.Contains(got.Tags, scoreTag) != tc.before.scoreTagged || slices.Contains(got.Tags, "Switchboard: invited") == tc.before.scoreTagged ||
					len(got.Links) != tc.before.links || len(e.Lever.Notes(opp.ID)) != tc.before.notes || len(e.Lever.Files(opp.ID)) != tc.before.files {
					t.Fatalf("Lever while the job is stopped: tags %v, links %v, notes %q, %d files",
						got.Tags, got.Links, noteTexts(e, opp.ID), len(e.Lever.Files(opp.ID)))
				}

				// Someone else's account cannot retry it.
				other := e.CreateAccount("Other Corp", "admin@other.example")
				if status := e.API(other, "POST", "/jobs/"+jobID+"/retry", nil, nil); status != http.StatusNotFound {
					t.Errorf("retry from another account: %d, want 404", status)
				}

				setKey(apptest.LeverAPIKey)
				forbidFiles.Store(false)
				e.MustAPI(http.StatusAccepted, f.APIKey, "POST", "/jobs/"+jobID+"/retry", nil, nil)
				e.WaitIdle()

				checkLanded := func(when string) {
					t.Helper()
					d := onlyOrder(t, e, f)
					got, _ := e.Lever.Opportunity(opp.ID)
					if !slices.Contains(got.Tags, scoreTag) || slices.Contains(got.Tags, "Switchboard: invited") {
						t.Errorf("%s: tags %v, want %q and not invited", when, got.Tags, scoreTag)
					}
					notes := noteTexts(e, opp.ID)
					if len(notes) != 2 || countContaining(notes, "completed the") != 1 {
						t.Errorf("%s: notes %q, want the invited and one result note", when, notes)
					}
					if n := len(e.Lever.Files(opp.ID)); n != 1 {
						t.Errorf("%s: %d files, want 1", when, n)
					}
					if len(got.Links) != 1 {
						t.Errorf("%s: links %v", when, got.Links)
					}
					// removeTags: the invitation's (expired) and the result's (invited, expired).
					for p, want := range map[string]int{"/opportunities/{id}/notes": 2, "/opportunities/{id}/files": 1,
						"/opportunities/{id}/addLinks": 1, "/opportunities/{id}/removeTags": 2} {
						if n := e.Lever.RequestCount("POST", p); n != want {
							t.Errorf("%s: POST %s served %d times, want %d", when, p, n, want)
						}
					}
					if n := len(d.entries("write_back", "Lever told: completed")); n < 1 {
						t.Errorf("%s: no completed write-back on the timeline:%s", when, d.dump())
					}
				}
				checkLanded("after the retry")

				// The job is done now: retrying it again is refused, and
				// repeats nothing in Lever.
				if status := e.API(f.APIKey, "POST", "/jobs/"+jobID+"/retry", nil, nil); status != http.StatusConflict {
					t.Errorf("retrying the completed job: %d, want 409", status)
				}
				e.WaitIdle()
				checkLanded("after a second retry")
			})
		})
	}
}

// TestLeverResolveWithRefusedKey: when Lever refuses the key while a stored
// webhook is being resolved, the job stops rather than retrying forever, and
// an operator can replay it once the key is fixed: nothing accepted is lost.
func TestLeverResolveWithRefusedKey(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupLever(apptest.LeverOptions{})
		ctx := context.Background()
		setKey := func(key string) { e.SetLeverAPIKey(f, key) }
		setKey("lever-key-revoked-last-week")
		opp := e.LeverToTrigger(f, "Ada Lovelace", "ada@example.com")
		e.WaitIdle()
		if total, _ := orders(e, f.APIKey); total != 0 || len(e.Mail.Messages()) != 0 {
			t.Fatalf("orders %d, emails %d before the key is fixed", total, len(e.Mail.Messages()))
		}
		jobs, err := e.App.Queue.List(ctx, 10, rivertype.JobStateCancelled, rivertype.JobStateDiscarded)
		if err != nil || len(jobs) != 1 || jobs[0].Kind != "process_inbound" || jobs[0].Attempt != 1 {
			t.Fatalf("stopped jobs: %v, %v; want the one process_inbound after one attempt", jobs, err)
		}

		setKey(apptest.LeverAPIKey)
		if err := e.App.Service.RetryJobAsOperator(ctx, jobs[0].ID); err != nil {
			t.Fatal(err)
		}
		e.WaitIdle()
		d := onlyOrder(t, e, f)
		if d.Order.State != "invited" || len(e.Mail.Messages()) != 1 {
			t.Errorf("after the replay: order %+v, %d emails", d.Order, len(e.Mail.Messages()))
		}
		if got, _ := e.Lever.Opportunity(opp.ID); !slices.Contains(got.Tags, "Switchboard: invited") {
			t.Errorf("after the replay: tags %v", got.Tags)
		}
	})
}

// TestInvitationEmailRefused: the SMTP server refuses the invitation, for a
// while (451) or for good (550). A temporary refusal is retried until the
// email goes; a permanent one stops, shows on the timeline with its job, and
// an admin's retry sends it. Either way the candidate gets one email and
// Lever one invited note.
func TestInvitationEmailRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		code      int
		permanent bool
	}{
		{"temporarily", 451, false},
		{"permanently", 550, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dialects(t, func(t *testing.T, dialect string) {
				e := apptest.New(t, apptest.Options{Dialect: dialect})
				f := e.SetupLever(apptest.LeverOptions{})
				e.Mail.RejectNext(tc.code, "mailbox unavailable")
				opp := e.LeverToTrigger(f, "Ada Lovelace", "ada@example.com")
				e.WaitIdle()

				d := onlyOrder(t, e, f)
				if tc.permanent {
					failed := d.entries("job_failed", "gave up")
					if len(failed) != 1 || !strings.Contains(failed[0].Message, "550") || len(e.Mail.Messages()) != 0 {
						t.Fatalf("after a permanent refusal: %d emails, timeline:%s", len(e.Mail.Messages()), d.dump())
					}
					e.MustAPI(http.StatusAccepted, f.APIKey, "POST", "/jobs/"+failed[0].Detail["job_id"]+"/retry", nil, nil)
					e.WaitIdle()
					d = order(e, f.APIKey, d.Order.ID)
				} else if n := len(d.entries("job_failed", "will retry")); n != 1 {
					t.Errorf("temporary refusal: %d retry entries, want 1:%s", n, d.dump())
				}
				msgs := e.Mail.Messages()
				if len(msgs) != 1 || msgs[0].To[0] != "ada@example.com" {
					t.Fatalf("emails: %d, want 1", len(msgs))
				}
				if n := len(d.entries("email", "Invitation emailed to ada@example.com")); n != 1 {
					t.Errorf("%d email entries, want 1:%s", n, d.dump())
				}
				if notes := noteTexts(e, opp.ID); len(notes) != 1 {
					t.Errorf("notes %q, want one invited note", notes)
				}
				// The link in the email works.
				if resp, body := e.Get(invitationLink(t, e, msgs[0])); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Start the assessment") {
					t.Errorf("invitation link: %d", resp.StatusCode)
				}
			})
		})
	}
}
