package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/riverqueue/river/rivertype"

	"switchboard/internal/app"
	"switchboard/internal/core"
	"switchboard/internal/service"
)

// runAdmin runs the operator commands that act on the database directly.
func runAdmin(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	synopsis := cmd + " [flags]"
	if c, ok := lookup(cmd); ok && c.args != "" {
		synopsis += " " + c.args
	}
	fs := newFlagSet(cmd, synopsis, stderr)
	var c common
	c.register(fs)
	var name, email, account, role, password *string
	jsonOut := new(bool)
	switch cmd {
	case "accounts create":
		jsonOut = fs.Bool("json", false, "print the account, the super admin and the API key as one JSON object, for scripts")
		name = fs.String("name", "", "the customer company's name (required)")
		email = fs.String("email", "", "email of the account's first user, a super admin (required)")
		password = fs.String("password", "", "the super admin's password for the web UI (at least 10 characters); without it they use the API key only; prefer the environment variable, which stays out of the process list")
	case "users create":
		account = fs.String("account", "", "account id (required)")
		email = fs.String("email", "", "the user's email (required)")
		name = fs.String("name", "", "the user's name")
		role = fs.String("role", string(core.RoleAdmin), "super_admin, admin, team_member or limited_team_member")
		password = fs.String("password", "", "the user's password for the web UI (at least 10 characters); without it they use the API key only; prefer the environment variable, which stays out of the process list")
	case "jobs list", "jobs retry":
	default:
		return &exitError{code: 2, err: fmt.Errorf("unknown command %q", cmd)}
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	// Usage errors are found before the database is opened, so a typo leaves
	// no data directory, key or database behind.
	usage := func(format string, a ...any) error {
		return &exitError{code: 2, err: fmt.Errorf(cmd+": "+format, a...)}
	}
	var r core.Role
	var jobID int64
	switch cmd {
	case "accounts create":
		if strings.TrimSpace(*name) == "" || strings.TrimSpace(*email) == "" {
			return usage("--name and --email are required")
		}
	case "users create":
		if *account == "" || strings.TrimSpace(*email) == "" {
			return usage("--account and --email are required")
		}
		var err error
		if r, err = core.ParseRole(*role); err != nil {
			return usage("%v", err)
		}
	case "jobs retry": // parse checked there is one argument
		var err error
		if jobID, err = strconv.ParseInt(fs.Arg(0), 10, 64); err != nil || jobID <= 0 {
			return usage("%q is not a job id", fs.Arg(0))
		}
	}
	if password != nil {
		if err := checkPassword(*password); err != nil {
			return err
		}
	}
	cfg, err := c.config(stderr)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close(ctx)

	switch cmd {
	case "accounts create":
		acc, u, key, err := a.Service.CreateAccount(ctx, *name, *email, "")
		if err != nil {
			return err
		}
		if err := setPassword(ctx, a, u.ID, *password); err != nil {
			return err
		}
		if *jsonOut {
			return printJSON(stdout, map[string]string{"account_id": acc.ID, "account_name": acc.Name,
				"user_id": u.ID, "email": u.Email, "role": string(u.Role), "api_key": key})
		}
		fmt.Fprintf(stdout, "account %s (%s)\nsuper admin %s (%s)\nAPI key (shown once): %s\n", acc.ID, acc.Name, u.ID, u.Email, key)
	case "users create":
		u, key, err := a.Service.CreateUserInAccount(ctx, *account, *email, *name, r)
		if err != nil {
			return err
		}
		if err := setPassword(ctx, a, u.ID, *password); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user %s (%s, %s)\nAPI key (shown once): %s\n", u.ID, u.Email, u.Role, key)
	case "jobs list":
		jobs, err := a.Queue.List(ctx, 100, rivertype.JobStateRetryable, rivertype.JobStateDiscarded, rivertype.JobStateCancelled)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKIND\tSTATE\tATTEMPT\tLAST ERROR")
		for _, j := range jobs {
			last := ""
			if n := len(j.Errors); n > 0 {
				last = j.Errors[n-1].Error
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d/%d\t%s\n", j.ID, j.Kind, j.State, j.Attempt, j.MaxAttempts, last)
		}
		return tw.Flush()
	case "jobs retry":
		if err := a.Service.RetryJobAsOperator(ctx, jobID); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "job %d queued to run again\n", jobID)
	}
	return nil
}

// printJSON writes v as one line of JSON, for scripts reading stdout.
func printJSON(w io.Writer, v any) error {
	if err := json.NewEncoder(w).Encode(v); err != nil {
		return fmt.Errorf("print: %w", err)
	}
	return nil
}

// checkPassword refuses a too-short --password before anything is created,
// so a typo does not leave a user behind without one.
func checkPassword(password string) error {
	if password == "" {
		return nil
	}
	if err := service.CheckPassword(password); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("--password: %w", err)}
	}
	return nil
}

// setPassword gives a new user their web UI password, when one was given.
func setPassword(ctx context.Context, a *app.App, userID, password string) error {
	if password == "" {
		return nil
	}
	if err := a.Service.SetUserPassword(ctx, userID, password); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}
