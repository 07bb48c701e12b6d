package srsim

// The customer API as applicant review uses it: API keys (X-SmartToken)
// issued per company beside the OAuth credentials, jobs with the fields
// review reads, candidates in full (work history, education, tags),
// applications, screening answers, and status moves with SmartRecruiters'
// refusals. Wire shapes and what of them is inferred are in
// internal/ats/smartrecruiters/wire_customer.go.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	sr "switchboard/internal/ats/smartrecruiters"
)

// DefaultAPIKeyScopes are what an API key issued without scopes may do:
// read jobs and candidates, write properties, move candidates, manage
// webhooks.
var DefaultAPIKeyScopes = []string{
	sr.ScopeJobsRead, sr.ScopeCandidatesRead, sr.ScopeCandidatesWrite, sr.ScopeCandidatesManage, sr.ScopeWebhooksManage,
}

// DefaultReasons are the rejection and withdrawal reason ids every company
// has (GET /configuration/rejection-reasons is not simulated).
var DefaultReasons = []string{"not-qualified", "position-filled", "candidate-withdrew", "accepted-other-offer"}

// Profile is what a full candidate carries beyond the list's summary.
type Profile struct {
	PhoneNumber string
	Location    *sr.Location
	Web         *sr.CandidateWeb
	Tags        []string
	Experience  []sr.ExperienceEntry
	Education   []sr.EducationEntry
}

func cloneProfile(p Profile) Profile {
	if p.Location != nil {
		l := *p.Location
		p.Location = &l
	}
	if p.Web != nil {
		w := *p.Web
		p.Web = &w
	}
	p.Tags = slices.Clone(p.Tags)
	p.Experience = slices.Clone(p.Experience)
	p.Education = slices.Clone(p.Education)
	return p
}

// IssueAPIKey issues an API key (SmartToken) of a company, as the
// customer's admin does under Settings › Apps & Integrations ›
// Credentials. No scopes means DefaultAPIKeyScopes. The key is one API user
// for the rate limits, apart from the company's OAuth credentials.
func (s *Server) IssueAPIKey(companyID string, scopes ...string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.companies[companyID] == nil {
		return "", fmt.Errorf("srsim: issue API key: company %q: %w", companyID, ErrNotFound)
	}
	if len(scopes) == 0 {
		scopes = DefaultAPIKeyScopes
	}
	key := randomSecret()
	sum := sha256.Sum256([]byte(key))
	id := "smarttoken-" + hex.EncodeToString(sum[:6])
	s.creds[id] = &credential{clientID: id, secret: key, companyID: companyID, scopes: slices.Clone(scopes)}
	if s.apiKeys == nil {
		s.apiKeys = map[string]string{}
	}
	s.apiKeys[key] = id
	return key, nil
}

// APIKeyClientID is the credential id an API key counts as, for InFlight,
// RevokeClient and GrantScopes; "" for an unknown key.
func (s *Server) APIKeyClientID(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apiKeys[key]
}

// GrantScopes adds scopes to a credential (a company's OAuth credential
// that should also move candidates or manage webhooks, say).
func (s *Server) GrantScopes(clientID string, scopes ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cred := s.creds[clientID]
	if cred == nil {
		return fmt.Errorf("srsim: grant scopes: client %q: %w", clientID, ErrNotFound)
	}
	for _, sc := range scopes {
		if !slices.Contains(cred.scopes, sc) {
			cred.scopes = append(cred.scopes, sc)
		}
	}
	return nil
}

// authenticateKey resolves an X-SmartToken. Caller holds s.mu.
func (s *Server) authenticateKey(key string) (*credential, bool) {
	cred := s.creds[s.apiKeys[key]]
	if cred == nil || cred.revoked || cred.secret != key {
		return nil, false
	}
	return cred, true
}

// JobSpec is a job to add for applicant review.
type JobSpec struct {
	Title      string
	RefNumber  string // "" gets REF<n>
	Status     string // "" is SOURCING
	Department string
	City       string
	Country    string
	Creator    sr.UserRef // the recruiter
	// ProcessID is the hiring process; "" uses the company's default one
	// (a single step), made on first use.
	ProcessID string
}

