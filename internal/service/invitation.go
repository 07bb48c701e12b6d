package service

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/mail"
	"switchboard/internal/store"
)

var invitationText = texttemplate.Must(texttemplate.New("text").Parse(`Hello {{.Name}},

{{.Account}} invites you to take the "{{.Vacancy}}" assessment as part of your application.

Start here: {{.Link}}

The link is personal and valid until {{.Expires}}. It takes about {{.Minutes}} minutes.
`))

var invitationHTML = htmltemplate.Must(htmltemplate.New("html").Parse(`<!doctype html>
<html><body style="font-family:sans-serif;line-height:1.5;color:#1f2933">
<p>Hello {{.Name}},</p>
<p>{{.Account}} invites you to take the <strong>{{.Vacancy}}</strong> assessment as part of your application.</p>
<p><a href="{{.Link}}" style="display:inline-block;padding:10px 18px;background:#2354d4;color:#fff;border-radius:6px;text-decoration:none">Start the assessment</a></p>
<p style="color:#52606d">The link is personal and valid until {{.Expires}}. It takes about {{.Minutes}} minutes.</p>
</body></html>`))

// InvitationLink is a candidate's link for a token.
func (s *Service) InvitationLink(token string) string { return s.d.BaseURL + "/a/" + token }

func (s *Service) invitationToken(o core.Order) (string, error) {
	plain, err := s.d.Keyring.Decrypt(o.InvitationSealed, invitationAAD(o.ID))
	if err != nil {
		return "", fmt.Errorf("order %s: invitation token: %w", o.ID, err)
	}
	return string(plain), nil
}

func (s *Service) sendInvitation(ctx context.Context, a SendInvitationArgs) error {
	step := "email:invitation"
	if a.Resend > 0 {
		step += ":resend:" + strconv.Itoa(a.Resend)
	}
	o, err := s.d.Store.GetOrder(ctx, a.OrderID)
	if err != nil {
		return fmt.Errorf("send invitation: %w", err)
	}
	if o.State != core.StateInvited && o.State != core.StateInProgress {
		return nil // expired or cancelled meanwhile: nothing to send
	}
	if done, err := s.d.Store.StepDone(ctx, o.ID, step); err != nil || done {
		return err
	}
	cand, err := s.d.Store.GetCandidate(ctx, o.CandidateID)
	if err != nil {
		return fmt.Errorf("send invitation: %w", err)
	}
	if cand.Email == "" {
		return &ats.CallError{Failure: ats.FailGiveUp, Err: errors.New("send invitation: the ATS gave no email address for the candidate")}
	}
	vac, err := s.d.Store.GetVacancy(ctx, o.VacancyID)
	if err != nil {
		return fmt.Errorf("send invitation: %w", err)
	}
	acc, err := s.d.Store.GetAccount(ctx, o.AccountID)
	if err != nil {
		return fmt.Errorf("send invitation: %w", err)
	}
	token, err := s.invitationToken(o)
	if err != nil {
		return err
	}
	data := map[string]any{
		"Name": cmp.Or(cand.Name, "there"), "Account": acc.Name, "Vacancy": vac.Name,
		"Link": s.InvitationLink(token), "Expires": o.InvitationExpiresAt.Format("Monday 2 January 2006, 15:04 MST"),
		"Minutes": max(5, len(vac.Package.Questions())),
	}
	var text, html bytes.Buffer
	if err := invitationText.Execute(&text, data); err != nil {
		return fmt.Errorf("send invitation: render text: %w", err)
	}
	if err := invitationHTML.Execute(&html, data); err != nil {
		return fmt.Errorf("send invitation: render html: %w", err)
	}
	m := mail.Message{
		From: s.d.MailFrom, To: cand.Email, Subject: fmt.Sprintf("Your %s assessment", vac.Name),
		Text: text.String(), HTML: html.String(), Headers: map[string]string{"X-Switchboard-Order": o.ID},
	}
	via := "SMTP"
	if s.d.Mail != nil {
		if err := s.d.Mail.Send(ctx, m); err != nil {
			if mail.IsPermanent(err) {
				return &ats.CallError{Failure: ats.FailGiveUp, Err: fmt.Errorf("send invitation: %w", err)}
			}
			return fmt.Errorf("send invitation: %w", err)
		}
	} else {
		via = "the dev outbox"
	}
	return s.d.Store.InTx(ctx, func(tx store.Tx) error {
		// Marking the step in the same transaction as the outbox row and the
		// timeline keeps a retried job from sending twice once this commits.
		first, err := tx.MarkStep(ctx, o.ID, step, s.now())
		if err != nil || !first {
			return err
		}
		if s.d.Mail == nil {
			if err := tx.AddOutboxMail(ctx, core.OutboxMail{
				ID: core.NewID("mail"), AccountID: o.AccountID, OrderID: o.ID, To: m.To, Subject: m.Subject,
				Text: m.Text, HTML: m.HTML, CreatedAt: s.now(),
			}); err != nil {
				return err
			}
		}
		if err := s.timeline(ctx, tx, o, "email", fmt.Sprintf("Invitation emailed to %s via %s", cand.Email, via), nil); err != nil {
			return err
		}
		if a.Resend > 0 {
			return nil // the ATS already knows the candidate is invited
		}
		return s.enqueue(ctx, tx, WriteBackArgs{OrderID: o.ID, State: core.StateInvited}, uniqueByArgs)
	})
}

