package result

import (
	"fmt"

	"switchboard/internal/core"
)

// mediaTypes maps StackOne's attachment content-type words onto the MIME
// types core.Attachment carries. StackOne names only a kind of file, so each
// word stands for the one type a connector needs to tell it apart: pdf and
// text are exact; video is stood for by video/mp4, the type vendors send
// most and the one that keeps "video/" for connectors that key on it
// (SmartRecruiters' VIDEO_URL); other and unmapped_value say nothing, so
// application/octet-stream. The type here is what the vendor declared; the
// file's own type is learnt when Switchboard fetches it.
var mediaTypes = map[string]string{
	ContentText:     "text/plain",
	ContentPDF:      "application/pdf",
	ContentVideo:    "video/mp4",
	ContentOther:    "application/octet-stream",
	ContentUnmapped: "application/octet-stream",
}

// Result is the update in Switchboard's own terms, ready for the order. The
// order id is the caller's (the URL's, not the body's id). What core has no
// field for is left to the caller on the Update: the summary's sanitised
// HTML (core keeps plain text, which every ATS shows), result.source_value,
// the attachments' source_value, the candidate and passthrough.
//
// result.value goes to Value as sent, lifecycle words (in_progress,
// cancelled, …) included: the caller turns those into the order's state, and
// Value stays StackOne's open set. score.label goes to the result's Label.
//
// Its error is core's refusal, which Parse's stricter rules are meant to make
// impossible for an Update Parse returned (FuzzParse holds it to that).
func (u Update) Result() (core.Result, error) {
	r := core.Result{
		Value:       core.ResultValue(u.Outcome),
		ResultURL:   u.ResultURL,
		StartedAt:   u.StartedAt,
		SubmittedAt: u.SubmittedAt,
	}
	if u.Score != nil {
		s, err := core.NewScore(&u.Score.Value, &u.Score.Min, &u.Score.Max)
		if err != nil {
			return core.Result{}, fmt.Errorf("result update score: %w", err)
		}
		r.Score, r.Label = s, u.Score.Label
	}
	if u.Summary != nil {
		r.Summary = u.Summary.Text
	}
	for i, a := range u.Attachments {
		mt, ok := mediaTypes[a.ContentType]
		if !ok { // Validate admits only the listed words
			return core.Result{}, fmt.Errorf("result update attachments[%d]: no media type for content type %q", i, a.ContentType)
		}
		r.Attachments = append(r.Attachments, core.Attachment{ContentType: mt, URL: a.URL})
	}
	if err := r.Validate(); err != nil {
		return core.Result{}, fmt.Errorf("result update: %w", err)
	}
	return r, nil
}
