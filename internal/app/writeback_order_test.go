package app_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
	"switchboard/internal/atssim/simkit"
	"switchboard/internal/candidatebot"
)

// eventually waits until cond holds, failing after a generous deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after 20s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// receive waits for a value on ch, or for it to be closed.
func receive(t *testing.T, what string, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
		t.Fatalf("still waiting after 20s: %s", what)
	}
}

// completeAssessment starts and finishes the assessment as the candidate.
func completeAssessment(t *testing.T, link string) {
	t.Helper()
	srStart(t, link)
	if res, err := candidatebot.Answer(context.Background(), http.DefaultClient, link, candidatebot.FirstOption); err != nil || !strings.HasSuffix(res.FinalURL, "/done") {
		t.Fatalf("the candidate ended on %s (%v), want the end page", res.FinalURL, err)
	}
}

// TestSRStatusNeverGoesBack: SmartRecruiters answers the IN_PROGRESS
// write-back with 429 and Retry-After: 30, and the candidate completes while
// that wait runs. The 30 s wait is not spent in a worker; the result lands;
// when the in-progress job comes back it finds the order completed and
// writes nothing. SmartRecruiters ends on COMPLETED with no IN_PROGRESS after
// it, and the timeline says why IN_PROGRESS was not sent.
func TestSRStatusNeverGoesBack(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupSmartRecruiters(apptest.SROptions{})
		ctx := context.Background()
		srOrderID := srAdHocInvited(t, e, f)
		link := invitationLink(t, e, e.Mail.Messages()[0])

		throttled := f.Sim.Fail(1, simkit.Fault{Status: http.StatusTooManyRequests, RetryAfter: 30 * time.Second,
			Match: func(r *http.Request, body []byte) bool {
				return r.Method == http.MethodPatch && strings.HasSuffix(r.URL.Path, "/results") && bytes.Contains(body, []byte(`"IN_PROGRESS"`))
			}})
		// A client that waited the 30 s itself would be waiting still while
		// the candidate completes.
		release := e.Sleeps.Hold(2 * time.Second)
		defer release()

		srStart(t, link)
		receive(t, "the IN_PROGRESS write-back to be throttled", throttled)
		if res, err := candidatebot.Answer(ctx, http.DefaultClient, link, candidatebot.FirstOption); err != nil || !strings.HasSuffix(res.FinalURL, "/done") {
			t.Fatalf("the candidate ended on %s (%v)", res.FinalURL, err)
		}
		eventually(t, "SmartRecruiters to show COMPLETED", func() bool {
			return slices.Contains(srSimOrder(t, f, srOrderID).StatusHistory, "COMPLETED")
		})
		release()
		e.WaitIdle()
		if n := e.RunScheduled("write_back"); n != 1 {
			t.Errorf("%d write-backs waiting for their Retry-After, want the in-progress one", n)
		}
		e.WaitIdle()

		if got := srStatuses(srSimOrder(t, f, srOrderID)); got != "PENDING → COMPLETED" {
			t.Errorf("SmartRecruiters shows %q, want PENDING → COMPLETED", got)
		}
		d := order(e, f.APIKey, srOrderBySR(t, e, f, srOrderID).ID)
		if len(d.entries("job_failed", "will retry in 30s")) != 1 || len(d.entries("write_back", "is not told in_progress: the order reached completed first")) != 1 {
			t.Errorf("timeline:%s", d.dump())
		}
		if len(d.entries("job_failed", "gave up")) != 0 || len(d.entries("write_back", "told: completed")) != 1 {
			t.Errorf("timeline:%s", d.dump())
		}
		for _, d := range e.Sleeps.Durations() {
			if d > time.Second {
				t.Errorf("a client waited %s inside a job", d)
			}
		}
	})
}

// TestLeverInvitedNeverAfterResult: Lever answers the invited write-back's
// tag with 429 and Retry-After: 30, and the candidate completes while that
// wait runs. Lever ends as the result says: the score tag without the
// invited tag, and no "was invited" note after the result's.
func TestLeverInvitedNeverAfterResult(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupLever(apptest.LeverOptions{})
		ctx := context.Background()

		throttled := e.Lever.Fail(1, simkit.Fault{Status: http.StatusTooManyRequests, RetryAfter: 30 * time.Second,
			Match: func(r *http.Request, body []byte) bool {
				return strings.HasSuffix(r.URL.Path, "/addTags") && bytes.Contains(body, []byte("invited"))
			}})
		release := e.Sleeps.Hold(2 * time.Second)
		defer release()

		opp := e.LeverToTrigger(f, "Ada Lovelace", "ada@example.com")
		receive(t, "the invited write-back to be throttled", throttled)
		mctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		msgs, err := e.Mail.WaitForMessages(mctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		completeAssessment(t, invitationLink(t, e, msgs[0]))
		eventually(t, "the result to be written back", func() bool {
			return len(onlyOrder(t, e, f).entries("write_back", "Lever told: completed")) == 1
		})
		release()
		e.WaitIdle()
		if n := e.RunScheduled("write_back"); n != 1 {
			t.Errorf("%d write-backs waiting for their Retry-After, want the invited one", n)
		}
		e.WaitIdle()

		scoreTagOnly(t, e, opp.ID)
		notes := noteTexts(e, opp.ID)
		last := len(notes) - 1
		if last < 0 || !strings.Contains(notes[last], "completed the") {
			t.Fatalf("notes %q, want the result's last", notes)
		}
		for _, n := range notes[:last] {
			if strings.Contains(n, "completed the") {
				t.Errorf("notes %q: two result notes", notes)
			}
		}
		d := onlyOrder(t, e, f)
		if len(d.entries("write_back", "is not told invited: the order reached completed first")) != 1 || len(d.entries("job_failed", "gave up")) != 0 {
			t.Errorf("timeline:%s", d.dump())
		}
	})
}

