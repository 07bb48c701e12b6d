package main

import (
	"slices"
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	t.Parallel()
	const (
		a = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
		b = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
	)
	cfg, listen, err := parseFlags([]string{"-listen", ":9999", "-switchboard-url", "http://127.0.0.1:8080/api/vendor",
		"-key", "svk_x", "-secret", a, "-secret", b, "-allow-http"})
	if err != nil {
		t.Fatal(err)
	}
	if listen != ":9999" || cfg.Key != "svk_x" || !cfg.AllowHTTP || !slices.Equal(cfg.Secrets, []string{a, b}) ||
		cfg.BaseURL != "http://127.0.0.1:8080/api/vendor" {
		t.Fatalf("parsed %+v %q", cfg, listen)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-key", "svk_x", "-secret", a}, "-switchboard-url is required"},
		{[]string{"-switchboard-url", "https://sb.example/api/vendor", "extra"}, `unexpected argument "extra"`},
	} {
		if _, _, err := parseFlags(tc.args); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseFlags(%q) = %v, want %q", tc.args, err, tc.want)
		}
	}
	// run checks the configuration before it listens.
	if err := run([]string{"-switchboard-url", "http://sb.example/api/vendor", "-key", "svk_x", "-secret", a}); err == nil || !strings.Contains(err.Error(), "https") {
		t.Errorf("run with an http URL without -allow-http: %v", err)
	}
}