// ResendInvitation emails the candidate their link again. For an expired
// order it re-invites instead: a new order with a new link and expiry
// replaces it (see reinvite). It returns the order the candidate is invited
// to, which is then the new one.
func (s *Service) ResendInvitation(ctx context.Context, actor core.User, orderID string) (core.Order, error) {
	if !actor.Role.CanActOnOrders() {
		return core.Order{}, fmt.Errorf("resend invitation: %w", core.ErrForbidden)
	}
	var out core.Order
	err := s.d.Store.InTx(ctx, func(tx store.Tx) error {
		o, err := s.orderIn(ctx, tx, actor, orderID)
		if err != nil {
			return fmt.Errorf("resend invitation: %w", err)
		}
		if o.Mode == core.ModeInline {
			return core.Explain(fmt.Errorf("resend invitation: order %s is inline: %w", o.ID, core.ErrConflict),
				"the invitation cannot be resent: inline orders are taken during the application, not emailed")
		}
		switch o.State {
		case core.StateInvited, core.StateInProgress:
		case core.StateExpired:
			in, err := tx.GetIntegration(ctx, o.IntegrationID)
			if err != nil {
				return fmt.Errorf("resend invitation: %w", err)
			}
			if why := s.reinviteRefusal(in, o); why != "" {
				return core.Explain(fmt.Errorf("resend invitation: order %s cannot be re-invited: %s: %w", o.ID, why, core.ErrConflict),
					"the invitation cannot be renewed: %s", why)
			}
			vac, err := tx.GetVacancy(ctx, o.VacancyID)
			if err != nil {
				return fmt.Errorf("resend invitation: %w", err)
			}
			out, err = s.reinvite(ctx, tx, o, vac, "requested by "+actor.Email)
			switch {
			case errors.Is(err, core.ErrConflict):
				return core.Explain(fmt.Errorf("resend invitation: %w", err), "the invitation is being renewed already; reload the order")
			case err != nil:
				return fmt.Errorf("resend invitation: %w", err)
			}
			return nil
		default:
			return core.Explain(fmt.Errorf("resend invitation: order %s is %s: %w", o.ID, o.State, core.ErrConflict),
				"the invitation cannot be resent: the order is %s", strings.ReplaceAll(string(o.State), "_", " "))
		}
		n := int(s.now().UnixMicro()) // distinct per resend, so each resend is its own step
		if err := s.timeline(ctx, tx, o, "email", "Invitation resend requested by "+actor.Email, nil); err != nil {
			return err
		}
		out = o
		return s.enqueue(ctx, tx, SendInvitationArgs{OrderID: o.ID, Resend: n}, nil)
	})
	if err != nil {
		return core.Order{}, err
	}
	return out, nil
}

