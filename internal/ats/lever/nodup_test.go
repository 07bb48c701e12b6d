package lever_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atstest"
	"switchboard/internal/ats/lever"
	"switchboard/internal/core"
)

// TestWriteBackAfterCrashWritesOnce: Lever stores the note (or the report)
// but the answer is lost, as when the process dies before recording the
// step; the retried job looks first and leaves exactly one note and one
// file. A note of another order does not count as this one's.
func TestWriteBackAfterCrashWritesOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		state core.State
		route string // whose reply is lost; "" for none
	}{
		{"invited note lost", core.StateInvited, "/opportunities/{id}/notes"},
		{"completed note lost", core.StateCompleted, "/opportunities/{id}/notes"},
		{"report lost", core.StateCompleted, "/opportunities/{id}/files"},
		{"nothing lost", core.StateCompleted, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newSandboxEnv(t)
			ctx := context.Background()
			e.cfg.Integration.WriteBack.Reports.PDFFile = true
			to, order := e.startWriteBackOrder(t)
			opp := to.Candidate.ExternalID
			// An earlier order's note on the same candidate, with its own marker.
			cl := lever.NewClient(e.cfg.Integration.Settings[lever.SettingBaseURL], apiKey, lever.WithHTTPClient(e.cfg.HTTPClient))
			if _, err := cl.AddNote(ctx, opp, "", "Switchboard: an older order.\nswitchboard:ord_0:"+string(tc.state)); err != nil {
				t.Fatal(err)
			}
			u := ats.Update{
				Order: order, State: tc.state,
				Candidate: core.Candidate{Name: "Ann Lee"}, Vacancy: core.Vacancy{Name: "Barista"},
				Result:  &core.Result{Score: &core.Score{Value: 67, Max: 100}, Label: "Good fit"},
				Reports: ats.Reports{PDF: func(context.Context) ([]byte, error) { return []byte("%PDF-1.7 report"), nil }},
			}
			steps := &atstest.Steps{}
			if tc.route != "" {
				e.sim.LoseReplies(1, http.MethodPost, tc.route)
				if err := e.conn.WriteBack(ctx, e.cfg, u, steps); err == nil {
					t.Fatal("write back with a lost reply: no error; the test crashes nowhere")
				}
			}
			if err := e.conn.WriteBack(ctx, e.cfg, u, steps); err != nil {
				t.Fatalf("retried write back: %v", err)
			}

			mark := "switchboard:" + order.ID + ":" + string(tc.state)
			var ours int
			for _, n := range e.sim.Notes(opp) {
				if strings.HasSuffix(n.Value(), "\n"+mark) {
					ours++
				}
			}
			if ours != 1 {
				t.Errorf("%d notes end in %q, want exactly 1", ours, mark)
			}
			files := e.sim.Files(opp)
			wantFiles := 0
			if tc.state == core.StateCompleted {
				wantFiles = 1
			}
			if len(files) != wantFiles {
				t.Errorf("%d files, want %d", len(files), wantFiles)
			}
			for _, f := range files {
				if f.Name != "Ann Lee - Barista (ord_1).pdf" {
					t.Errorf("file name %q, want the order id in it", f.Name)
				}
			}
			// One look per note or file step, none for tags and links.
			if n := e.sim.RequestCount(http.MethodGet, "/opportunities/{id}/notes"); n < 1 {
				t.Errorf("notes read back %d times, want at least once", n)
			}
		})
	}
}
