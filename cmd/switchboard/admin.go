package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/riverqueue/river/rivertype"

	"switchboard/internal/app"
	"switchboard/internal/core"
	"switchboard/internal/identity"
)

// runAdmin runs the operator commands that act on the database directly.
func runAdmin(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	fs, c := adminFlags(cmd, stderr)
	if strings.HasPrefix(cmd, "vendors ") {
		return runVendors(ctx, cmd, fs, c, args, stdout, stderr)
	}
	var name, email, account, role, password, user, key *string
	jsonOut, off := new(bool), new(bool)
	userFlag := func() { user = fs.String("user", "", "user id (required)") }
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
	case "users list":
		account = fs.String("account", "", "account id (required)")
	case "users set-operator":
		email = fs.String("email", "", "the user's email (required)")
		off = fs.Bool("off", false, "take the operator flag away instead")
	case "users set-role":
		userFlag()
		role = fs.String("role", "", "super_admin, admin, team_member or limited_team_member (required)")
	case "users set-password":
		userFlag()
		password = fs.String("password", "", "the new password (at least 10 characters; required); prefer the environment variable, which stays out of the process list")
	case "users reset-password", "users deactivate", "users reactivate", "keys list", "keys create":
		userFlag()
	case "keys revoke", "keys rotate":
		key = fs.String("key", "", "API key id, as keys list shows it (required)")
	case "jobs list", "jobs retry":
	default:
		return &exitError{code: 2, err: fmt.Errorf("unknown command %q", cmd)}
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	// Usage errors are found before the database is opened, so a typo leaves
	// no data directory, key or database behind.
	usage := usageFor(cmd)
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
	case "users list":
		if *account == "" {
			return usage("--account is required")
		}
	case "users set-operator":
		if strings.TrimSpace(*email) == "" {
			return usage("--email is required")
		}
	case "users set-role":
		if *user == "" || *role == "" {
			return usage("--user and --role are required")
		}
		var err error
		if r, err = core.ParseRole(*role); err != nil {
			return usage("%v", err)
		}
	case "users set-password":
		if *user == "" || *password == "" {
			return usage("--user and --password (or $SWITCHBOARD_PASSWORD) are required")
		}
	case "users reset-password", "users deactivate", "users reactivate", "keys list", "keys create":
		if *user == "" {
			return usage("--user is required")
		}
	case "keys revoke", "keys rotate":
		if *key == "" {
			return usage("--key is required")
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

	ident := a.Identity
	switch cmd {
	case "accounts create":
		acc, u, key, err := ident.CreateAccount(ctx, *name, *email, "")
		if err != nil {
			return err
		}
		if *jsonOut {
			out := map[string]string{"account_id": acc.ID, "account_name": acc.Name,
				"user_id": u.ID, "email": u.Email, "role": string(u.Role), "api_key": key}
			if *password != "" {
				if err := ident.SetPassword(ctx, nil, u.ID, *password); err != nil {
					return err
				}
			} else {
				link, expires, err := ident.PasswordResetLink(ctx, nil, u.ID)
				if err != nil {
					return err
				}
				out["set_password_link"], out["set_password_link_expires"] = link, expires.Format(time.RFC3339)
			}
			return printJSON(stdout, out)
		}
		fmt.Fprintf(stdout, "account %s (%s)\nsuper admin %s (%s)\nAPI key (shown once): %s\n", acc.ID, acc.Name, u.ID, u.Email, key)
		return passwordOrLink(ctx, ident, stdout, u.ID, *password)
	case "users create":
		u, key, err := ident.CreateUserInAccount(ctx, *account, *email, *name, r)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user %s (%s, %s)\nAPI key (shown once): %s\n", u.ID, u.Email, u.Role, key)
		return passwordOrLink(ctx, ident, stdout, u.ID, *password)
	case "users list":
		us, err := ident.UsersOf(ctx, *account)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tEMAIL\tROLE\tSTATUS\tPASSWORD\tOPERATOR")
		for _, u := range us {
			status, pw, op := "active", "no", "no"
			if !u.Active() {
				status = "deactivated " + u.DeactivatedAt.Format(time.DateOnly)
			}
			if u.PasswordHash != "" {
				pw = "yes"
			}
			if u.Operator {
				op = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Role, status, pw, op)
		}
		return tw.Flush()
	case "users set-operator":
		u, err := ident.SetOperator(ctx, *email, !*off)
		if err != nil {
			return err
		}
		if u.Operator {
			fmt.Fprintf(stdout, "user %s (%s) is an operator: they see the Operator pages and routes (vendors), besides their %s role\n", u.ID, u.Email, u.Role)
		} else {
			fmt.Fprintf(stdout, "user %s (%s) is no longer an operator\n", u.ID, u.Email)
		}
	case "users set-role":
		u, err := ident.SetRole(ctx, nil, *user, r)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user %s (%s) is now %s\n", u.ID, u.Email, u.Role)
	case "users set-password":
		if err := ident.SetPassword(ctx, nil, *user, *password); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password of user %s set; their sessions ended\n", *user)
	case "users reset-password":
		return printLink(ctx, ident, stdout, *user)
	case "users deactivate", "users reactivate":
		u, err := ident.SetActive(ctx, nil, *user, cmd == "users reactivate")
		if err != nil {
			return err
		}
		if u.Active() {
			fmt.Fprintf(stdout, "user %s (%s) is active again; give them a password (users reset-password) or a key (keys create)\n", u.ID, u.Email)
		} else {
			fmt.Fprintf(stdout, "user %s (%s) is deactivated; their sessions, API keys and set-password links stopped working\n", u.ID, u.Email)
		}
	case "keys list":
		ks, err := ident.APIKeys(ctx, nil, *user)
		if err != nil {
			return err
		}
		rows := make([]keyRow, len(ks))
		for i, k := range ks {
			rows[i] = keyRow{k.ID, k.Prefix, k.CreatedAt, k.LastUsedAt}
		}
		return writeKeys(stdout, rows)
	case "keys create":
		k, plain, err := ident.NewAPIKey(ctx, nil, *user)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "key %s of user %s\nAPI key (shown once): %s\n", k.ID, k.UserID, plain)
	case "keys revoke":
		if err := ident.RevokeAPIKey(ctx, nil, "", *key); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "key %s revoked; it stopped working\n", *key)
	case "keys rotate":
		k, plain, err := ident.RotateAPIKey(ctx, nil, "", *key)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "key %s revoked; new key %s of user %s\nAPI key (shown once): %s\n", *key, k.ID, k.UserID, plain)
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

