package demo_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/examples/examplevendor"
	"switchboard/internal/demo"
)

// steps are the scenario's steps, in order, as the demo prints them.
var steps = []string{
	"create an account and its super admin",
	"add a Lever integration (admin API)",
	"enabling without credentials is refused",
	"in Lever: an API key, a user, a posting with the vacancy tag, a signed candidateStageChange webhook",
	"enter credentials and the trigger stage, then enable",
	"create a vacancy routed by the tag",
	"in Lever: a candidate applies and is moved to Phone Screen",
	"the candidate is emailed an invitation",
	"Lever shows the invited tag and a note",
	"the candidate takes the assessment in the browser's place (HTTP)",
	"Lever shows the score tag, a result note, the PDF and a link",
	"the report link written to Lever resolves",
	"the order's timeline (admin API)",
	// Ashby, after the SmartRecruiters flows.
	"Ashby lists the packages (assessment.list)",
	"a recruiter starts the assessment for Ada (assessment.start)",
	"the recruiter starts it again: 409, and Ashby says so",
	"a start of a package the account does not have: 422, with the message Ashby shows",
	"Ada takes the assessment from her email (HTTP); Ashby shows her result",
	"Alan's assessment is started, then cancelled in Ashby (assessment.cancel)",
	// Greenhouse, after Workable.
	"Greenhouse: create the test it will list (admin API)",
	"add a Greenhouse integration, issue the key Greenhouse calls with, enable (admin API)",
	"in Greenhouse: the account manager enters the four URLs and the key; Katherine reaches the partner stage",
	"Greenhouse lists the tests (list_tests)",
	"a recruiter clicks Send Test for Katherine (send_test); she is invited",
	"Greenhouse's hourly poll asks test_status: the test is sent",
	"Katherine takes the assessment from her email (HTTP)",
	"Switchboard pings Greenhouse (PATCH); Greenhouse asks test_status at once and shows the score and profile link",
	// The outside vendor, after them.
	"the operator creates the vendors Acme Assessments and Acme Checks (switchboard vendors create)",
	"each vendor's developer reads the reference, sets its webhook endpoint (PUT /api/vendor/webhook) and starts the example vendor with the key and signing secret",
	"each vendor pushes its packages (PUT /api/vendor/unified/ats/{kind}/packages)",
	"the super admin links both vendors to Acme Corp (admin API): their packages become vacancies",
	"Lever: Acme's Cognitive ability vacancy gets a tag (admin API), and a Lever posting carries it",
	"in Lever: Grace is moved to Phone Screen, and Acme Assessments receives the order",
	"Grace finishes Acme's test: Acme posts the result, and Lever shows the score tag, a result note and the links",
	"SmartRecruiters: Acme's Situational judgement made inline, Acme's score labels mapped onto the fit field (admin API)",
	"SmartRecruiters lists the vendors' packages next to the built-in ones",
	"ad-hoc: a recruiter orders Acme's Cognitive ability from Dara's profile",
	"Dara finishes Acme's test: SmartRecruiters' profile shows Acme's result",
	"inline: Eve applies to a job with Acme's inline package and is sent to Acme's test page",
	"Eve finishes Acme's test: SmartRecruiters shows the result",
	"background check: a recruiter orders Acme Checks' Basic background check from Dara's profile",
	"Acme Checks finds no records: SmartRecruiters shows the check passed, Clear",
	// Applicant review, last.
	"in SmartRecruiters: a company with two open jobs and a filled one, seeded applicants, an API key",
	"connect SmartRecruiters with the API key (admin API): verified, both webhooks subscribed",
	"the first sync brings the open jobs and their applicants",
	"the requisitions (admin API)",
	"apply qualifications to Backend Engineer: Go or Rust required, Kubernetes preferred, 2 years, a bachelor's degree",
	"the ranking: the top 5 with their reasons, and who was filtered out and why",
	"move the top applicant to IN_REVIEW: SmartRecruiters shows it",
	"in SmartRecruiters: a candidate is deleted; the webhook takes them out of the ranking",
}