// AddJobWith adds a job as applicant review sees it.
func (s *Server) AddJobWith(companyID string, spec JobSpec) (sr.Job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companies[companyID]
	if c == nil {
		return sr.Job{}, fmt.Errorf("srsim: add job: company %q: %w", companyID, ErrNotFound)
	}
	if spec.Status == "" {
		spec.Status = sr.JobSourcing
	}
	if !slices.Contains(sr.JobStatuses, spec.Status) {
		return sr.Job{}, fmt.Errorf("srsim: add job: unknown status %q", spec.Status)
	}
	pid := spec.ProcessID
	if pid == "" {
		if c.defaultProcess == "" {
			hp := &HiringProcess{ID: newID(), Name: "Default", Steps: []Step{{ID: newID(), Name: "Applied"}}}
			c.processes[hp.ID] = hp
			c.defaultProcess = hp.ID
		}
		pid = c.defaultProcess
	}
	if c.processes[pid] == nil {
		return sr.Job{}, fmt.Errorf("srsim: add job: hiring process %q: %w", pid, ErrNotFound)
	}
	now := sr.At(s.now())
	if spec.RefNumber == "" {
		spec.RefNumber = fmt.Sprintf("REF%d", len(c.jobs)+1)
	}
	j := &job{Job: sr.Job{
		ID: sr.ID(newID()), Title: spec.Title, RefNumber: spec.RefNumber, Status: spec.Status,
		PostingStatus: "PUBLIC", CreatedOn: now, UpdatedOn: now,
	}, processID: pid}
	if spec.Department != "" {
		j.Department = &sr.Labeled{ID: slug(spec.Department), Label: spec.Department}
	}
	if spec.City != "" || spec.Country != "" {
		j.Location = &sr.Location{City: spec.City, Country: spec.Country}
	}
	if spec.Creator != (sr.UserRef{}) {
		cr := spec.Creator
		j.Creator = &cr
	}
	c.jobs = append(c.jobs, j)
	c.jobByID[string(j.ID)] = j
	return cloneJob(j.Job), nil
}

func cloneJob(j sr.Job) sr.Job {
	if j.Department != nil {
		d := *j.Department
		j.Department = &d
	}
	if j.Location != nil {
		l := *j.Location
		j.Location = &l
	}
	if j.Creator != nil {
		cr := *j.Creator
		j.Creator = &cr
	}
	return j
}

// SetProfile sets a candidate's full profile; it counts as an update.
func (s *Server) SetProfile(companyID, candidateID string, p Profile) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companies[companyID]
	if c == nil {
		return fmt.Errorf("srsim: set profile: company %q: %w", companyID, ErrNotFound)
	}
	cand := findCandidate(c, candidateID)
	if cand == nil {
		return fmt.Errorf("srsim: set profile: candidate %q: %w", candidateID, ErrNotFound)
	}
	cand.profile = cloneProfile(p)
	cand.UpdatedOn = sr.At(s.now())
	return nil
}

// SetAnswers sets the screening answers of a candidate's application.
func (s *Server) SetAnswers(companyID, candidateID, jobID string, answers ...sr.ScreeningAnswer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, a, err := s.applicationOf(companyID, candidateID, jobID)
	if err != nil {
		return fmt.Errorf("srsim: set answers: %w", err)
	}
	a.answers = slices.Clone(answers)
	return nil
}

// SetApplicationStatus sets an application's status as a recruiter in
// SmartRecruiters would, with no check; it counts as an update.
func (s *Server) SetApplicationStatus(companyID, candidateID, jobID string, status sr.CandidateStatus, subStatus string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cand, a, err := s.applicationOf(companyID, candidateID, jobID)
	if err != nil {
		return fmt.Errorf("srsim: set application status: %w", err)
	}
	s.setStatus(cand, a, status, subStatus)
	return nil
}

