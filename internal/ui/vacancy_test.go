package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestVacancyEditor(t *testing.T) {
	t.Parallel()
	e, b := signedInAdmin(t)

	b.get("/vacancies/new")
	form := url.Values{"name": {"Support"}, "tag": {"SB: Support"}, "great_fit": {"80"}, "good_fit": {"60"}, "expiry_days": {"5"}, "return_url": {""}}
	if resp, body := b.post("/vacancies/new", form); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Vacancy Support created") {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	vs, err := e.App.Service.EngineVacancies(context.Background(), mustUser(t, e, "admin@acme.example"))
	if err != nil || len(vs) != 1 || vs[0].Thresholds.GreatFit != 80 || vs[0].ExpiryDays != 5 || len(vs[0].Package.Modules) != 3 {
		t.Fatalf("created vacancy: %+v %v", vs, err)
	}
	id := vs[0].ID

	// Every problem is shown next to its field, and nothing changes.
	b.get("/vacancies/" + id)
	bad := url.Values{"name": {"Support"}, "tag": {"SB: Support"}, "great_fit": {"40"}, "good_fit": {"60"}, "expiry_days": {"x"},
		"return_url": {"ftp://nope"}, "package": {`{"modules": []}`}}
	resp, body := b.post("/vacancies/"+id, bad)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad update: %d", resp.StatusCode)
	}
	for _, want := range []string{"Link validity: must be a whole number", "Nothing was saved"} {
		if !strings.Contains(body, want) {
			t.Errorf("bad update page lacks %q", want)
		}
	}
	bad.Set("expiry_days", "3")
	_, body = b.post("/vacancies/"+id, bad)
	for _, want := range []string{"Thresholds: invalid thresholds", "Return URL must be an absolute http(s) URL", "Package: ", "no modules"} {
		if !strings.Contains(body, want) {
			t.Errorf("bad update page lacks %q", want)
		}
	}

	// A valid edit of the package and the inline flag.
	pkg := `{"modules":[{"key":"k","name":"Only module","questions":[{"id":"q1","prompt":"Pick","options":[{"id":"a","text":"A","points":1},{"id":"b","text":"B","points":0}]}]}]}`
	good := url.Values{"name": {"Support II"}, "tag": {"SB: Support"}, "great_fit": {"70"}, "good_fit": {"40"}, "expiry_days": {""},
		"return_url": {"https://careers.example.com/thanks"}, "inline": {"on"}, "package": {pkg}}
	if resp, body = b.post("/vacancies/"+id, good); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Vacancy Support II saved") {
		t.Fatalf("update: %d", resp.StatusCode)
	}
	v, err := e.App.Service.Vacancy(context.Background(), mustUser(t, e, "admin@acme.example"), id)
	if err != nil || v.Name != "Support II" || !v.Inline || v.ExpiryDays != 0 || v.ReturnURL != "https://careers.example.com/thanks" || len(v.Package.Modules) != 1 {
		t.Fatalf("updated vacancy: %+v %v", v, err)
	}

	// A second vacancy may not take the same tag.
	b.get("/vacancies/new")
	form.Set("name", "Other")
	if resp, body = b.post("/vacancies/new", form); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "another vacancy already has this tag") {
		t.Fatalf("duplicate tag: %d", resp.StatusCode)
	}
}
