// Command switchboard connects assessment vendors to applicant tracking
// systems. Run "switchboard help" for its commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"switchboard/internal/app"
	"switchboard/internal/core"
)

// command is one line of the usage: a command, or a subcommand of a group
// ("jobs retry" is in the group "jobs"). Args names the positional arguments
// it takes after its name, in order ("" for none); parse refuses any others.
type command struct {
	name, args, summary string
}

// commands is every command in the order the usage lists them. A group's
// subcommands run through runAdmin; adding a row here lists it in
// "switchboard help" and in the group's help.
var commands = []command{
	{"serve", "", "run the service (HTTP and job workers)"},
	{"demo", "", "run the whole Lever flow against the bundled simulator, then serve the UI"},
	{"migrate", "", "bring the database schema up to date and exit"},
	{"validate", "", "check an integration's setup, and with --vacancy run a test order through its ATS"},
	{"accounts create", "", "create an account and its first super admin (prints an API key)"},
	{"users create", "", "add a user to an account (prints an API key)"},
	{"users list", "", "list an account's users"},
	{"users set-role", "", "change a user's role"},
	{"users set-operator", "", "make a user an operator (vendor pages and routes), or with --off no longer"},
	{"users set-password", "", "set a user's web UI password"},
	{"users reset-password", "", "print a one-time set-password link for a user"},
	{"users deactivate", "", "end a user's sign-in, sessions and API keys"},
	{"users reactivate", "", "let a deactivated user sign in again"},
	{"keys list", "", "list a user's API keys"},
	{"keys create", "", "give a user a new API key"},
	{"keys revoke", "", "revoke an API key at once"},
	{"keys rotate", "", "replace an API key with a new one"},
	{"jobs list", "", "list failed, retrying and discarded jobs"},
	{"jobs retry", "ID", "run a failed job again"},
	{"vendors create", "", "create an outside vendor (prints its API key)"},
	{"vendors list", "", "list the vendors"},
	{"vendors disable", "ID", "refuse a vendor's keys and deliver nothing to it"},
	{"vendors enable", "ID", "let a disabled vendor act again"},
	{"vendors keys create", "", "give a vendor a new API key"},
	{"vendors keys list", "", "list a vendor's API keys"},
	{"vendors keys revoke", "KEYID", "revoke a vendor's API key at once"},
	{"vendors link", "", "link a vendor to an account: its packages become orderable there"},
	{"vendors unlink", "", "remove a vendor's link to an account"},
	{"vendors packages set", "", "replace a vendor's static packages from a JSON file"},
}

// lookup finds a command by its full name.
func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// subcommands lists a group's commands; none means group is not a group.
func subcommands(group string) []command {
	var out []command
	for _, c := range commands {
		if strings.HasPrefix(c.name, group+" ") {
			out = append(out, c)
		}
	}
	return out
}

// writeCommands writes an aligned list of cmds, each name without trim.
func writeCommands(w io.Writer, cmds []command, trim string) {
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	for _, c := range cmds {
		fmt.Fprintf(tw, "  %s\t%s\n", strings.TrimSpace(strings.TrimPrefix(c.name, trim)+" "+c.args), c.summary)
	}
	_ = tw.Flush() // w is a terminal or a buffer
}

func writeUsage(w io.Writer) {
	fmt.Fprint(w, "Switchboard connects assessment vendors to applicant tracking systems.\n\nUsage:\n  switchboard <command> [flags]\n\nCommands:\n")
	writeCommands(w, commands, "")
	fmt.Fprint(w, `
Run "switchboard <command> -h" for a command's flags. Every flag can also be set
with an environment variable: --data-dir is SWITCHBOARD_DATA_DIR, and so on.
`)
}

func writeGroupUsage(w io.Writer, group string) {
	fmt.Fprintf(w, "Usage: switchboard %s <subcommand> [flags]\n\nSubcommands:\n", group)
	writeCommands(w, subcommands(group), group+" ")
	fmt.Fprintf(w, "\nRun \"switchboard %s <subcommand> -h\" for a subcommand's flags.\n", group)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "switchboard:", errorText(err))
		}
		os.Exit(exitCode(err))
	}
}

// errorText is what the operator reads: an error's message for the person
// (core.Explain) when it has one, else the whole error.
func errorText(err error) string { return core.PublicMessage(err, err.Error()) }

