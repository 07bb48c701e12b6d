package smartrecruiters

// The mapping between Switchboard's domain and SmartRecruiters' wire format,
// one function per direction and kind, so the connector holds no wire details.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/assess"
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

// ResultFor builds the COMPLETED results PATCH for an outcome: the overall
// score triple, the fit label as scoreLabel, the summary, one assessment
// result per matching indicator (by module key), and the report links.
func ResultFor(o assess.Outcome, d ResultDetails) PackageResult {
	r := PackageResult{
		Status:                StatusCompleted,
		AssessmentPackageDate: At(d.SentAt),
		SubmissionDate:        At(d.SubmittedAt),
		Score:                 &Score{Raw: Int(o.Score), Min: Int(o.Min), Max: Int(o.Max)},
		ScoreLabel:            string(o.Label),
		Summary:               o.Summary,
	}
	if d.PDFURL != "" {
		r.Attachments = append(r.Attachments, Attachment{Type: AttachmentPDFURL, URL: d.PDFURL})
	}
	if d.ResultURL != "" {
		r.Attachments = append(r.Attachments, Attachment{Type: AttachmentOtherURL, URL: d.ResultURL})
	}
	for _, ind := range o.Indicators {
		r.AssessmentResults = append(r.AssessmentResults, AssessmentResult{
			AssessmentID:   ID(ind.Key),
			AssessmentName: ind.Name,
			Status:         StatusCompleted,
			SubmissionDate: At(d.SubmittedAt),
			// Indicators are 0–100 by construction (assess.Score).
			Score:      &Score{Raw: Int(ind.Score), Min: 0, Max: 100},
			ScoreLabel: string(ind.Label),
		})
	}
	return r
}

// ErrNoLabelValue is wrapped by PropertiesFor when the label field is on but
// the outcome's label has no configured SmartRecruiters value id.
var ErrNoLabelValue = errors.New("no SmartRecruiters value id configured for label")

// PropertiesFor builds the body of PUT /candidates/{id}/jobs/{jobId}/properties
// from an outcome and the integration's custom-field configuration: the
// overall score as text, the label as the single-select value id mapped from
// Great fit / Good fit / Poor fit, and one text property per matching
// indicator, keyed by the module key and written to the configured field id.
// It returns nil when no field is enabled. Order: score, label, indicators
// in the outcome's order.
func PropertiesFor(o assess.Outcome, wb core.WriteBackConfig) ([]PropertyValue, error) {
	var props []PropertyValue
	if f := wb.ScoreField; f.Enabled && f.FieldID != "" {
		props = append(props, TextProperty(f.FieldID, strconv.Itoa(o.Score)))
	}
	if f := wb.LabelField; f.Enabled && f.FieldID != "" {
		v := wb.LabelValues[string(o.Label)]
		if v == "" {
			return nil, fmt.Errorf("%w %q", ErrNoLabelValue, o.Label)
		}
		props = append(props, SelectProperty(f.FieldID, v))
	}
	for _, ind := range o.Indicators {
		if f, ok := wb.IndicatorFields[ind.Key]; ok && f.Enabled && f.FieldID != "" {
			props = append(props, TextProperty(f.FieldID, strconv.Itoa(ind.Score)))
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

// PackageFor lists a vacancy as an assessment package: inline vacancies
// (core.Vacancy.IsInline) as INLINE_ASSESSMENT, others as SKILL_TEST, with one
// assessment per module. Descriptions are required, so a module without one
// is described by its name.
func PackageFor(v core.Vacancy) AssessmentPackage {
	typ := TypeSkillTest
	if v.IsInline() {
		typ = TypeInlineAssessment
	}
	p := AssessmentPackage{ID: ID(v.ID), Name: v.Name, Type: typ, Assessments: []Assessment{}}
	names := make([]string, 0, len(v.Package.Modules))
	for _, m := range v.Package.Modules {
		desc := m.Description
		if desc == "" {
			desc = m.Name
		}
		p.Assessments = append(p.Assessments, Assessment{ID: ID(m.Key), Name: m.Name, Description: desc, Type: typ})
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