// reinviteRefusal says why an expired order cannot be re-invited, or "".
func (s *Service) reinviteRefusal(in core.Integration, o core.Order) string {
	name := s.atsName(in)
	switch {
	case o.Superseded():
		return "this order was re-invited already; act on the newer order"
	case o.Mode == core.ModeInline:
		return "inline orders are taken during the application and cannot be re-invited"
	case in.Status != core.IntegrationEnabled:
		return fmt.Sprintf("the integration is %s; enable it first", in.Status)
	}
	if conn, ok := s.d.Connectors.Get(in.Provider); !ok || !conn.Describe().Reinvite {
		return fmt.Sprintf("%s ends an expired order for good; order the assessment again in %s", name, name)
	}
	return ""
}

// reinvite replaces an expired order with a new one for the same candidate,
// job and vacancy, with a new link and expiry, in tx. A new order rather than
// the old one revived: the old link stays dead, the old order's history and
// write-backs stay as they were, and the ATS is told "invited" again by the
// new order's own write-back, which comes after nothing. The new order takes
// over the old one's idempotency key, so later events for the same candidate
// and job find it. The caller has checked reinviteRefusal.
func (s *Service) reinvite(ctx context.Context, tx store.Tx, old core.Order, vac core.Vacancy, why string) (core.Order, error) {
	if err := tx.SupersedeOrder(ctx, old); err != nil {
		return core.Order{}, err // a concurrent re-invitation won: ErrConflict
	}
	now := s.now()
	o := core.Order{
		ID: core.NewID("ord"), AccountID: old.AccountID, IntegrationID: old.IntegrationID, VacancyID: vac.ID,
		CandidateID: old.CandidateID, State: core.StateReceived, Mode: old.Mode, ExternalID: old.ExternalID,
		ExternalJobID: old.ExternalJobID, IdempotencyKey: old.IdempotencyKey,
		ReturnURL: old.ReturnURL, CallbackURL: old.CallbackURL, CreatedAt: now, UpdatedAt: now,
	}
	o, _, err := s.issueOrder(ctx, tx, o, vac, fmt.Sprintf("Re-invitation %s, replacing expired order %s", why, old.ID),
		map[string]string{"state": string(core.StateReceived), "external_id": o.ExternalID, "replaces": old.ID})
	if err != nil {
		return core.Order{}, err
	}
	if old.Test {
		if err := tx.MarkOrderTest(ctx, o.ID); err != nil {
			return core.Order{}, err
		}
		o.Test = true
	}
	if err := s.timeline(ctx, tx, old, "reinvited", fmt.Sprintf("Re-invited (%s) as order %s with a new link; this order's link stays expired", why, o.ID),
		map[string]string{"order_id": o.ID}); err != nil {
		return core.Order{}, err
	}
	return o, nil
}

// atsName is the integration's ATS as people call it ("Lever").
func (s *Service) atsName(in core.Integration) string {
	if conn, ok := s.d.Connectors.Get(in.Provider); ok {
		return conn.Describe().Name
	}
	return in.Provider
}

// ExpireDue expires every order whose invitation ran out before now, and
// reports how many it expired.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	ids, err := s.d.Store.ListExpiredOrderIDs(ctx, s.now(), 500)
	if err != nil {
		return 0, fmt.Errorf("expire due: %w", err)
	}
	// One order that cannot expire must not hold up the others behind it.
	n := 0
	var errs []error
	for _, id := range ids {
		if err := s.expireOrder(ctx, id); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	if err := errors.Join(errs...); err != nil {
		return n, fmt.Errorf("expire due: %w", err)
	}
	return n, nil
}

// expireOrder expires one order if it is still open and past its expiry.
func (s *Service) expireOrder(ctx context.Context, orderID string) error {
	return s.d.Store.InTx(ctx, func(tx store.Tx) error {
		o, err := tx.GetOrder(ctx, orderID)
		if err != nil {
			return fmt.Errorf("expire order: %w", err)
		}
		if !o.State.CanTransition(core.StateExpired) || s.now().Before(o.InvitationExpiresAt) {
			return nil
		}
		return s.transition(ctx, tx, &o, core.StateExpired,
			fmt.Sprintf("Invitation expired (valid until %s)", o.InvitationExpiresAt.Format(time.RFC3339)))
	})
}
