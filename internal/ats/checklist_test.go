package ats

import (
	"reflect"
	"testing"

	"switchboard/internal/core"
)

func TestChecklist(t *testing.T) {
	t.Parallel()
	var l Checklist
	if !l.Add("a", true, "never shown") || l.Add("b", false, "fix b") {
		t.Fatal("Add does not report ok")
	}
	want := Checklist{{Name: "a", OK: true}, {Name: "b", Problem: "fix b"}}
	if !reflect.DeepEqual(l, want) || Passed(l) {
		t.Fatalf("checklist %+v, want %+v and not passed", l, want)
	}
}

func TestConfigSetting(t *testing.T) {
	t.Parallel()
	cfg := Config{Integration: core.Integration{Settings: map[string]string{"set": "  v ", "blank": "  "}}}
	for key, want := range map[string]string{"set": "v", "blank": "def", "absent": "def"} {
		if got := cfg.Setting(key, "def"); got != want {
			t.Errorf("Setting(%q) = %q, want %q", key, got, want)
		}
	}
}
