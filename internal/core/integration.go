package core

import (
	"fmt"
	"time"
)

// IntegrationStatus is whether an integration acts on what its ATS sends.
type IntegrationStatus string

const (
	IntegrationDraft    IntegrationStatus = "draft"    // being configured; inbound events are refused
	IntegrationEnabled  IntegrationStatus = "enabled"  // validated and live
	IntegrationDisabled IntegrationStatus = "disabled" // switched off; configuration kept
)

// Pattern is how orders reach Switchboard from an ATS.
type Pattern string

const (
	PatternAdHoc  Pattern = "ats_first_adhoc"  // a recruiter (or a pipeline stage) orders; the candidate is emailed
	PatternInline Pattern = "ats_first_inline" // the ATS redirects the candidate mid-application
)

// ParsePattern validates a pattern name.
func ParsePattern(s string) (Pattern, error) {
	switch Pattern(s) {
	case PatternAdHoc, PatternInline:
		return Pattern(s), nil
	}
	return "", fmt.Errorf("unknown integration pattern %q (want ats_first_adhoc or ats_first_inline)", s)
}

// Integration is one account's connection to one ATS.
type Integration struct {
	ID        string
	AccountID string
	Provider  string // connector name, e.g. "lever"
	Name      string
	Status    IntegrationStatus
	Patterns  []Pattern
	// Settings are the provider's non-secret settings (base URL, trigger stage,
	// tag prefix…); the connector documents and validates its keys.
	Settings map[string]string
	// WriteBack configures what goes back to the ATS beyond status.
	WriteBack WriteBackConfig
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// HasPattern reports whether the integration has p switched on.
func (i Integration) HasPattern(p Pattern) bool {
	for _, q := range i.Patterns {
		if q == p {
			return true
		}
	}
	return false
}

// WriteBackConfig is the "Switchboard → ATS" section: which custom fields and
// reports the ATS receives.
type WriteBackConfig struct {
	// StatusField takes the order's state as the recruiter reads it
	// ("Invited", "Completed"), where the ATS has a field for it.
	StatusField     FieldMapping            `json:"status_field"`
	ScoreField      FieldMapping            `json:"score_field"`
	LabelField      FieldMapping            `json:"label_field"`
	LabelValues     map[string]string       `json:"label_values,omitempty"` // "Great fit" → ATS value id
	IndicatorFields map[string]FieldMapping `json:"indicator_fields,omitempty"`
	Reports         ReportConfig            `json:"reports"`
}

// FieldMapping points one Switchboard value at one ATS field.
type FieldMapping struct {
	Enabled bool   `json:"enabled"`
	FieldID string `json:"field_id,omitempty"`
}

// ReportConfig says which report kinds go back to the ATS.
type ReportConfig struct {
	DetailPageURL   bool `json:"detail_page_url"`
	ReadOnlyPageURL bool `json:"read_only_page_url"`
	PDFFile         bool `json:"pdf_file"`
	PDFURL          bool `json:"pdf_url"`
	SignedReportURL bool `json:"signed_report_url"`
}

// Kinds returns each report kind, by the name connectors use in their
// description, with whether it is on.
func (r ReportConfig) Kinds() map[string]bool {
	return map[string]bool{
		"detail_page_url":    r.DetailPageURL,
		"read_only_page_url": r.ReadOnlyPageURL,
		"pdf_file":           r.PDFFile,
		"pdf_url":            r.PDFURL,
		"signed_report_url":  r.SignedReportURL,
	}
}

// Set switches one report kind, named as in Kinds; unknown names change nothing.
func (r *ReportConfig) Set(kind string, on bool) {
	switch kind {
	case "detail_page_url":
		r.DetailPageURL = on
	case "read_only_page_url":
		r.ReadOnlyPageURL = on
	case "pdf_file":
		r.PDFFile = on
	case "pdf_url":
		r.PDFURL = on
	case "signed_report_url":
		r.SignedReportURL = on
	}
}

// DefaultWriteBack is what a new integration sends: the PDF as a file and a
// signed link to the read-only report, which opens without a Switchboard
// sign-in.
func DefaultWriteBack() WriteBackConfig {
	return WriteBackConfig{Reports: ReportConfig{ReadOnlyPageURL: true, PDFFile: true}}
}

// Credential is one encrypted secret of an integration. The plaintext never
// leaves the service layer; APIs show only that it is set and when.
type Credential struct {
	IntegrationID string
	Name          string
	Ciphertext    []byte
	SetAt         time.Time
}
