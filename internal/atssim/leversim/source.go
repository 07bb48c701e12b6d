package leversim

// What applicant review reads from Lever: postings by state with their
// owners, a posting's opportunities changed since a time, each one's parsed
// resumes, and the controls that set them up (SeedOpportunities makes a
// 10k-applicant posting in well under a second).

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"switchboard/internal/ats/lever"
)

// UpdatePosting changes a posting with fn (its team, location, hiring
// manager, requisition codes...) and stamps updatedAt. fn cannot change the
// posting's id.
func (s *Server) UpdatePosting(id string, fn func(p *lever.Posting)) (lever.Posting, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.posting(id)
	if p == nil {
		return lever.Posting{}, fmt.Errorf("leversim: update posting %q: %w", id, ErrNotFound)
	}
	fn(p)
	p.ID, p.UpdatedAt = id, s.nowMillis()
	p.Owner.User, p.HiringManager.User = nil, nil // stored as ids, expanded when asked
	return clonePosting(*p), nil
}

// ClosePosting closes a posting, as when its job is filled: it is no longer
// published, so it leaves the open jobs.
func (s *Server) ClosePosting(id string) error {
	_, err := s.UpdatePosting(id, func(p *lever.Posting) { p.State = "closed" })
	return err
}

// UpdateOpportunity changes an opportunity with fn (its headline, location,
// emails, tags, archived state...) and stamps updatedAt, as any change in
// Lever does. fn cannot change the id or the stage: MoveStage moves it.
func (s *Server) UpdateOpportunity(id string, fn func(o *lever.Opportunity)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.oppByID[id]
	if o == nil {
		return fmt.Errorf("leversim: update opportunity %q: %w", id, ErrNotFound)
	}
	stage, changes := o.opp.Stage, o.opp.StageChanges
	fn(&o.opp)
	o.opp.ID, o.opp.Stage, o.opp.StageChanges = id, stage, changes
	o.opp.UpdatedAt = s.nowMillis()
	return nil
}

// AddResume attaches a resume with parsed data to an opportunity, newest
// last, and stamps the opportunity's updatedAt.
func (s *Server) AddResume(opportunityID string, parsed lever.ResumeParsedData) (lever.Resume, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.oppByID[opportunityID]
	if o == nil {
		return lever.Resume{}, fmt.Errorf("leversim: add resume: opportunity %q: %w", opportunityID, ErrNotFound)
	}
	r := s.addResume(o, parsed)
	return cloneResume(r), nil
}

// addResume stores a copy of parsed. Caller holds s.mu.
func (s *Server) addResume(o *opportunity, parsed lever.ResumeParsedData) lever.Resume {
	now := s.nowMillis()
	id := newID()
	r := cloneResume(lever.Resume{
		ID: id, CreatedAt: now, ParsedData: parsed,
		File: &lever.ResumeFile{Name: "resume.pdf", Ext: "pdf", DownloadURL: "https://hire.lever.co/resumes/" + id + "/download", UploadedAt: now, Status: "processed", Size: 48213},
	})
	o.resumes = append(o.resumes, r)
	o.opp.UpdatedAt = now
	return r
}

// Seed data: varied enough for filters and ranking to have something to
// tell apart, and the same for the same index on every run.
var (
	seedTitles    = []string{"Barista", "Shift Lead", "Software Engineer", "Data Analyst", "Store Manager", "Product Designer", "Backend Developer"}
	seedCompanies = []string{"Bean There", "Acme Corp", "Globex", "Initech", "Umbrella Coffee", "Hooli"}
	seedSkills    = []string{"Go", "SQL", "latte art", "PostgreSQL", "customer service", "Kubernetes", "Python", "team leadership"}
	seedSchools   = []string{"State University", "City College", "Institute of Technology", "Barista Academy"}
	seedDegrees   = []string{"BSc", "BA", "MSc", "Diploma"}
	seedFields    = []string{"Computer Science", "Hospitality", "Economics", "Design"}
	seedCities    = []string{"Amsterdam", "Berlin", "London", "Lisbon", "Remote"}
)

// SeedOpportunities adds n applicants to a posting in stage New applicant,
// without webhooks, and returns their ids in creation order (the list
// order). Applicant i has 1–3 positions and a school; every tenth has no
// resume at all, as applicants added by hand often have none.
func (s *Server) SeedOpportunities(postingID string, n int) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	posting := s.posting(postingID)
	if posting == nil {
		return nil, fmt.Errorf("leversim: seed opportunities: posting %q: %w", postingID, ErrNotFound)
	}
	now := s.nowMillis()
	newApplicant := s.stageIndex(lever.StageNewApplicant)
	base := len(s.opps)
	ids := make([]string, n)
	for i := range n {
		k := base + i
		id, contact := newID(), newID()
		name := fmt.Sprintf("Applicant %05d", k+1)
		email := fmt.Sprintf("applicant%05d@example.com", k+1)
		o := &opportunity{opp: lever.Opportunity{
			ID: id, Name: name, Contact: contact,
			Headline: pick(seedTitles, k) + " at " + pick(seedCompanies, k),
			Location: pick(seedCities, k),
			Emails:   []string{email}, Phones: []lever.Phone{}, Links: []string{},
			CreatedAt: now, UpdatedAt: now, LastInteractionAt: now, LastAdvancedAt: now,
			Stage:        lever.StageRef{ID: lever.StageNewApplicant},
			StageChanges: []lever.StageChange{{ToStageID: lever.StageNewApplicant, ToStageIndex: newApplicant, UpdatedAt: now}},
			Owner:        lever.UserRef{ID: posting.Owner.ID},
			Tags:         []string{pick(seedSkills, k)}, Sources: []string{"Job site"}, Origin: "applied",
			Followers: []string{},
			URLs:      lever.URLs{List: "https://hire.lever.co/candidates", Show: "https://hire.lever.co/candidates/" + id},
		}}
		o.apps = []lever.Application{{
			ID: newID(), OpportunityID: id, CandidateID: id, CreatedAt: now, Type: "posting",
			Posting: posting.ID, PostingOwner: posting.Owner.ID, PostingHiringManager: posting.HiringManager.ID,
			Name: name, Email: email,
		}}
		if k%10 != 9 {
			s.addResume(o, seedResume(k))
		}
		s.opps = append(s.opps, o)
		s.oppByID[id] = o
		ids[i] = id
	}
	return ids, nil
}