func TestRunOnce(t *testing.T) {
	t.Parallel()
	// A bound against a hang, not a speed target: the demo runs every ATS's
	// flow, and under the race detector on a busy machine that takes minutes.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var buf bytes.Buffer
	if err := demo.Run(ctx, demo.Options{Listen: "127.0.0.1:0", Once: true, Out: &buf}); err != nil {
		t.Fatalf("demo.Run: %v\n%s", err, buf.String())
	}
	out := buf.String()

	// Every step is checked, in order.
	pos := 0
	for _, s := range steps {
		i := strings.Index(out[pos:], "✓ "+s+"\n")
		if i < 0 {
			t.Fatalf("output lacks (or misorders) %q:\n%s", "✓ "+s, out)
		}
		pos += i
	}
	n := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "✓ ") {
			n++
		}
	}
	if n < len(steps)+1 {
		t.Errorf("%d ✓ lines, want at least %d steps and the final line", n, len(steps)+1)
	}
	if strings.Contains(out, "✗") {
		t.Errorf("output has a failure mark:\n%s", out)
	}
	if !strings.HasSuffix(out, "✓ every step checked out\n") {
		t.Errorf("output does not end with the success line:\n…%s", out[max(0, len(out)-200):])
	}

	// The details show what a user would look for.
	for _, want := range []string{
		"Switchboard demo — SQLite in ",
		"webhook URL to paste into Lever: http://127.0.0.1:",
		"/hooks/lever/int_",
		"to ada@example.com",
		"tags: ",
		"Switchboard: invited",
		"%", // the score tag
		".pdf (",
		"GET → 200",
		// The outside vendor's flows.
		"Acme Assessments (assessment); API key svk_",
		"Acme Checks (background_check); API key svk_",
		"signing secret whsec_",
		"the vendor API reference: http://127.0.0.1:",
		"(shown once)",
		"got a signed assessment.created delivery (webhook-id msg_",
		"got a signed background_check.created delivery (webhook-id msg_",
		"signature verified",
		"triggered lever order for Grace Hopper",
		fmt.Sprintf("tags: Switchboard: %d%%", examplevendor.ScoreFor("grace@example.com")),
		fmt.Sprintf("Score: %d/100 (Cognitive ability)", examplevendor.ScoreFor("grace@example.com")),
		"INLINE_ASSESSMENT: Situational judgement",
		"BACKGROUND_CHECK: Basic background check",
		"ad_hoc order, status IN_PROGRESS",
		fmt.Sprintf(`score %d (min 0, max 100), label "Cognitive ability"`, examplevendor.ScoreFor("dara@example.com")),
		"Assessment fit = fit-good",
		"attachment link (PDF_URL): http://127.0.0.1:",
		"bytes of PDF",
		"SmartRecruiters sent Eve to Acme's test_url http://127.0.0.1:",
		"/candidate/ord_",
		fmt.Sprintf(`score %d (min 0, max 100), label "Situational judgement"`, examplevendor.ScoreFor("eve@example.com")),
		`label "Clear"`,
		// Greenhouse's flow.
		"HTTP Basic user name, empty password; shown once",
		"/send_test",
		"Greenhouse shows: Test sent, no status read yet",
		"Greenhouse shows: sent",
		"1 ping, 2 test_status calls",
		"Greenhouse shows: complete, score ",
		"the profile link answers 200",
		"summary: Clear — no records found.",
		// Applicant review's flow.
		"SmartRecruiters refused the connection",
		"both active after the X-Hook-Secret handshake: candidate.deleted, job.status.updated",
		"jobs 2 of 2, 202 applicants",
		"ENG-7  Backend Engineer",
		"required: Go | Rust",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	checkReview(t, out)

	// The demo's database lived in a temporary directory that is gone now.
	first, _, _ := strings.Cut(out, "\n")
	dir := strings.TrimPrefix(first, "Switchboard demo — SQLite in ")
	if dir == first || dir == "" {
		t.Fatalf("first line %q does not name the data directory", first)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the demo left %s behind (%v)", dir, err)
	}
	// With Once, the demo does not go on to print where it keeps serving.
	if strings.Contains(out, "keeps running") || strings.Contains(out, "admin API key") {
		t.Errorf("a --once run prints the serving instructions:\n%s", out)
	}
}