// exitError carries a specific exit status.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 1
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		writeUsage(stderr)
		return &exitError{code: 2, err: errors.New("no command given")}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, rest, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, rest, stdout, stderr)
	case "validate":
		return cmdValidate(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		writeUsage(stdout)
		return nil
	}
	if len(subcommands(cmd)) > 0 {
		return runGroup(ctx, cmd, rest, stdout, stderr)
	}
	writeUsage(stderr)
	return &exitError{code: 2, err: fmt.Errorf("unknown command %q", cmd)}
}

// runGroup runs a group's subcommand, which may be a group of its own
// ("vendors keys create").
func runGroup(ctx context.Context, group string, rest []string, stdout, stderr io.Writer) error {
	switch {
	case len(rest) == 0:
		writeGroupUsage(stderr, group)
		return &exitError{code: 2, err: fmt.Errorf("%s: missing subcommand", group)}
	case rest[0] == "-h" || rest[0] == "--help" || rest[0] == "help":
		writeGroupUsage(stdout, group)
		return nil
	case strings.HasPrefix(rest[0], "-"):
		writeGroupUsage(stderr, group)
		return &exitError{code: 2, err: fmt.Errorf("%s: give the subcommand before the flags", group)}
	}
	name := group + " " + rest[0]
	if _, ok := lookup(name); ok {
		return runAdmin(ctx, name, rest[1:], stdout, stderr)
	}
	if len(subcommands(name)) > 0 {
		return runGroup(ctx, name, rest[1:], stdout, stderr)
	}
	writeGroupUsage(stderr, group)
	return &exitError{code: 2, err: fmt.Errorf("unknown command %q", name)}
}

// common are the flags every command that opens the database shares.
type common struct {
	dataDir, databaseURL, secretKey, baseURL, logLevel string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.dataDir, "data-dir", "data", "directory for the SQLite database and the generated secret key")
	fs.StringVar(&c.databaseURL, "database-url", "", "postgres://… URL to use PostgreSQL instead of SQLite")
	fs.StringVar(&c.secretKey, "secret-key", "", "base64 AES-256 key encrypting credentials at rest (default: <data-dir>/secret.key, generated on first run)")
	fs.StringVar(&c.baseURL, "base-url", "", "public URL of this Switchboard, used in links, emails and webhook URLs (default: the one serve last ran with, else http://localhost:8080)")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
}

func (c *common) config(stderr io.Writer) (app.Config, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return app.Config{}, &exitError{code: 2, err: fmt.Errorf("--log-level (or $SWITCHBOARD_LOG_LEVEL) %q: want debug, info, warn or error", c.logLevel)}
	}
	return app.Config{
		DataDir: c.dataDir, DatabaseURL: c.databaseURL, SecretKey: c.secretKey, BaseURL: c.baseURL,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}, nil
}

// parse parses flags, taking defaults from SWITCHBOARD_* environment variables
// first so that flags on the command line win.
func parse(fs *flag.FlagSet, args []string) error {
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name := "SWITCHBOARD_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok {
			if err := f.Value.Set(v); err != nil && envErr == nil {
				envErr = fmt.Errorf("%s: %w", name, err)
			}
		}
		if f.Usage != "" && !strings.Contains(f.Usage, "$SWITCHBOARD_") {
			f.Usage += " ($" + name + ")"
		}
	})
	if envErr != nil {
		return &exitError{code: 2, err: envErr}
	}
	// Flags may come before, between and after the arguments: a word the
	// flag package stops at must not hide the flags behind it.
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return &exitError{code: 2, err: err}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			positional = append(positional, rest...) // after "--" everything is an argument
			break
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
	if err := fs.Parse(append([]string{"--"}, positional...)); err != nil {
		return &exitError{code: 2, err: err}
	}
	return checkArgs(fs, positional)
}

// checkArgs refuses positional arguments the command does not declare (see
// commands), with its usage, before anything touches the disk. A command
// missing from the table checks its own.
func checkArgs(fs *flag.FlagSet, positional []string) error {
	c, ok := lookup(fs.Name())
	if !ok {
		return nil
	}
	want := strings.Fields(c.args)
	if len(positional) == len(want) {
		return nil
	}
	fs.Usage()
	switch {
	case len(want) == 0:
		return &exitError{code: 2, err: fmt.Errorf("%s takes no arguments, only flags: unexpected %q", c.name, positional)}
	case len(positional) < len(want):
		return &exitError{code: 2, err: fmt.Errorf("%s: give %s", c.name, c.args)}
	}
	return &exitError{code: 2, err: fmt.Errorf("%s takes %s, not also %q", c.name, c.args, positional[len(want):])}
}

func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: switchboard %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}