// adminFlags is the flag set of an operator command, with the flags every
// command that opens the database shares.
func adminFlags(cmd string, stderr io.Writer) (*flag.FlagSet, *common) {
	synopsis := cmd + " [flags]"
	if c, ok := lookup(cmd); ok && c.args != "" {
		synopsis += " " + c.args
	}
	fs := newFlagSet(cmd, synopsis, stderr)
	c := &common{}
	c.register(fs)
	return fs, c
}

// usageFor makes cmd's usage errors: exit status 2, the command named first.
func usageFor(cmd string) func(format string, a ...any) error {
	return func(format string, a ...any) error {
		return &exitError{code: 2, err: fmt.Errorf(cmd+": "+format, a...)}
	}
}

// keyRow is an API key as keys list shows it, a user's or a vendor's.
type keyRow struct {
	id, prefix        string
	created, lastUsed time.Time
}

// writeKeys writes a table of keys: never the key, only its prefix.
func writeKeys(w io.Writer, rows []keyRow) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPREFIX\tCREATED\tLAST USED")
	for _, k := range rows {
		last := "never"
		if !k.lastUsed.IsZero() {
			last = k.lastUsed.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s…\t%s\t%s\n", k.id, k.prefix, k.created.Format(time.RFC3339), last)
	}
	return tw.Flush()
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
	if err := identity.CheckPassword(password); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("--password: %w", err)}
	}
	return nil
}

// passwordOrLink gives a new user their web UI password when one was given,
// and otherwise prints a set-password link, so nobody is left unable to
// sign in.
func passwordOrLink(ctx context.Context, ident *identity.Service, stdout io.Writer, userID, password string) error {
	if password == "" {
		return printLink(ctx, ident, stdout, userID)
	}
	return ident.SetPassword(ctx, nil, userID, password)
}

func printLink(ctx context.Context, ident *identity.Service, stdout io.Writer, userID string) error {
	link, expires, err := ident.PasswordResetLink(ctx, nil, userID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "set-password link (works once, until %s): %s\n", expires.Format(time.RFC3339), link)
	return nil
}
