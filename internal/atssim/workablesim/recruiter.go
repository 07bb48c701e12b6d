package workablesim

// What Workable does towards the assessment provider, as a recruiter's
// clicks make it: list the provider's tests, and send one to a candidate
// (POST /assessments with a callback URL of Workable's), each with the key
// on the integration card.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"switchboard/internal/ats/workable"
)

// Answer is how the provider answered one of Workable's calls.
type Answer struct {
	Status int
	Body   []byte
	// Error is the provider's error body, when it answered one.
	Error workable.Error
}

func (s *Server) callProvider(ctx context.Context, subdomain, method, path, key string, body []byte) (Answer, error) {
	s.mu.Lock()
	card := s.account(subdomain).card
	s.mu.Unlock()
	if card.ProviderURL == "" {
		return Answer{}, fmt.Errorf("workablesim: account %q has no provider configured on its integration card", subdomain)
	}
	if key == "" {
		key = card.ProviderKey
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, card.ProviderURL+path, rd)
	if err != nil {
		return Answer{}, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.partner.Do(req)
	if err != nil {
		return Answer{}, fmt.Errorf("workablesim: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Answer{}, fmt.Errorf("workablesim: %s %s: read: %w", method, path, err)
	}
	a := Answer{Status: resp.StatusCode, Body: b}
	if resp.StatusCode >= 400 {
		_ = json.Unmarshal(b, &a.Error) // a body of another shape leaves it empty, which a test sees
	}
	return a, nil
}

// ListTests is GET /tests, as Workable lists the tests a recruiter can
// attach to a stage.
func (s *Server) ListTests(ctx context.Context, subdomain string) ([]workable.Test, Answer, error) {
	a, err := s.callProvider(ctx, subdomain, http.MethodGet, workable.PathTests, "", nil)
	if err != nil || a.Status != http.StatusOK {
		return nil, a, err
	}
	var t workable.Tests
	if err := json.Unmarshal(a.Body, &t); err != nil {
		return nil, a, fmt.Errorf("workablesim: GET /tests: %w", err)
	}
	return t.Tests, a, nil
}

// SendOptions vary what SendAssessment sends, for tests of refusals.
type SendOptions struct {
	// Key replaces the integration card's key (a wrong or rotated one).
	Key string
	// CallbackURL replaces the callback URL Workable would make.
	CallbackURL string
}

// SendAssessment is a recruiter sending the test to a candidate: Workable
// creates an assessment with its callback URL and POSTs /assessments. The
// assessment is kept (with the provider's id once accepted) whatever the
// answer, as Workable shows a failed send too.
func (s *Server) SendAssessment(ctx context.Context, subdomain, candidateID, testID string, o SendOptions) (Assessment, Answer, error) {
	s.mu.Lock()
	a := s.account(subdomain)
	c, ok := a.candidate(candidateID)
	if !ok {
		s.mu.Unlock()
		return Assessment{}, Answer{}, fmt.Errorf("workablesim: no candidate %q", candidateID)
	}
	id := randomHex(6)
	as := &Assessment{ID: id, CandidateID: candidateID, Job: c.Job, TestID: testID,
		CallbackURL: s.baseURL + "/" + subdomain + "/assessment-results/" + id}
	if o.CallbackURL != "" {
		as.CallbackURL = o.CallbackURL
	}
	as.Request = workable.AssessmentRequest{TestID: workable.FlexString(testID), JobShortcode: c.Job.Shortcode, JobTitle: c.Job.Title,
		CallbackURL: as.CallbackURL, Candidate: workable.CandidateInfo{FirstName: c.Firstname, LastName: c.Lastname, Email: c.Email, Phone: c.Phone}}
	a.assessments[id] = as
	a.order = append(a.order, id)
	s.mu.Unlock()
	return s.post(ctx, subdomain, id, o.Key)
}

// Resend POSTs an assessment's request again, unchanged, as Workable does
// when it did not get the answer.
func (s *Server) Resend(ctx context.Context, subdomain, assessmentID string) (Assessment, Answer, error) {
	return s.post(ctx, subdomain, assessmentID, "")
}

func (s *Server) post(ctx context.Context, subdomain, id, key string) (Assessment, Answer, error) {
	s.mu.Lock()
	as, ok := s.account(subdomain).assessments[id]
	if !ok {
		s.mu.Unlock()
		return Assessment{}, Answer{}, fmt.Errorf("workablesim: no assessment %q", id)
	}
	body, err := json.Marshal(as.Request)
	s.mu.Unlock()
	if err != nil {
		return Assessment{}, Answer{}, err
	}
	ans, err := s.callProvider(ctx, subdomain, http.MethodPost, workable.PathAssessments, key, body)
	if err != nil {
		return Assessment{}, ans, err
	}
	if ans.Status == http.StatusOK || ans.Status == http.StatusCreated {
		var created workable.AssessmentCreated
		if err := json.Unmarshal(ans.Body, &created); err != nil || created.AssessmentID == "" {
			return Assessment{}, ans, fmt.Errorf("workablesim: POST /assessments answered %d without an assessment_id: %s", ans.Status, ans.Body)
		}
		s.mu.Lock()
		as.ProviderID = created.AssessmentID
		s.mu.Unlock()
	}
	got, _ := s.Assessment(subdomain, id)
	return got, ans, nil
}
