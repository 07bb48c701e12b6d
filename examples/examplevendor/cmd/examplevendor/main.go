// Command examplevendor runs the example vendor (package examplevendor) on
// its own, against a running Switchboard:
//
//	examplevendor -listen :8090 -switchboard-url https://sb.example/api/vendor \
//	    -key svk_… -secret whsec_… [-secret whsec_… during a rotation]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"switchboard/examples/examplevendor"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "examplevendor:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	cfg, listen, err := parseFlags(args)
	if err != nil {
		return err
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	v, err := examplevendor.New(cfg)
	if err != nil {
		return err
	}
	defer v.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Addr: listen, Handler: v.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	cfg.Logger.Info("example vendor listening", "addr", listen, "webhook", "/webhooks", "packages", "/packages")
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// parseFlags reads the command line into a vendor configuration and the
// address to listen on.
func parseFlags(args []string) (examplevendor.Config, string, error) {
	fs := flag.NewFlagSet("examplevendor", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8090", "address to serve on")
	sbURL := fs.String("switchboard-url", "", "Switchboard's vendor API base, like https://sb.example/api/vendor (required)")
	key := fs.String("key", os.Getenv("EXAMPLEVENDOR_KEY"), "vendor API key, svk_… (or $EXAMPLEVENDOR_KEY)")
	pkgKey := fs.String("packages-key", "", "key Switchboard sends to POST /packages (default: -key)")
	public := fs.String("public-url", "", "where this vendor is reached, like https://vendor.example (default: each delivery's Host)")
	allowHTTP := fs.Bool("allow-http", false, "allow http:// URLs (loopback and private networks)")
	delay := fs.Duration("result-delay", 5*time.Second, "how long after accepting an order its result is posted")
	var secrets []string
	fs.Func("secret", "webhook signing secret, whsec_…; give it twice during a rotation", func(s string) error {
		secrets = append(secrets, s)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return examplevendor.Config{}, "", err
	}
	if fs.NArg() > 0 {
		return examplevendor.Config{}, "", fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *sbURL == "" {
		return examplevendor.Config{}, "", errors.New("-switchboard-url is required")
	}
	return examplevendor.Config{
		Secrets: secrets, Key: *key, PackagesKey: *pkgKey, BaseURL: *sbURL,
		PublicURL: *public, AllowHTTP: *allowHTTP, ResultDelay: *delay,
	}, *listen, nil
}
