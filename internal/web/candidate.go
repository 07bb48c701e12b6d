package web

import (
	"errors"
	"net/http"

	"switchboard/internal/assess"
	"switchboard/internal/core"
	"switchboard/internal/engine"
)

// journey loads the invitation, answering the page itself when the link no
// longer works; ok is false when it did.
func (h *handler) journey(w http.ResponseWriter, r *http.Request) (engine.Journey, string, bool) {
	token := r.PathValue("token")
	j, err := h.eng.OpenInvitation(r.Context(), token)
	switch {
	case err == nil:
		return j, token, true
	case isNotFound(err):
		h.message(w, r, http.StatusNotFound, message{Title: "Link not found",
			Message: "This assessment link is not valid. Check that you copied the whole link from your email."})
	case errors.Is(err, engine.ErrInvitationExpired):
		hint := "If you still want to take it, ask " + j.Account.Name + " to send you a new invitation."
		if j.Order.Superseded() {
			hint = j.Account.Name + " has sent you a new invitation by email: use the link in that one."
		}
		h.message(w, r, http.StatusGone, message{Title: "This invitation has expired",
			Message: "The link to the " + j.Vacancy.Name + " assessment was valid until " + j.Order.InvitationExpiresAt.Format("2 January 2006") + ".",
			Hint:    hint})
	case errors.Is(err, engine.ErrInvitationUsed):
		if r.Method == http.MethodGet && r.URL.Path == "/a/"+token+"/done" {
			h.render(w, r, http.StatusOK, "done", map[string]any{"J": j})
			return j, token, false
		}
		h.message(w, r, http.StatusGone, message{Title: "Already completed",
			Message: "You have already completed the " + j.Vacancy.Name + " assessment. Thank you!",
			Hint:    "Each invitation can be used once."})
	case errors.Is(err, engine.ErrInvitationClosed):
		h.message(w, r, http.StatusGone, message{Title: "This invitation was withdrawn",
			Message: "The " + j.Vacancy.Name + " assessment is no longer open for you.",
			Hint:    "Contact " + j.Account.Name + " if you think this is a mistake."})
	default:
		h.serverError(w, r, err)
	}
	return j, token, false
}

func (h *handler) landing(w http.ResponseWriter, r *http.Request) {
	j, token, ok := h.journey(w, r)
	if !ok {
		return
	}
	if j.Order.State == core.StateInProgress {
		http.Redirect(w, r, "/a/"+token+"/q", http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "landing", map[string]any{"J": j, "Token": token})
}

func (h *handler) start(w http.ResponseWriter, r *http.Request) {
	_, token, ok := h.journey(w, r)
	if !ok {
		return
	}
	if err := h.eng.StartAssessment(r.Context(), token); err != nil {
		h.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/a/"+token+"/q", http.StatusSeeOther)
}

func (h *handler) questions(w http.ResponseWriter, r *http.Request) {
	j, token, ok := h.journey(w, r)
	if !ok {
		return
	}
	if j.Order.State != core.StateInProgress {
		http.Redirect(w, r, "/a/"+token, http.StatusSeeOther)
		return
	}
	h.questionPage(w, r, http.StatusOK, j, token, "")
}

func (h *handler) questionPage(w http.ResponseWriter, r *http.Request, status int, j engine.Journey, token, errMsg string) {
	mods := j.Vacancy.Package.Modules
	next := j.NextModule()
	if next == len(mods) {
		h.render(w, r, status, "review", map[string]any{"J": j, "Token": token, "Error": errMsg})
		return
	}
	h.render(w, r, status, "questions", map[string]any{
		"J": j, "Token": token, "Module": mods[next], "Part": next + 1, "Parts": len(mods),
		"Percent": 100 * next / len(mods), "Error": errMsg,
	})
}

func (h *handler) answer(w http.ResponseWriter, r *http.Request) {
	j, token, ok := h.journey(w, r)
	if !ok {
		return
	}
	// httpform.Limit has parsed the form.
	answers := assess.Answers{}
	for qid, vals := range r.PostForm {
		if len(vals) > 0 {
			answers[qid] = vals[0]
		}
	}
	if err := h.eng.SaveAnswers(r.Context(), token, answers); err != nil {
		var inv *core.ValidationError
		if errors.As(err, &inv) || errors.Is(err, core.ErrConflict) {
			h.questionPage(w, r, http.StatusUnprocessableEntity, j, token, "Please choose one of the options for every question.")
			return
		}
		h.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/a/"+token+"/q", http.StatusSeeOther)
}

func (h *handler) finish(w http.ResponseWriter, r *http.Request) {
	j, token, ok := h.journey(w, r)
	if !ok {
		return
	}
	returnURL, err := h.eng.FinishAssessment(r.Context(), token)
	if err != nil {
		var inv *core.ValidationError
		if errors.As(err, &inv) || errors.Is(err, core.ErrConflict) {
			h.questionPage(w, r, http.StatusUnprocessableEntity, j, token, "Some questions are still unanswered.")
			return
		}
		h.serverError(w, r, err)
		return
	}
	if returnURL != "" {
		http.Redirect(w, r, returnURL, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/a/"+token+"/done", http.StatusSeeOther)
}

func (h *handler) done(w http.ResponseWriter, r *http.Request) {
	j, token, ok := h.journey(w, r)
	if !ok {
		return
	}
	// Not finished yet: back to where they were.
	http.Redirect(w, r, "/a/"+token+map[bool]string{true: "/q", false: ""}[j.Order.State == core.StateInProgress], http.StatusSeeOther)
}
