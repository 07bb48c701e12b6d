package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const plaintext = "hunter2-sk_live_abc"

func TestValueRedactsInFmt(t *testing.T) {
	t.Parallel()
	v := NewValue(plaintext)
	type holder struct {
		Exported Value
		hidden   Value
		Ptr      *Value
	}
	h := holder{Exported: v, hidden: v, Ptr: &v}
	for _, format := range []string{"%v", "%s", "%+v", "%#v", "%q", "%x", "%X", "%10s", "%d", "%T"} {
		for name, arg := range map[string]any{"value": v, "pointer": &v, "struct": h, "struct pointer": &h, "slice": []Value{v}, "map": map[string]Value{"k": v}} {
			if out := fmt.Sprintf(format, arg); strings.Contains(out, plaintext) || strings.Contains(out, fmt.Sprintf("%x", plaintext)) {
				t.Errorf("Sprintf(%q, %s) leaks: %s", format, name, out)
			}
		}
	}
	if got := fmt.Sprint(v); got != "[redacted]" {
		t.Errorf("Sprint = %q", got)
	}
	if got := fmt.Sprintf("%#v", v); got != "secret.Value([redacted])" {
		t.Errorf("%%#v = %q", got)
	}
	if got := v.String() + v.GoString(); strings.Contains(got, plaintext) {
		t.Errorf("String/GoString leak: %s", got)
	}
}

func TestValueRedactsInJSON(t *testing.T) {
	t.Parallel()
	v := NewValue(plaintext)
	out, err := json.Marshal(struct {
		Key  Value            `json:"key"`
		Ptr  *Value           `json:"ptr"`
		Keys map[Value]string `json:"keys"`
	}{v, &v, map[Value]string{v: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), plaintext) {
		t.Fatalf("json leaks: %s", out)
	}
	if want := `{"key":"[redacted]","ptr":"[redacted]","keys":{"[redacted]":"x"}}`; string(out) != want {
		t.Errorf("json = %s, want %s", out, want)
	}
}

func TestValueRedactsInSlog(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	v := NewValue(plaintext)
	log.Info("configured",
		"api_key", v,
		slog.Any("ptr", &v),
		slog.Group("smtp", slog.Any("password", v)),
		slog.Any("struct", struct{ Token Value }{v}),
	)
	log.With("bound", v).Info("again")
	out := buf.String()
	if strings.Contains(out, plaintext) {
		t.Fatalf("slog leaks: %s", out)
	}
	if n := strings.Count(out, "[redacted]"); n != 5 {
		t.Errorf("found %d redactions, want 5: %s", n, out)
	}
	// Text handler too, since it goes through a different code path.
	buf.Reset()
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "k", v, "s", struct{ K Value }{v})
	if strings.Contains(buf.String(), plaintext) {
		t.Fatalf("slog text leaks: %s", buf.String())
	}
}

func TestValueReveal(t *testing.T) {
	t.Parallel()
	var zero Value
	if !zero.IsZero() || zero.Reveal() != "" {
		t.Error("zero Value is not empty")
	}
	if !NewValue("").IsZero() {
		t.Error("NewValue(\"\") is not zero")
	}
	v := NewValue(plaintext)
	if v.IsZero() || v.Reveal() != plaintext {
		t.Errorf("Reveal = %q, IsZero = %v", v.Reveal(), v.IsZero())
	}
}
