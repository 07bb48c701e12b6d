package engine

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

func (e *Engine) sendInvitation(ctx context.Context, a SendInvitationArgs) error {
	step := "email:invitation"
	if a.Resend > 0 {
		step += ":resend:" + strconv.Itoa(a.Resend)
	}
	o, err := e.d.Store.GetOrder(ctx, a.OrderID)
	if err != nil {
		return fmt.Errorf("send invitation: %w", err)
	}
	if o.State != core.StateInvited && o.State != core.StateInProgress {
		return nil // expired or cancelled meanwhile: nothing to send
	}
	if done, err := e.d.Store.StepDone(ctx, o.ID, step); err != nil || done {
		return err
	}
	cand, err := e.d.Store.GetCandidate(ctx, o.CandidateID)
	if err != nil {
		return fmt.Errorf("send invitation: %w", err)
	}
	if cand.Email == "" {
		return &ats.CallError{Failure: ats.FailGiveUp, Err: errors.New("send invitation: the ATS gave no email address for the candidate")}
	}
	vac, err := e.d.Store.GetEngineVacancy(ctx, o.VacancyID)
	if err != nil {
		return fmt.Errorf("send invitation: %w", err)
	}
	acc, err := e.d.Store.GetAccount(ctx, o.AccountID)
	if err != nil {
		return fmt.Errorf("send invitation: %w", err)
	}
	token, err := e.invitationToken(o)
	if err != nil {
		return err
	}
	data := map[string]any{
		"Name": cmp.Or(cand.Name, "there"), "Account": acc.Name, "Vacancy": vac.Name,
		"Link": e.InvitationLink(token), "Expires": o.InvitationExpiresAt.Format("Monday 2 January 2006, 15:04 MST"),
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
		From: e.d.MailFrom, To: cand.Email, Subject: fmt.Sprintf("Your %s assessment", vac.Name),
		Text: text.String(), HTML: html.String(), Headers: map[string]string{"X-Switchboard-Order": o.ID},
		ID: invitationMessageID(o.ID, a.Resend),
	}
	via := "SMTP"
	if e.d.Mail != nil {
		if err := e.d.Mail.Send(ctx, m); err != nil {
			if mail.IsPermanent(err) {
				return &ats.CallError{Failure: ats.FailGiveUp, Err: fmt.Errorf("send invitation: %w", err)}
			}
			return fmt.Errorf("send invitation: %w", err)
		}
	} else {
		via = "the dev outbox"
	}
	return e.d.Store.InTx(ctx, func(tx store.Tx) error {
		// Marking the step in the same transaction as the outbox row and the
		// timeline keeps a retried job from sending twice once this commits.
		first, err := tx.MarkStep(ctx, o.ID, step, e.now())
		if err != nil || !first {
			return err
		}
		if e.d.Mail == nil {
			if err := tx.AddOutboxMail(ctx, core.OutboxMail{
				ID: core.NewID("mail"), AccountID: o.AccountID, OrderID: o.ID, To: m.To, Subject: m.Subject,
				Text: m.Text, HTML: m.HTML, CreatedAt: e.now(),
			}); err != nil {
				return err
			}
		}
		if err := e.orders.Timeline(ctx, tx, o, "email", fmt.Sprintf("Invitation emailed to %s via %s", cand.Email, via), nil); err != nil {
			return err
		}
		if a.Resend > 0 {
			return nil // the ATS already knows the candidate is invited
		}
		return e.orders.WriteBack(ctx, tx, o.ID, core.StateInvited)
	})
}

// invitationMessageID is the left part of an invitation's Message-ID,
// derived from the order and, for a resend, its attempt: the email a
// retried job sends again after a crash (sent, step not yet marked) is the
// same message, while each resend is a message of its own.
func invitationMessageID(orderID string, resend int) string {
	if orderID == "" {
		return "" // a random Message-ID rather than an invalid one
	}
	// Order ids are "ord_" and base32; anything else an older row might
	// hold becomes "-", so the id is always a valid dot-atom and a strange
	// order id cannot make the invitation unsendable.
	id := "invitation." + strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return '-'
	}, orderID)
	if resend > 0 {
		id += ".resend." + strconv.Itoa(resend)
	}
	return id
}

// Resend queues the invitation email again, in tx, for an order that is
// invited or in progress; by is who asked. The order action (who may ask,
// which orders, re-inviting an expired one) is the order path's
// (service.ResendInvitation).
func (e *Engine) Resend(ctx context.Context, tx store.Tx, o core.Order, by string) error {
	n := int(e.now().UnixMicro()) // distinct per resend, so each resend is its own step
	if err := e.orders.Timeline(ctx, tx, o, "email", "Invitation resend requested by "+by, nil); err != nil {
		return err
	}
	return e.orders.Enqueue(ctx, tx, SendInvitationArgs{OrderID: o.ID, Resend: n}, nil)
}

// ExpireDue expires every order whose invitation ran out before now, and
// reports how many it expired.
func (e *Engine) ExpireDue(ctx context.Context) (int, error) {
	ids, err := e.d.Store.ListExpiredOrderIDs(ctx, e.now(), 500)
	if err != nil {
		return 0, fmt.Errorf("expire due: %w", err)
	}
	// One order that cannot expire must not hold up the others behind it.
	n := 0
	var errs []error
	for _, id := range ids {
		if err := e.expireOrder(ctx, id); err != nil {
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
func (e *Engine) expireOrder(ctx context.Context, orderID string) error {
	return e.d.Store.InTx(ctx, func(tx store.Tx) error {
		o, err := tx.GetOrder(ctx, orderID)
		if err != nil {
			return fmt.Errorf("expire order: %w", err)
		}
		if !o.State.CanTransition(core.StateExpired) || e.now().Before(o.InvitationExpiresAt) {
			return nil
		}
		return e.orders.Transition(ctx, tx, &o, core.StateExpired,
			fmt.Sprintf("Invitation expired (valid until %s)", o.InvitationExpiresAt.Format(time.RFC3339)))
	})
}
