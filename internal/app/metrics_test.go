package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"switchboard/internal/app"
)

// quiet is the logger of apps a test opens itself, whose start-up warnings
// (a generated secret key) say nothing about the test.
var quiet = slog.New(slog.DiscardHandler)

func scrapeMetrics(t *testing.T, base, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", base+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func serveOn(t *testing.T, serve func(context.Context, net.Listener) error) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// TestMetricsAreNotPublic: without --metrics-listen or --metrics-token
// /metrics is not served; with --metrics-listen it is served there and not
// on the main listener; a token guards it wherever it is.
func TestMetricsAreNotPublic(t *testing.T) {
	t.Parallel()
	const token = "a-metrics-token-of-length"
	for _, tc := range []struct {
		name               string
		cfg                app.Config
		main, own, ownAuth int // statuses; own 0: no metrics listener
	}{
		{"neither", app.Config{}, http.StatusNotFound, 0, 0},
		{"token", app.Config{MetricsToken: token}, http.StatusUnauthorized, 0, 0},
		{"own listener", app.Config{MetricsOwnListener: true}, http.StatusNotFound, http.StatusOK, http.StatusOK},
		{"own listener and token", app.Config{MetricsOwnListener: true, MetricsToken: token}, http.StatusNotFound, http.StatusUnauthorized, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := tc.cfg
			cfg.DataDir, cfg.BaseURL, cfg.Logger = t.TempDir(), "http://127.0.0.1", quiet
			a, err := app.Open(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close(context.Background()) })
			if code, _ := scrapeMetrics(t, serveOn(t, a.Serve), ""); code != tc.main {
				t.Errorf("/metrics on the main listener: %d, want %d", code, tc.main)
			}
			if tc.own == 0 {
				return
			}
			own := serveOn(t, a.ServeMetrics)
			if code, _ := scrapeMetrics(t, own, ""); code != tc.own {
				t.Errorf("/metrics on its own listener: %d, want %d", code, tc.own)
			}
			if code, body := scrapeMetrics(t, own, token); code != tc.ownAuth || code == http.StatusOK && len(body) == 0 {
				t.Errorf("/metrics on its own listener with the token: %d, want %d", code, tc.ownAuth)
			}
		})
	}
}

func TestMetricsTokenMustBeLong(t *testing.T) {
	t.Parallel()
	_, err := app.Open(t.Context(), app.Config{DataDir: t.TempDir(), MetricsToken: "short", Logger: quiet})
	if err == nil {
		t.Fatal("a 5-character metrics token was accepted")
	}
}