// applicationOf finds a company's candidate and their application to
// jobID. Caller holds s.mu.
func (s *Server) applicationOf(companyID, candidateID, jobID string) (*candidate, *application, error) {
	_, cand, _, err := s.lookup(companyID, candidateID, jobID)
	if err != nil {
		return nil, nil, err
	}
	a := findApp(cand, jobID)
	if a == nil {
		return nil, nil, fmt.Errorf("application of %q to %q: %w", candidateID, jobID, ErrNotFound)
	}
	return cand, a, nil
}

// setStatus moves an application. Caller holds s.mu.
func (s *Server) setStatus(cand *candidate, a *application, status sr.CandidateStatus, subStatus string) {
	now := s.now()
	a.status, a.subStatus, a.updatedOn = status, subStatus, now
	cand.UpdatedOn = sr.At(now)
}

// RequireSubStatus makes moves to status (IN_REVIEW, INTERVIEW or OFFERED)
// name a sub-status, as a hiring process with sub-statuses does.
func (s *Server) RequireSubStatus(companyID string, status sr.CandidateStatus) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companies[companyID]
	if c == nil {
		return fmt.Errorf("srsim: require sub-status: company %q: %w", companyID, ErrNotFound)
	}
	if !status.HasSubStatuses() {
		return fmt.Errorf("srsim: require sub-status: %s has no sub-statuses", status)
	}
	if c.requiredSub == nil {
		c.requiredSub = map[sr.CandidateStatus]bool{}
	}
	c.requiredSub[status] = true
	return nil
}

// ApplicantState is a candidate's application as the simulator holds it.
type ApplicantState struct {
	CandidateID string
	JobID       string
	Status      sr.CandidateStatus
	SubStatus   string
	UpdatedOn   time.Time
}

// ApplicantState returns a candidate's application to a job.
func (s *Server) ApplicantState(companyID, candidateID, jobID string) (ApplicantState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, a, err := s.applicationOf(companyID, candidateID, jobID)
	if err != nil {
		return ApplicantState{}, false
	}
	return ApplicantState{CandidateID: candidateID, JobID: jobID, Status: a.status, SubStatus: a.subStatus, UpdatedOn: a.updatedOn}, true
}

// Seed material: enough variety for ranking to tell applicants apart.
var (
	seedFirst   = []string{"Ann", "Ben", "Chloe", "Dev", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Luca", "Mei", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wei", "Ximena", "Yusuf", "Zoe"}
	seedLast    = []string{"Lee", "Okafor", "Müller", "Rossi", "Novak", "Silva", "Kim", "Haddad", "Schmidt", "Garcia", "Tanaka", "Kowalski", "Dubois", "Nguyen", "Ivanova", "Patel", "O'Brien", "Jensen"}
	seedTitles  = []string{"Software Engineer", "Senior Go Developer", "Backend Engineer", "Data Engineer", "Site Reliability Engineer", "Frontend Developer", "Engineering Manager", "QA Engineer", "DevOps Engineer", "Product Analyst", "Barista", "Store Manager"}
	seedFirms   = []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne Enterprises", "Tyrell", "Cyberdyne", "Soylent", "Wonka"}
	seedSchools = []string{"TU Berlin", "ETH Zürich", "University of Lagos", "Politecnico di Milano", "MIT", "University of Tokyo", "Sorbonne", "University of Toronto", "IIT Bombay"}
	seedDegrees = []string{"BSc", "MSc", "PhD", "BA", "MBA", "Diploma"}
	seedMajors  = []string{"Computer Science", "Mathematics", "Physics", "Economics", "Electrical Engineering", "Hospitality"}
	seedSkills  = []string{"go", "kubernetes", "postgresql", "sqlite", "react", "typescript", "python", "terraform", "aws", "gcp", "kafka", "grpc", "latte art", "leadership"}
	seedCities  = []struct{ city, country string }{{"Berlin", "DE"}, {"Lagos", "NG"}, {"Milan", "IT"}, {"Toronto", "CA"}, {"Tokyo", "JP"}, {"Austin", "US"}, {"Mumbai", "IN"}}
	seedStatus  = []sr.CandidateStatus{sr.CandidateNew, sr.CandidateNew, sr.CandidateNew, sr.CandidateInReview, sr.CandidateInReview, sr.CandidateInterview, sr.CandidateOffered, sr.CandidateRejected}
)