func pick(list []string, k int) string { return list[k%len(list)] }

// seedResume is applicant k's work history: (k%3)+1 positions ending in a
// current one, and one school.
func seedResume(k int) lever.ResumeParsedData {
	var d lever.ResumeParsedData
	year := 2010 + k%8
	for j := range k%3 + 1 {
		p := lever.ResumePosition{
			Org: pick(seedCompanies, k+j), Title: pick(seedTitles, k+j),
			Summary: "Worked with " + pick(seedSkills, k+j) + " and " + pick(seedSkills, k+j+3) + ".",
			Start:   &lever.ResumeDate{Year: year, Month: 1 + (k+j)%12},
		}
		year += 1 + (k+j)%3
		if j < k%3 {
			p.End = &lever.ResumeDate{Year: year, Month: 1 + (k+j+5)%12}
		}
		d.Positions = append(d.Positions, p)
	}
	d.Schools = []lever.ResumeSchool{{
		Org: pick(seedSchools, k), Degree: pick(seedDegrees, k), Field: pick(seedFields, k),
		Start: &lever.ResumeDate{Year: 2006 + k%4, Month: 9}, End: &lever.ResumeDate{Year: 2009 + k%4, Month: 6},
	}}
	return d
}

// listResumes pages an opportunity's resumes, oldest first.
func (s *Server) listResumes(w http.ResponseWriter, r *http.Request) {
	s.locked(w, func() reply {
		o := s.oppByID[r.PathValue("id")]
		if o == nil {
			return fail(http.StatusNotFound, "Opportunity %q not found", r.PathValue("id"))
		}
		resumes := make([]lever.Resume, len(o.resumes))
		for i, res := range o.resumes {
			resumes[i] = cloneResume(res)
		}
		return page(r.URL.Query(), resumes)
	})
}

// renderPosting is a copy of p with owner and hiringManager expanded when
// asked and known. Caller holds s.mu.
func (s *Server) renderPosting(p lever.Posting, expand map[string]bool) lever.Posting {
	out := clonePosting(p)
	for field, ref := range map[string]*lever.UserRef{"owner": &out.Owner, "hiringManager": &out.HiringManager} {
		if !expand[field] || ref.ID == "" {
			continue
		}
		if u := s.user(ref.ID); u != nil {
			uc := *u
			ref.User = &uc
		}
	}
	return out
}

// postingStates reads ?state= (repeatable), refusing a state Lever has not.
func postingStates(q url.Values) ([]string, *reply) {
	for _, st := range q["state"] {
		if !slices.Contains(lever.PostingStates, st) {
			rep := fail(http.StatusBadRequest, "state must be one of %s, got %q", strings.Join(lever.PostingStates, ", "), st)
			return nil, &rep
		}
	}
	return q["state"], nil
}

// msRange is an inclusive range of epoch ms; 0 leaves a side open.
type msRange struct{ start, end int64 }

func (r msRange) has(ms int64) bool {
	return (r.start == 0 || ms >= r.start) && (r.end == 0 || ms <= r.end)
}

// updatedRange reads ?updated_at_start= and ?updated_at_end= (epoch ms).
func updatedRange(q url.Values) (msRange, *reply) {
	var r msRange
	for name, dst := range map[string]*int64{"updated_at_start": &r.start, "updated_at_end": &r.end} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil || ms < 0 {
			rep := fail(http.StatusBadRequest, "%s must be a timestamp in milliseconds, got %q", name, v)
			return msRange{}, &rep
		}
		*dst = ms
	}
	return r, nil
}

func cloneResume(r lever.Resume) lever.Resume {
	if r.File != nil {
		f := *r.File
		r.File = &f
	}
	r.ParsedData.Positions = clone(r.ParsedData.Positions)
	for i, p := range r.ParsedData.Positions {
		r.ParsedData.Positions[i].Start, r.ParsedData.Positions[i].End = cloneDate(p.Start), cloneDate(p.End)
	}
	r.ParsedData.Schools = clone(r.ParsedData.Schools)
	for i, sc := range r.ParsedData.Schools {
		r.ParsedData.Schools[i].Start, r.ParsedData.Schools[i].End = cloneDate(sc.Start), cloneDate(sc.End)
	}
	return r
}

func cloneDate(d *lever.ResumeDate) *lever.ResumeDate {
	if d == nil {
		return nil
	}
	c := *d
	return &c
}