func TestStepErrorNamesTheStep(t *testing.T) {
	t.Parallel()
	cause := errors.New("status 500")
	err := error(&demo.StepError{Step: "create a vacancy routed by the tag", Err: cause})
	want := `demo step "create a vacancy routed by the tag" failed: status 500`
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	wrapped := fmt.Errorf("run: %w", err)
	if !errors.Is(wrapped, cause) {
		t.Error("StepError does not unwrap to its cause")
	}
	var se *demo.StepError
	if !errors.As(wrapped, &se) || se.Step != "create a vacancy routed by the tag" {
		t.Errorf("errors.As: %+v", se)
	}
}

// cancelAfter is the demo's output; once it has seen a line, it cancels the
// demo's context, so the next step fails the way it would if the user hit
// Ctrl-C there.
type cancelAfter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	line   string
	cancel context.CancelFunc
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.buf.Write(p)
	if strings.Contains(c.buf.String(), c.line) {
		c.cancel()
	}
	return n, err
}

func (c *cancelAfter) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// TestFailingStepIsNamed cancels the demo once a step has printed, so the
// next one fails: in the Lever flow and in the outside vendor's.
func TestFailingStepIsNamed(t *testing.T) {
	t.Parallel()
	vendor := slices.Index(steps, "the operator creates the vendors Acme Assessments and Acme Checks (switchboard vendors create)")
	if vendor < 0 {
		t.Fatal("no vendor step in the list")
	}
	for _, after := range []int{1, vendor} {
		failed := steps[after+1]
		t.Run(failed, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			stepCtx, stop := context.WithCancel(ctx)
			defer stop()
			out := &cancelAfter{line: "✓ " + steps[after] + "\n", cancel: stop}

			err := demo.Run(stepCtx, demo.Options{Listen: "127.0.0.1:0", Once: true, Out: out})
			var se *demo.StepError
			if !errors.As(err, &se) {
				t.Fatalf("demo.Run = %v (%T), want a *demo.StepError\n%s", err, err, out.String())
			}
			if se.Step != failed {
				t.Errorf("failed step %q, want %q", se.Step, failed)
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("the step error does not carry its cause: %v", err)
			}
			text := out.String()
			if !strings.Contains(text, "✗ demo step \""+failed+"\" failed") {
				t.Errorf("output does not name the failed step:\n%s", text)
			}
			if strings.Contains(text, "✓ "+failed) || strings.Contains(text, "every step checked out") {
				t.Errorf("output claims success after the failure:\n%s", text)
			}
		})
	}
}

// checkReview reads applicant review's output as a recruiter would: five
// ranked applicants in order, each with a score, years and a reason quoting
// the profile; someone filtered out with why; the top one moved to
// IN_REVIEW in SmartRecruiters and on the row; a deleted one gone.
func checkReview(t *testing.T, out string) {
	t.Helper()
	_, review, ok := strings.Cut(out, "\nApplicant review (SmartRecruiters)")
	if !ok {
		t.Fatalf("no applicant review section:\n%s", out)
	}
	rankLine := regexp.MustCompile(`(?m)^    (\d)\. (.+) — score (\d+\.\d), (\d+\.\d) years, `)
	ranks := rankLine.FindAllStringSubmatch(review, -1)
	if len(ranks) != 5 {
		t.Fatalf("%d ranked applicants shown, want the top 5:\n%s", len(ranks), review)
	}
	prev := 1e9
	for i, m := range ranks {
		score, _ := strconv.ParseFloat(m[3], 64)
		if m[1] != strconv.Itoa(i+1) || score > prev {
			t.Errorf("rank line %q: want rank %d, scores not rising", m[0], i+1)
		}
		prev = score
	}
	for _, want := range []string{
		`preferred "kubernetes" in `,
		`required "Go" in `,
		"filtered out: ",
		"- needs one of: Go, Rust",
		"'s application to Backend Engineer is IN_REVIEW (was NEW)",
		"the ranking's row: moved to IN_REVIEW at ",
	} {
		if !strings.Contains(review, want) {
			t.Errorf("applicant review lacks %q:\n%s", want, review)
		}
	}
	// The one moved is the one ranked first; the one deleted is gone.
	top := ranks[0][2]
	if !strings.Contains(review, "Switchboard: "+top+" moved\n") {
		t.Errorf("the move is not of rank 1, %s:\n%s", top, review)
	}
	second := ranks[1][2]
	if !strings.Contains(review, " applicants, "+second+" is gone") {
		t.Errorf("rank 2, %s, deleted in SmartRecruiters, is not shown gone:\n%s", second, review)
	}
}