// SeedApplicants makes n candidates who applied to jobID, each with a
// varied work history, education, tags, location, status and two screening
// answers, deterministically for the job and the company's candidate count.
// It returns their ids in list order. 10,000 take well under a second.
func (s *Server) SeedApplicants(companyID, jobID string, n int) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companies[companyID]
	if c == nil {
		return nil, fmt.Errorf("srsim: seed applicants: company %q: %w", companyID, ErrNotFound)
	}
	j := findJob(c, jobID)
	if j == nil {
		return nil, fmt.Errorf("srsim: seed applicants: job %q: %w", jobID, ErrNotFound)
	}
	hp := c.processes[j.processID]
	h := fnv.New64a()
	h.Write([]byte(jobID))
	rng := rand.New(rand.NewPCG(h.Sum64(), uint64(c.candSeq)))
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	now := s.now()
	ids := make([]string, 0, n)
	c.candidates = slices.Grow(c.candidates, n)
	for range n {
		first, last := pick(seedFirst), pick(seedLast)
		email := fmt.Sprintf("%s.%s.%d@example.com", strings.ToLower(first), slug(last), c.candSeq+1)
		cand := s.newCandidate(c, first, last, email, "en")
		loc := seedCities[rng.IntN(len(seedCities))]
		p := Profile{
			PhoneNumber: fmt.Sprintf("+1555%07d", c.candSeq),
			Location:    &sr.Location{City: loc.city, Country: loc.country},
			Web:         &sr.CandidateWeb{LinkedIn: "https://www.linkedin.com/in/" + slug(first+last) + strconv.Itoa(c.candSeq)},
		}
		for range 1 + rng.IntN(4) {
			if t := pick(seedSkills); !slices.Contains(p.Tags, t) {
				p.Tags = append(p.Tags, t)
			}
		}
		// Positions back to back, most recent first, the latest ongoing
		// for most applicants.
		end := now.AddDate(0, -rng.IntN(6), 0)
		for k := range 1 + rng.IntN(4) {
			months := 6 + rng.IntN(60)
			start := end.AddDate(0, -months, 0)
			e := sr.ExperienceEntry{
				Title: pick(seedTitles), Company: pick(seedFirms),
				StartDate: sr.Month(start.Year(), start.Month()), EndDate: sr.Month(end.Year(), end.Month()),
				Description: "Worked with " + pick(seedSkills) + " and " + pick(seedSkills) + ".",
			}
			if k == 0 && rng.IntN(4) > 0 {
				e.Current, e.EndDate = true, sr.ProfileDate{}
			}
			p.Experience = append(p.Experience, e)
			end = start.AddDate(0, -rng.IntN(3), 0)
		}
		if rng.IntN(10) > 0 {
			grad := end.AddDate(0, -rng.IntN(12), 0)
			p.Education = append(p.Education, sr.EducationEntry{
				Institution: pick(seedSchools), Degree: pick(seedDegrees), Major: pick(seedMajors),
				StartDate: sr.Month(grad.Year()-3, 9), EndDate: sr.Month(grad.Year(), grad.Month()),
			})
		}
		cand.profile = p
		a := s.newApplication(c, jobID, hp.Steps[0].ID, false)
		a.status = seedStatus[rng.IntN(len(seedStatus))]
		a.answers = []sr.ScreeningAnswer{
			sr.TextAnswer("q-authorized", "Are you authorized to work in "+loc.country+"?", []string{"Yes", "No"}[rng.IntN(2)]),
			sr.TextAnswer("q-notice", "Notice period (weeks)", strconv.Itoa(rng.IntN(13))),
		}
		cand.apps = append(cand.apps, a)
		ids = append(ids, string(cand.ID))
	}
	return ids, nil
}

