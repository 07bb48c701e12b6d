package ui

import (
	"html/template"
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/web"
)

// funcs are web's shared functions plus the admin pages' own.
var funcs = func() template.FuncMap {
	m := maps.Clone(web.Funcs)
	maps.Copy(m, uiFuncs)
	return m
}()

var uiFuncs = template.FuncMap{
	"date": func(t time.Time) string { return fmtTime(t, "2 Jan 2006") },
	"when": func(t time.Time) string { return fmtTime(t, "2 Jan 2006 15:04 MST") },
	"exact": func(t time.Time) string {
		return fmtTime(t, "2006-01-02 15:04:05 MST")
	},
	"stateLabel": stateLabel,
	"stateClass": func(s core.State) string { return "state state-" + string(s) },
	"statusClass": func(s core.IntegrationStatus) string {
		return "state status-" + string(s)
	},
	"patternName": patternName,
	"roleName":    roleName,
	"modeName": func(m core.Mode) string {
		return map[core.Mode]string{core.ModeAdHoc: "ad-hoc", core.ModeTriggered: "triggered by a stage", core.ModeInline: "inline"}[m]
	},
	"reportName": reportName,
	"sortedDetail": func(m map[string]string) []kv {
		out := make([]kv, 0, len(m))
		for k, v := range m {
			out = append(out, kv{k, v})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].K < out[j].K })
		return out
	},
	"credForm": func(id, name, label, csrf string) credForm {
		return credForm{ID: id, Name: name, Label: label, CSRF: csrf}
	},
	"host":           ats.URLHost,
	"endpointHealth": endpointHealth,
	"kindName":       kindName,
	"deliveryClass": func(s core.DeliveryStatus) string {
		return "state delivery-" + string(s)
	},
	"ms": func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) + " ms" },
	// entryKind is a timeline entry's badge: the ATS's and the vendor's
	// sides are named as such.
	"entryKind": func(kind string) string {
		switch kind {
		case "ats_call":
			return "ATS call"
		case "vendor":
			return "Vendor"
		case "vendor_call":
			return "Vendor call"
		}
		return title(kind)
	},
	"title": title,
	"shows": showsList,
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + strings.ReplaceAll(s[1:], "_", " ")
}

// kindName is a package kind in the pages' words.
func kindName(k core.Kind) string {
	switch k {
	case core.KindBackgroundCheck:
		return "Background check"
	case core.KindAssessment, "":
		return "Assessment"
	}
	return string(k)
}

type kv struct{ K, V string }

type credForm struct{ ID, Name, Label, CSRF string }

func fmtTime(t time.Time, layout string) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(layout)
}

func stateLabel(s core.State) string {
	switch s {
	case core.StateInProgress:
		return "In progress"
	case "":
		return ""
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

func patternName(p core.Pattern) string {
	switch p {
	case core.PatternAdHoc:
		return "ATS-first ad-hoc"
	case core.PatternInline:
		return "ATS-first inline"
	}
	return string(p)
}

// reportKinds are the report kinds in the order the UI lists them, with the
// words it uses.
var reportKinds = []struct{ Key, Name, Help string }{
	{"detail_page_url", "Candidate detail page URL", "A link to the order page here; opening it needs a Switchboard sign-in."},
	{"read_only_page_url", "Read-only detail page URL", "A signed, expiring link to the report page; no sign-in needed."},
	{"pdf_file", "PDF report as a file", "The PDF report uploaded to the candidate in the ATS."},
	{"pdf_url", "PDF report as a URL", "A signed, expiring link to the PDF report."},
	{"signed_report_url", "Signed report URL", "A signed, expiring report link for ATSs with a dedicated results-URL field."},
}

func reportName(key string) string {
	for _, k := range reportKinds {
		if k.Key == key {
			return k.Name
		}
	}
	return key
}

// showsList names, in a user's words, what an ATS shows of a result, for
// the write-back section of an ATS with no custom fields to map.
func showsList(sh ats.Shows) string {
	var parts []string
	for _, p := range []struct {
		on   bool
		name string
	}{
		{sh.Status, "the status"}, {sh.Score, "the score"}, {sh.Label, "the label"}, {sh.Summary, "a summary"},
		{sh.Components, "the indicators"}, {sh.Attachments, "attachments"}, {sh.ResultURL, "a link to the result"},
	} {
		if p.on {
			parts = append(parts, p.name)
		}
	}
	switch len(parts) {
	case 0:
		return "the result"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
