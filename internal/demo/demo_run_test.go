package demo_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

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
}

func TestRunOnce(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
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
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
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

func TestFailingStepIsNamed(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	stepCtx, stop := context.WithCancel(ctx)
	defer stop()
	out := &cancelAfter{line: "✓ " + steps[1] + "\n", cancel: stop}

	err := demo.Run(stepCtx, demo.Options{Listen: "127.0.0.1:0", Once: true, Out: out})
	var se *demo.StepError
	if !errors.As(err, &se) {
		t.Fatalf("demo.Run = %v (%T), want a *demo.StepError\n%s", err, err, out.String())
	}
	if se.Step != steps[2] {
		t.Errorf("failed step %q, want %q", se.Step, steps[2])
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("the step error does not carry its cause: %v", err)
	}
	text := out.String()
	if !strings.Contains(text, "✗ demo step \""+steps[2]+"\" failed") {
		t.Errorf("output does not name the failed step:\n%s", text)
	}
	if strings.Contains(text, "✓ "+steps[2]) || strings.Contains(text, "every step checked out") {
		t.Errorf("output claims success after the failure:\n%s", text)
	}
}
