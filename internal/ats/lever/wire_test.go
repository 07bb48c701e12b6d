package lever_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"switchboard/internal/ats/lever"
)

func TestOpportunityDecodesUnexpandedAndExpanded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		stageID  string
		stage    *lever.Stage
		ownerID  string
		appIDs   []string
		postings []string
		archived bool
	}{
		{
			name:    "unexpanded ids",
			body:    `{"id":"o1","stage":"s1","owner":"u1","applications":["a1","a2"],"archived":null,"newField":{"x":1}}`,
			stageID: "s1", ownerID: "u1", appIDs: []string{"a1", "a2"},
		},
		{
			name: "expanded objects",
			body: `{"id":"o1","stage":{"id":"s1","text":"Phone Screen"},"owner":{"id":"u1","name":"Ann","email":"a@x"},
				"applications":[{"id":"a1","posting":"p1","postingOwner":"u1","createdAt":5},{"id":"a2","posting":"p1"},{"id":"a3","posting":"p2"}],
				"archived":{"archivedAt":1700000000000,"reason":"r1"}}`,
			stageID: "s1", stage: &lever.Stage{ID: "s1", Text: "Phone Screen"}, ownerID: "u1",
			appIDs: []string{"a1", "a2", "a3"}, postings: []string{"p1", "p2"}, archived: true,
		},
		{
			name: "nulls",
			body: `{"id":"o1","stage":null,"owner":null,"applications":null,"snoozedUntil":null}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var o lever.Opportunity
			if err := json.Unmarshal([]byte(tc.body), &o); err != nil {
				t.Fatal(err)
			}
			if o.Stage.ID != tc.stageID || !reflect.DeepEqual(o.Stage.Stage, tc.stage) {
				t.Errorf("stage = %+v", o.Stage)
			}
			if o.Owner.ID != tc.ownerID {
				t.Errorf("owner = %+v", o.Owner)
			}
			var ids []string
			for _, a := range o.Applications {
				ids = append(ids, a.ID)
			}
			if !reflect.DeepEqual(ids, tc.appIDs) {
				t.Errorf("application ids = %v, want %v", ids, tc.appIDs)
			}
			if got := o.PostingIDs(); !reflect.DeepEqual(got, tc.postings) {
				t.Errorf("PostingIDs = %v, want %v", got, tc.postings)
			}
			if o.IsArchived() != tc.archived {
				t.Errorf("IsArchived = %v", o.IsArchived())
			}
			// Marshal keeps the form it was given, so a round trip is lossless.
			b, err := json.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			var again lever.Opportunity
			if err := json.Unmarshal(b, &again); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(again, o) {
				t.Errorf("round trip:\n%+v\n%+v", o, again)
			}
		})
	}
}

func TestOpportunityRejectsWrongStageType(t *testing.T) {
	t.Parallel()
	var o lever.Opportunity
	if err := json.Unmarshal([]byte(`{"id":"o","stage":7}`), &o); err == nil {
		t.Fatal("a numeric stage decoded without error")
	}
}

func TestFileDecodesNumbersOrStrings(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"id":"f","name":"r.pdf","uploadedAt":1700000000000,"size":1234}`,
		`{"id":"f","name":"r.pdf","uploadedAt":"1700000000000","size":"1234"}`,
	} {
		var f lever.File
		if err := json.Unmarshal([]byte(body), &f); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if f.ID != "f" || f.Name != "r.pdf" || f.UploadedAt != 1700000000000 || f.Size != 1234 {
			t.Errorf("%s decoded to %+v", body, f)
		}
	}
}

func TestMillis(t *testing.T) {
	t.Parallel()
	ts := time.Date(2017, 9, 13, 21, 31, 40, 917e6, time.UTC)
	if got := lever.Millis(ts); got != 1505338300917 {
		t.Errorf("Millis = %d", got)
	}
	if got := lever.TimeFromMillis(1505338300917); !got.Equal(ts) {
		t.Errorf("TimeFromMillis = %v", got)
	}
	if lever.Millis(time.Time{}) != 0 || !lever.TimeFromMillis(0).IsZero() {
		t.Error("zero values do not map to each other")
	}
}
