package lever_test

import (
	"context"
	"slices"
	"testing"

	"switchboard/internal/ats"
	"switchboard/internal/ats/lever"
	"switchboard/internal/core"
)

// TestWriteBackVendorResult writes back a result built by hand, as a vendor
// other than the built-in engine would send it (a 1–5 scale, a component
// without a score, a link attachment, a result URL, no PDF): Lever gets the
// score tag from the scale, the note from label, components and summary, and
// the links; nothing here needs the engine.
func TestWriteBackVendorResult(t *testing.T) {
	t.Parallel()
	e := newSandboxEnv(t)
	ctx := context.Background()
	to, order := e.startWriteBackOrder(t)
	u := ats.Update{
		Order:     order,
		Candidate: core.Candidate{Name: "Ann Lee"},
		Vacancy:   core.Vacancy{Name: "Background check"},
		State:     core.StateCompleted,
		Result: &core.Result{
			Value: core.ResultPassed,
			Score: &core.Score{Value: 4, Min: 1, Max: 5}, Label: "Clear",
			Summary: "No records found.",
			Components: []core.Component{
				{Key: "crim", Name: "Criminal records", Score: &core.Score{Value: 4.5, Min: 0, Max: 5}},
				{Key: "id", Name: "Identity", Label: "Verified"},
			},
			Attachments: []core.Attachment{{Name: "Certificate", ContentType: "application/pdf", URL: "https://vendor.example/c/1.pdf"}},
			ResultURL:   "https://vendor.example/r/1",
		},
		Reports: ats.Reports{DetailPageURL: "https://sb.example/orders/ord_1"},
	}
	if err := e.conn.WriteBack(ctx, e.cfg, u, everyStep{}); err != nil {
		t.Fatalf("write back: %v", err)
	}
	opp, _ := e.sim.Opportunity(to.Candidate.ExternalID)
	if !opp.HasTag("Switchboard: 75%") {
		t.Errorf("tags %v, want the score's place on 1–5 as %q", opp.Tags, "Switchboard: 75%")
	}
	wantLinks := []string{"https://sb.example/orders/ord_1", "https://vendor.example/r/1", "https://vendor.example/c/1.pdf"}
	if !slices.Equal(opp.Links, wantLinks) {
		t.Errorf("links %q, want %q", opp.Links, wantLinks)
	}
	const wantNote = "Switchboard: Ann Lee completed the \"Background check\" assessment.\n" +
		"Score: 4/5 (Clear)\n" +
		"- Criminal records: 4.5/5\n" +
		"- Identity: Verified\n" +
		"No records found.\n" +
		"switchboard:ord_1:completed" // the marker a retried step looks for
	notes := e.sim.Notes(to.Candidate.ExternalID)
	if !slices.ContainsFunc(notes, func(n lever.Note) bool { return n.Value() == wantNote }) {
		var got []string
		for _, n := range notes {
			got = append(got, n.Value())
		}
		t.Errorf("notes %q\nwant one %q", got, wantNote)
	}
	if files := e.sim.Files(to.Candidate.ExternalID); len(files) != 0 {
		t.Errorf("%d files uploaded, want none (no PDF report)", len(files))
	}
}