// renderDetails is a candidate in full. Caller holds s.mu.
func (s *Server) renderDetails(c *company, cand *candidate) sr.CandidateDetails {
	p := cloneProfile(cand.profile)
	return sr.CandidateDetails{
		Candidate: s.renderCandidate(c, cand), PhoneNumber: p.PhoneNumber, Location: p.Location,
		Web: p.Web, Tags: p.Tags, Experience: p.Experience, Education: p.Education,
	}
}

func listCursor(seq int) string { return fmt.Sprintf("%024x", seq) }

// parseUpdatedAfter reads updatedAfter: yyyy-MM-ddTHH:mm:ss.SSSZZ, with the
// offset as +00:00, +0000 or Z.
func parseUpdatedAfter(v string) (time.Time, error) {
	var err error
	for _, layout := range []string{"2006-01-02T15:04:05.000Z07:00", "2006-01-02T15:04:05.000Z0700"} {
		var t time.Time
		if t, err = time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

func failCode(status int, code, format string, args ...any) reply {
	return reply{status, sr.NewErrorResponse(code, fmt.Sprintf(format, args...))}
}

// reviewRoutes registers the customer API's application routes and the
// Webhooks API.
func (s *Server) reviewRoutes(route func(pattern string, scopes []string, h handlerFunc)) {
	read := []string{sr.ScopeCandidatesRead}
	// The spec says candidates_manage, the permission reference candidates_create.
	move := []string{sr.ScopeCandidatesManage, "candidates_create"}
	route("GET /candidates/{id}/jobs/{jobId}", read, s.getApplication)
	route("GET /candidates/{id}/jobs/{jobId}/screening-answers", read, s.getScreeningAnswers)
	route("PUT /candidates/{id}/jobs/{jobId}/status", move, s.putStatus)
	route("POST /candidates", move, s.createCandidate)
	s.webhookRoutes(route)
}

// application finds the credential's company's application; the reply is
// set when there is none. Caller holds s.mu.
func (s *Server) application(cred *credential, r *http.Request) (*company, *candidate, *application, *reply) {
	c := s.companies[cred.companyID]
	if c == nil {
		rep := fail(http.StatusForbidden, "Credential has no company")
		return nil, nil, nil, &rep
	}
	cand := findCandidate(c, r.PathValue("id"))
	if cand == nil {
		rep := fail(http.StatusNotFound, "Candidate not found")
		return nil, nil, nil, &rep
	}
	a := findApp(cand, r.PathValue("jobId"))
	if a == nil {
		rep := failCode(http.StatusNotFound, "JOB_NOT_FOUND", "Candidate is not assigned to given job")
		return nil, nil, nil, &rep
	}
	return c, cand, a, nil
}

func (s *Server) getApplication(w http.ResponseWriter, r *http.Request, cred *credential) {
	s.locked(w, func() reply {
		c, cand, a, rep := s.application(cred, r)
		if rep != nil {
			return *rep
		}
		return okReply(sr.Application{
			ApplicationID: sr.ID(a.id), CandidateID: cand.ID, JobID: sr.ID(a.jobID),
			Status: a.status, SubStatus: a.subStatus,
			URL:       s.baseURL + "/app/people/applications/" + a.id + "?company=" + c.id,
			CreatedOn: sr.At(a.createdOn), UpdatedOn: sr.At(a.updatedOn),
		})
	})
}

func (s *Server) getScreeningAnswers(w http.ResponseWriter, r *http.Request, cred *credential) {
	s.locked(w, func() reply {
		_, _, a, rep := s.application(cred, r)
		if rep != nil {
			return *rep
		}
		return okReply(sr.ScreeningAnswers{Content: append([]sr.ScreeningAnswer{}, a.answers...)})
	})
}

// createCandidate adds a candidate to the talent pool, outside any job
// (POST /candidates; its body's fields are inferred): names and a valid
// email are required (400), an email already a candidate's is refused (409
// [I]), and the candidate comes back 201.
func (s *Server) createCandidate(w http.ResponseWriter, r *http.Request, cred *credential) {
	b := readJSON(w, r)
	if b == nil {
		return
	}
	var in sr.CandidateInput
	if err := json.Unmarshal(b, &in); err != nil {
		writeError(w, http.StatusBadRequest, "Body must be a candidate {firstName, lastName, email}")
		return
	}
	s.locked(w, func() reply {
		c := s.companies[cred.companyID]
		switch {
		case c == nil:
			return fail(http.StatusForbidden, "Credential has no company")
		case strings.TrimSpace(in.FirstName) == "" || strings.TrimSpace(in.LastName) == "":
			return fail(http.StatusBadRequest, "firstName and lastName are required")
		case !strings.Contains(in.Email, "@"):
			return fail(http.StatusBadRequest, "email %q is not valid", in.Email)
		}
		for _, k := range c.candidates {
			if strings.EqualFold(k.Email, in.Email) {
				return fail(http.StatusConflict, "A candidate with email %s already exists", in.Email)
			}
		}
		cand := s.newCandidate(c, in.FirstName, in.LastName, in.Email, "en")
		return reply{http.StatusCreated, s.renderCandidate(c, cand)}
	})
}

// putStatus moves an application, refusing as SmartRecruiters does
// (wire_customer.go for which refusals are verified).
func (s *Server) putStatus(w http.ResponseWriter, r *http.Request, cred *credential) {
	b := readJSON(w, r)
	if b == nil {
		return
	}
	var u sr.StatusUpdate
	if err := json.Unmarshal(b, &u); err != nil {
		writeError(w, http.StatusBadRequest, "Body must be {status, subStatus?, startsOn?, reason?}")
		return
	}
	s.locked(w, func() reply {
		c, cand, a, rep := s.application(cred, r)
		if rep != nil {
			return *rep
		}
		switch {
		case u.Status == "":
			return failCode(http.StatusBadRequest, sr.CodeInvalidStatus, "status is required")
		case !u.Status.Valid() || u.Status == sr.CandidateLead || u.Status == sr.CandidateTransferred:
			return failCode(http.StatusBadRequest, sr.CodeInvalidStatus, "Status %q cannot be set on an application", u.Status)
		case u.Reason != "" && u.Status != sr.CandidateRejected && u.Status != sr.CandidateWithdrawn:
			return failCode(http.StatusBadRequest, sr.CodeNoReasonSupport, "Reason is available only for REJECTED and WITHDRAWN statuses")
		case u.Reason != "" && !c.reasons[u.Reason]:
			return failCode(http.StatusBadRequest, sr.CodeReasonNotFound, "Reason %q not found", u.Reason)
		case u.SubStatus != "" && !u.Status.HasSubStatuses():
			return failCode(http.StatusBadRequest, sr.CodeInvalidStatus, "Status %s has no sub-statuses", u.Status)
		case u.SubStatus == "" && c.requiredSub[u.Status]:
			return failCode(http.StatusBadRequest, sr.CodeRequiredSubStatus, "There is a required sub status before the status you want to move a candidate to")
		case u.Status == a.status && u.SubStatus == a.subStatus:
			return failCode(http.StatusBadRequest, sr.CodeStatusNotChanged, "Candidate already has status %s", u.Status)
		}
		s.setStatus(cand, a, u.Status, u.SubStatus)
		return reply{status: http.StatusNoContent}
	})
}

// TalentPool returns the company's candidates who applied to no job, oldest
// first (a test prospect lands there).
func (s *Server) TalentPool(companyID string) []sr.Candidate {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companies[companyID]
	if c == nil {
		return nil
	}
	var out []sr.Candidate
	for _, k := range c.candidates {
		if len(k.apps) == 0 {
			out = append(out, s.renderCandidate(c, k))
		}
	}
	return out
}
