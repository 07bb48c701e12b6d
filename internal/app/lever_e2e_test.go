package app_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/candidatebot"
)

// dialects runs a test on SQLite and on PostgreSQL.
func dialects(t *testing.T, fn func(t *testing.T, dialect string)) {
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, d)
		})
	}
}

func TestLeverStageChangeToResults(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupLever(apptest.LeverOptions{})
		ctx := context.Background()

		opp, _, err := e.Lever.CreateOpportunity(ctx, "Ada Lovelace", "ada@example.com", f.PostingID)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := e.Lever.MoveStage(ctx, opp.ID, f.TriggerStage)
		if err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusOK {
			t.Fatalf("stage change delivery: %+v, %v", ds, err)
		}
		e.WaitIdle()

		msgs := e.Mail.Messages()
		if len(msgs) != 1 || msgs[0].To[0] != "ada@example.com" {
			t.Fatalf("emails: %+v", msgs)
		}
		got, _ := e.Lever.Opportunity(opp.ID)
		if !slices.Contains(got.Tags, "Switchboard: invited") || len(e.Lever.Notes(opp.ID)) != 1 {
			t.Fatalf("after invite: tags %v, notes %d", got.Tags, len(e.Lever.Notes(opp.ID)))
		}

		link := msgs[0].Text[strings.Index(msgs[0].Text, e.URL+"/a/"):]
		link = strings.Fields(link)[0]
		if _, err := candidatebot.Take(ctx, http.DefaultClient, link, candidatebot.FirstOption); err != nil {
			t.Fatal(err)
		}
		e.WaitIdle()
		got, _ = e.Lever.Opportunity(opp.ID)
		files := e.Lever.Files(opp.ID)
		if len(files) != 1 || !strings.HasPrefix(string(files[0].Data), "%PDF-") {
			t.Fatalf("files: %d", len(files))
		}
		if len(got.Links) != 1 {
			t.Fatalf("links: %v", got.Links)
		}
		if resp, _ := e.Get(got.Links[0]); resp.StatusCode != http.StatusOK {
			t.Fatalf("report link %s: %d", got.Links[0], resp.StatusCode)
		}
	})
}