// TestLeverWriteBackStopsMidwayWhenTheOrderMovesOn: the candidate completes
// between the invited write-back's two calls (its tag has landed, its note
// is next). The note is not written: each step re-checks the order, not only
// the start of the job. Lever ends with the result's tag and note only.
func TestLeverWriteBackStopsMidwayWhenTheOrderMovesOn(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})

	// Lever, behind a proxy that completes the assessment as soon as the
	// invited tag has landed, before the write-back hears back.
	var once sync.Once
	var completeErr error
	completed := make(chan struct{})
	sim := e.Lever.Handler()
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := simkit.PeekBody(r, 64<<10)
		sim.ServeHTTP(w, r)
		if strings.HasSuffix(r.URL.Path, "/addTags") && bytes.Contains(body, []byte("invited")) {
			once.Do(func() {
				defer close(completed)
				link := invitationLink(t, e, e.Mail.Messages()[0])
				resp, err := http.PostForm(link+"/start", nil)
				if err == nil {
					resp.Body.Close()
					_, err = candidatebot.Answer(context.Background(), http.DefaultClient, link, candidatebot.FirstOption)
				}
				completeErr = err
			})
		}
	}))
	t.Cleanup(proxy.Close)
	e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/integrations/"+f.IntegrationID,
		map[string]any{"settings": map[string]string{lever.SettingBaseURL: proxy.URL + "/v1"}}, nil)

	opp, _ := invited(t, e, f, "Ada Lovelace", "ada@example.com")
	receive(t, "the assessment to be completed", completed)
	if completeErr != nil {
		t.Fatalf("completing the assessment: %v", completeErr)
	}
	e.WaitIdle()

	scoreTagOnly(t, e, opp.ID)
	if notes := noteTexts(e, opp.ID); len(notes) != 1 || !strings.Contains(notes[0], "completed the") {
		t.Errorf("notes %q, want only the result's", notes)
	}
	d := onlyOrder(t, e, f)
	if len(d.entries("write_back", "is not told invited: the order reached completed first")) != 1 || len(d.entries("write_back", "Lever told: completed")) != 1 {
		t.Errorf("timeline:%s", d.dump())
	}
}

// TestLeverWriteBacksOfOneOrderTakeTurns: the invited tag is still on its way
// to Lever (the request is in flight) when the candidate completes. The
// result's write-back waits for it instead of overtaking it, so the
// completion's removal of the invited tag comes after the tag, and Lever
// ends with the score tag only.
func TestLeverWriteBacksOfOneOrderTakeTurns(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})

	var once sync.Once
	entered, release := make(chan struct{}), make(chan struct{})
	sim := e.Lever.Handler()
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := simkit.PeekBody(r, 64<<10)
		if strings.HasSuffix(r.URL.Path, "/addTags") && bytes.Contains(body, []byte("invited")) {
			once.Do(func() {
				close(entered)
				<-release
			})
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/integrations/"+f.IntegrationID,
		map[string]any{"settings": map[string]string{lever.SettingBaseURL: proxy.URL + "/v1"}}, nil)
	snoozed, unsubscribe := e.App.Queue.Subscribe(river.EventKindJobSnoozed)
	defer unsubscribe()

	opp := e.LeverToTrigger(f, "Ada Lovelace", "ada@example.com")
	receive(t, "the invited tag to be on its way", entered)
	completeAssessment(t, invitationLink(t, e, e.Mail.Messages()[0]))
	// Either the result's write-back waits its turn, or (what must not
	// happen) it reaches Lever first.
	deadline := time.After(20 * time.Second)
	for waiting := false; !waiting; {
		select {
		case ev := <-snoozed:
			waiting = ev.Job.Kind == "write_back"
		case <-time.After(20 * time.Millisecond):
			waiting = len(onlyOrder(t, e, f).entries("write_back", "Lever told: completed")) == 1
		case <-deadline:
			t.Fatal("neither waited nor wrote the result")
		}
	}
	close(release)
	e.WaitIdle()

	scoreTagOnly(t, e, opp.ID)
	if notes := noteTexts(e, opp.ID); len(notes) == 0 || !strings.Contains(notes[len(notes)-1], "completed the") {
		t.Errorf("notes %q, want the result's last", notes)
	}
}

// scoreTagOnly checks that Lever's opportunity ends with the score tag and
// without the invited one: the result's write-back came last.
func scoreTagOnly(t *testing.T, e *apptest.Env, oppID string) {
	t.Helper()
	got, _ := e.Lever.Opportunity(oppID)
	score := regexp.MustCompile(`^Switchboard: \d+%$`)
	if slices.Contains(got.Tags, "Switchboard: invited") || !slices.ContainsFunc(got.Tags, score.MatchString) {
		t.Errorf("tags %v, want the score tag and not the invited one", got.Tags)
	}
}
