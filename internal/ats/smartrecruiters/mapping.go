package smartrecruiters

// The mapping between Switchboard's domain and SmartRecruiters' wire format,
// one function per direction and kind, so the connector holds no wire details.

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"mime"
	"strings"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/core"
)

// StatusFor is the status SmartRecruiters is told for an order state, per
// DESIGN.md; false for cancelled, which SmartRecruiters is not told about.
func StatusFor(s core.State) (Status, bool) {
	switch s {
	case core.StateReceived, core.StateInvited:
		return StatusPending, true
	case core.StateInProgress:
		return StatusInProgress, true
	case core.StateCompleted:
		return StatusCompleted, true
	case core.StateExpired:
		return StatusExpired, true
	case core.StateRejected:
		return StatusRejected, true
	}
	return "", false
}

// ResultDetails is what goes with an outcome in the results PATCH besides
// the outcome itself. Empty fields are left out.
type ResultDetails struct {
	// ResultURL links to the candidate's report page (read-only or signed);
	// SmartRecruiters has no result URL field, so it goes in attachments as
	// OTHER_URL.
	ResultURL string
	// PDFURL links to the PDF report (an uploaded attachment's URL or a
	// signed link), sent as PDF_URL.
	PDFURL      string
	SentAt      time.Time // when the candidate was invited (assessmentPackageDate)
	SubmittedAt time.Time // when the candidate submitted (submissionDate)
}

// ResultFor builds the COMPLETED results PATCH for a result: the overall
// score triple, the label (or else the verdict) as scoreLabel, the summary,
// one assessment result per component (by its key), Switchboard's report
// links, then the result's own URL and link attachments. SmartRecruiters
// takes whole numbers, so scores are rounded.
func ResultFor(res core.Result, d ResultDetails) PackageResult {
	r := PackageResult{
		Status:                StatusCompleted,
		AssessmentPackageDate: At(d.SentAt),
		SubmissionDate:        At(d.SubmittedAt),
		Score:                 scoreFor(res.Score),
		ScoreLabel:            cmp.Or(res.Label, string(res.Value)),
		Summary:               res.Summary,
	}
	if d.PDFURL != "" {
		r.Attachments = append(r.Attachments, Attachment{Type: AttachmentPDFURL, URL: d.PDFURL})
	}
	if d.ResultURL != "" {
		r.Attachments = append(r.Attachments, Attachment{Type: AttachmentOtherURL, URL: d.ResultURL})
	}
	if res.ResultURL != "" && res.ResultURL != d.ResultURL {
		r.Attachments = append(r.Attachments, Attachment{Type: AttachmentOtherURL, URL: res.ResultURL})
	}
	for _, a := range res.Attachments {
		// Stored files need an upload, which no vendor can send yet; links go as they are.
		if a.URL != "" {
			r.Attachments = append(r.Attachments, Attachment{Type: attachmentType(a.ContentType), URL: a.URL})
		}
	}
	for _, c := range res.Components {
		r.AssessmentResults = append(r.AssessmentResults, AssessmentResult{
			AssessmentID:   ID(c.Key),
			AssessmentName: c.Name,
			Status:         StatusCompleted,
			SubmissionDate: At(d.SubmittedAt),
			Score:          scoreFor(c.Score),
			ScoreLabel:     c.Label,
		})
	}
	return r
}

func scoreFor(s *core.Score) *Score {
	if s == nil {
		return nil
	}
	return &Score{Raw: roundInt(s.Value), Min: roundInt(s.Min), Max: roundInt(s.Max)}
}

func roundInt(f float64) Int { return Int(math.Round(f)) }

// attachmentType is SmartRecruiters' kind of link for a content type.
func attachmentType(contentType string) AttachmentType {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/pdf":
		return AttachmentPDFURL
	case strings.HasPrefix(mt, "video/"):
		return AttachmentVideoURL
	}
	return AttachmentOtherURL
}

// ErrNoLabelValue is wrapped by PropertiesFor when the label field is on but
// the result's label has no configured SmartRecruiters value id.
var ErrNoLabelValue = errors.New("no SmartRecruiters value id configured for label")

// PropertiesFor builds the body of PUT /candidates/{id}/jobs/{jobId}/properties
// from a result and the integration's custom-field configuration: the
// overall score as text, the label as the single-select value id mapped from
// Great fit / Good fit / Poor fit, and one text property per scored
// component, keyed by the component key and written to the configured field
// id. What the result lacks (no score, no label) is left out. It returns nil
// when no field is written. Order: score, label, components in the result's
// order.
func PropertiesFor(r core.Result, wb core.WriteBackConfig) ([]PropertyValue, error) {
	var props []PropertyValue
	if f := wb.ScoreField; f.Enabled && f.FieldID != "" && r.Score != nil {
		props = append(props, TextProperty(f.FieldID, core.FormatNumber(r.Score.Value)))
	}
	if f := wb.LabelField; f.Enabled && f.FieldID != "" && r.Label != "" {
		v := wb.LabelValues[r.Label]
		if v == "" {
			return nil, fmt.Errorf("%w %q", ErrNoLabelValue, r.Label)
		}
		props = append(props, SelectProperty(f.FieldID, v))
	}
	for _, c := range r.Components {
		if f, ok := wb.IndicatorFields[c.Key]; ok && f.Enabled && f.FieldID != "" && c.Score != nil {
			props = append(props, TextProperty(f.FieldID, core.FormatNumber(c.Score.Value)))
		}
	}
	return props, nil
}

