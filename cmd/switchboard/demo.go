package main

import (
	"context"
	"io"
	"log/slog"

	"switchboard/internal/demo"
)

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", "demo [flags]", stderr)
	listen := fs.String("listen", "localhost:8080", "address to serve on after the scenario (with --once, a free loopback port is used)")
	once := fs.Bool("once", false, "exit after the scenario: 0 when every step checked out, non-zero naming the failed step")
	verbose := fs.Bool("verbose", false, "also print Switchboard's own log")
	if err := parse(fs, args); err != nil {
		return err
	}
	addr := *listen
	if *once {
		addr = "127.0.0.1:0"
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if *verbose {
		log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	err := demo.Run(ctx, demo.Options{Listen: addr, Once: *once, Out: stdout, Logger: log})
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	return nil
}