// IdempotencyKey is the key of an order placed by SmartRecruiters: its order
// id is unique and stays the same when SmartRecruiters retries.
func IdempotencyKey(orderID string) string { return "smartrecruiters:order:" + orderID }

// OrderEvent turns a decoded order into the core's event: ad-hoc when a
// recruiter placed it, triggered when a hiring-process step did.
func OrderEvent(o AssessmentPackageOrderRequest) (ats.Event, error) {
	orderID, err := o.OrderID()
	if err != nil {
		return ats.Event{}, fmt.Errorf("%w: %v", ErrInvalidOrder, err)
	}
	mode := core.ModeAdHoc
	if o.Triggered() {
		mode = core.ModeTriggered
	}
	return ats.Event{
		Kind:           ats.EventOrderRequested,
		Mode:           mode,
		IdempotencyKey: IdempotencyKey(orderID),
		Candidate: ats.Candidate{
			ExternalID: candidateKey(string(o.Candidate.ID), o.Candidate.Email),
			Name:       fullName(o.Candidate.FirstName, o.Candidate.LastName),
			Email:      o.Candidate.Email,
		},
		ExternalID:    orderID,
		ExternalJobID: o.EffectiveJobID(),
		PackageID:     string(o.AssessmentPackageID),
		CallbackURL:   o.ResultCallbackURL,
	}, nil
}

// InlineOrderEvent turns a decoded inline order into the core's event; the
// candidate returns to completedAssessmentCallbackUrl when done. Inline
// candidates have no SmartRecruiters id yet, so their email identifies them.
func InlineOrderEvent(o InlineAssessmentPackageOrderRequest) (ats.Event, error) {
	orderID, err := o.OrderID()
	if err != nil {
		return ats.Event{}, fmt.Errorf("%w: %v", ErrInvalidOrder, err)
	}
	return ats.Event{
		Kind:           ats.EventOrderRequested,
		Mode:           core.ModeInline,
		IdempotencyKey: IdempotencyKey(orderID),
		Candidate: ats.Candidate{
			ExternalID: candidateKey("", o.Candidate.Email),
			Name:       fullName(o.Candidate.FirstName, o.Candidate.LastName),
			Email:      o.Candidate.Email,
		},
		ExternalID:    orderID,
		ExternalJobID: o.EffectiveJobID(),
		PackageID:     string(o.AssessmentPackageID),
		ReturnURL:     o.CompletedAssessmentCallbackURL,
		CallbackURL:   o.ResultCallbackURL,
	}, nil
}

func fullName(first, last string) string {
	return strings.TrimSpace(strings.TrimSpace(first) + " " + strings.TrimSpace(last))
}

// PackageFor lists a vacancy as an assessment package: a background check
// as BACKGROUND_CHECK, inline vacancies (core.Vacancy.IsInline) as
// INLINE_ASSESSMENT, others as SKILL_TEST. A built-in vacancy has one
// assessment per part (the engine's modules); an outside vendor's package
// is one assessment, the package itself. Descriptions are required, so a
// part or package without one is described by its name.
func PackageFor(v core.Vacancy) AssessmentPackage {
	typ := TypeSkillTest
	switch {
	case v.Kind == core.KindBackgroundCheck:
		typ = TypeBackgroundCheck
	case v.IsInline():
		typ = TypeInlineAssessment
	}
	p := AssessmentPackage{ID: ID(v.ID), Name: v.Name, Type: typ, Assessments: []Assessment{}}
	if !v.Builtin() {
		p.Description = cmp.Or(v.Description, v.Name)
		p.Assessments = append(p.Assessments, Assessment{ID: ID(v.ID), Name: v.Name, Description: p.Description, Type: typ})
		return p
	}
	names := make([]string, 0, len(v.Parts))
	for _, m := range v.Parts {
		p.Assessments = append(p.Assessments, Assessment{ID: ID(m.Key), Name: m.Name, Description: cmp.Or(m.Description, m.Name), Type: typ})
		names = append(names, m.Name)
	}
	p.Description = v.Name
	if len(names) > 0 {
		p.Description = strings.Join(names, ", ")
	}
	return p
}

// candidateKey identifies a candidate within an integration: SmartRecruiters'
// id when the order has one, else the email, marked so it can never equal an
// id. Two candidates without ids must not share one row (and one invitation
// address).
func candidateKey(id, email string) string {
	if id != "" {
		return id
	}
	if email == "" {
		return ""
	}
	return "email:" + strings.ToLower(strings.TrimSpace(email))
}
