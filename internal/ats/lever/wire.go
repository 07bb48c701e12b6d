package lever

// Wire types for Lever's v1 API, shared by the client and the simulator.
//
// Evidence, per /work/shared/ats/lever-workable.md (L1–L3):
//
// Verified (official docs, or several independent implementations agree):
//   - base URL https://api.lever.co/v1, Basic auth with the API key as the
//     username and a blank password, JSON in UTF-8, fields may be added;
//   - list envelope {"data":[...],"hasNext":bool,"next":"<opaque token>"},
//     paged with ?limit=1..100&offset=<next>; single envelope {"data":{...}};
//   - expand is passed as repeated query parameters (?expand=applications&expand=stage);
//     unexpanded, stage/owner/applications are ids; expanded, they are objects;
//   - stage {id,text}; the tags/links bodies {"tags":[...]}, {"links":[...]};
//     note body {"value",...} with ?perform_as=; files are multipart uploads
//     of at most 30 MB returning {id,downloadUrl,ext,name,uploadedAt,status,size};
//   - all timestamps are epoch milliseconds;
//   - webhook top-level fields token, triggeredAt, signature, event and
//     data.opportunityId, and the signature scheme (see signature.go).
//
// Inferred (no source could be read; keep these guesses here, in one place):
//   - the error body is {"code": "...", "message": "..."} (a secondary source
//     says "a code and message"); the code strings below are ours;
//   - the create-note response is {"data":{"noteId":"..."}}; the client also
//     accepts {"data":{"id":"..."}};
//   - File.uploadedAt and File.size are numbers (one client types them as
//     strings, so File decodes either);
//   - the 30 MB file limit is taken as 30 MiB;
//   - webhook id, data.contactId, data.fromStageId/toStageId and
//     data.applicationId (see webhook.go);
//   - update endpoints (addTags, stage, ...) answer {"data": Opportunity};
//     the client ignores their bodies;
//   - GET /opportunities/:id/notes and /files list in the list envelope, a
//     note's text as sent in fields[0].value and a file's name as uploaded:
//     the write-back finds its own marker there before writing again.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxFileBytes is the largest file Lever accepts on an opportunity
// ("max 30 MB", read as MiB). The client refuses bigger files before
// sending them and the simulator answers 413.
const MaxFileBytes = 30 << 20

// Fixed stage ids that every Lever account has.
const (
	StageNewLead      = "lead-new"
	StageNewApplicant = "applicant-new"
	StageOffer        = "offer" // inferred: Lever's fixed id for "Offer"
)

// Error codes used in ErrorBody.Code. Inferred: Lever's real strings are not
// known; the client never branches on them, only on the HTTP status.
const (
	CodeBadRequest       = "BadRequestError"
	CodeUnauthorized     = "UnauthorizedError"
	CodeForbidden        = "ForbiddenError"
	CodeNotFound         = "ResourceNotFound"
	CodeMethodNotAllowed = "MethodNotAllowedError"
	CodeTooLarge         = "RequestEntityTooLargeError"
	CodeTooManyRequests  = "TooManyRequestsError"
	CodeInternal         = "InternalServerError"
	CodeUnavailable      = "ServiceUnavailableError"
)

// ErrorBody is the JSON body of an error response.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ListResponse is the envelope of every paginated list.
type ListResponse[T any] struct {
	Data    []T    `json:"data"`
	HasNext bool   `json:"hasNext"`
	Next    string `json:"next,omitempty"`
}

// Envelope wraps a single object.
type Envelope[T any] struct {
	Data T `json:"data"`
}

// TimeFromMillis converts a Lever timestamp; 0 (absent) becomes the zero time.
func TimeFromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// Millis converts a time to a Lever timestamp; the zero time becomes 0.
func Millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// Stage is a pipeline stage. Stages are per company except New lead,
// New applicant and Offer.
type Stage struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// User is a Lever user, used as perform_as on writes.
type User struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Username      string `json:"username,omitempty"`
	Email         string `json:"email"`
	AccessRole    string `json:"accessRole,omitempty"`
	Photo         string `json:"photo,omitempty"`
	CreatedAt     int64  `json:"createdAt,omitempty"`
	DeactivatedAt int64  `json:"deactivatedAt,omitempty"`
}

// Phone is a contact phone number.
type Phone struct {
	Type  string `json:"type,omitempty"`
	Value string `json:"value"`
}

// Archived is the archived state of an opportunity or application; nil
// (JSON null or absent) means active.
type Archived struct {
	ArchivedAt int64  `json:"archivedAt"`
	Reason     string `json:"reason"`
}

// StageChange is one entry of an opportunity's stage history.
type StageChange struct {
	ToStageID    string `json:"toStageId"`
	ToStageIndex int    `json:"toStageIndex"`
	UserID       string `json:"userId,omitempty"`
	UpdatedAt    int64  `json:"updatedAt"`
}

// URLs are links into Lever's UI.
type URLs struct {
	List  string `json:"list,omitempty"`
	Show  string `json:"show,omitempty"`
	Apply string `json:"apply,omitempty"`
}

// Application ties an opportunity to a posting (expand=applications).
type Application struct {
	ID                   string    `json:"id"`
	OpportunityID        string    `json:"opportunityId"`
	CandidateID          string    `json:"candidateId"`
	CreatedAt            int64     `json:"createdAt"`
	Type                 string    `json:"type"`
	Posting              string    `json:"posting"`
	PostingOwner         string    `json:"postingOwner,omitempty"`
	PostingHiringManager string    `json:"postingHiringManager,omitempty"`
	User                 string    `json:"user,omitempty"`
	Name                 string    `json:"name,omitempty"`
	Email                string    `json:"email,omitempty"`
	Phone                *Phone    `json:"phone,omitempty"`
	Archived             *Archived `json:"archived,omitempty"`
}

// Opportunity is one candidate's journey, usually for one posting.
// Stage, Owner and Applications are ids unless the request expanded them;
// the Ref types decode both forms.
type Opportunity struct {
	ID                string           `json:"id"`
	Name              string           `json:"name"`
	Headline          string           `json:"headline"`
	Contact           string           `json:"contact"`
	Emails            []string         `json:"emails"`
	Phones            []Phone          `json:"phones"`
	Confidentiality   string           `json:"confidentiality,omitempty"`
	Location          string           `json:"location"`
	Links             []string         `json:"links"`
	CreatedAt         int64            `json:"createdAt"`
	UpdatedAt         int64            `json:"updatedAt"`
	LastInteractionAt int64            `json:"lastInteractionAt"`
	LastAdvancedAt    int64            `json:"lastAdvancedAt"`
	SnoozedUntil      int64            `json:"snoozedUntil,omitempty"`
	Archived          *Archived        `json:"archived"`
	Stage             StageRef         `json:"stage"`
	StageChanges      []StageChange    `json:"stageChanges"`
	Owner             UserRef          `json:"owner"`
	Tags              []string         `json:"tags"`
	Sources           []string         `json:"sources"`
	Origin            string           `json:"origin"`
	Applications      []ApplicationRef `json:"applications"`
	Followers         []string         `json:"followers"`
	URLs              URLs             `json:"urls"`
	IsAnonymized      bool             `json:"isAnonymized"`
}

// IsArchived reports whether the opportunity is archived.
func (o Opportunity) IsArchived() bool { return o.Archived != nil && o.Archived.ArchivedAt != 0 }

// PostingIDs returns the postings of the opportunity's expanded applications,
// in order, without duplicates. It is empty unless applications were expanded.
func (o Opportunity) PostingIDs() []string {
	var ids []string
	seen := map[string]bool{}
	for _, a := range o.Applications {
		if a.Application == nil || a.Application.Posting == "" || seen[a.Application.Posting] {
			continue
		}
		seen[a.Application.Posting] = true
		ids = append(ids, a.Application.Posting)
	}
	return ids
}

// HasTag reports whether the opportunity carries tag exactly.
func (o Opportunity) HasTag(tag string) bool {
	for _, t := range o.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// StageRef is an opportunity's stage: an id, or with expand=stage an object.
type StageRef struct {
	ID    string
	Stage *Stage // set only when expanded
}

// UnmarshalJSON accepts an id string, an expanded object or null.
func (r *StageRef) UnmarshalJSON(b []byte) error {
	*r = StageRef{}
	var s Stage
	id, expanded, err := decodeRef(b, &s)
	if err != nil {
		return fmt.Errorf("stage: %w", err)
	}
	if expanded {
		r.ID, r.Stage = s.ID, &s
		return nil
	}
	r.ID = id
	return nil
}

// MarshalJSON writes the object when expanded, else the id (or null).
func (r StageRef) MarshalJSON() ([]byte, error) { return encodeRef(r.ID, r.Stage) }

// UserRef is a user reference (owner): an id, or with expand an object.
type UserRef struct {
	ID   string
	User *User // set only when expanded
}

// UnmarshalJSON accepts an id string, an expanded object or null.
func (r *UserRef) UnmarshalJSON(b []byte) error {
	*r = UserRef{}
	var u User
	id, expanded, err := decodeRef(b, &u)
	if err != nil {
		return fmt.Errorf("user: %w", err)
	}
	if expanded {
		r.ID, r.User = u.ID, &u
		return nil
	}
	r.ID = id
	return nil
}

// MarshalJSON writes the object when expanded, else the id (or null).
func (r UserRef) MarshalJSON() ([]byte, error) { return encodeRef(r.ID, r.User) }

// ApplicationRef is an application: an id, or with expand=applications an object.
type ApplicationRef struct {
	ID          string
	Application *Application // set only when expanded
}

// UnmarshalJSON accepts an id string, an expanded object or null.
func (r *ApplicationRef) UnmarshalJSON(b []byte) error {
	*r = ApplicationRef{}
	var a Application
	id, expanded, err := decodeRef(b, &a)
	if err != nil {
		return fmt.Errorf("application: %w", err)
	}
	if expanded {
		r.ID, r.Application = a.ID, &a
		return nil
	}
	r.ID = id
	return nil
}

// MarshalJSON writes the object when expanded, else the id (or null).
func (r ApplicationRef) MarshalJSON() ([]byte, error) { return encodeRef(r.ID, r.Application) }

// decodeRef decodes a JSON value that is either an id string, an object
// (decoded into obj; expanded is true) or null.
func decodeRef(b []byte, obj any) (id string, expanded bool, err error) {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		return "", false, nil
	case b[0] == '"':
		err = json.Unmarshal(b, &id)
		return id, false, err
	case b[0] == '{':
		return "", true, json.Unmarshal(b, obj)
	default:
		return "", false, fmt.Errorf("want an id string or an object, got %.20q", b)
	}
}

func encodeRef[T any](id string, obj *T) ([]byte, error) {
	if obj != nil {
		return json.Marshal(obj)
	}
	if id == "" {
		return []byte("null"), nil
	}
	return json.Marshal(id)
}

// PostingCategories groups a posting's team, location and so on.
type PostingCategories struct {
	Team         string   `json:"team,omitempty"`
	Department   string   `json:"department,omitempty"`
	Location     string   `json:"location,omitempty"`
	AllLocations []string `json:"allLocations,omitempty"`
	Commitment   string   `json:"commitment,omitempty"`
	Level        string   `json:"level,omitempty"`
}

// Posting is a job posting. Switchboard reads its tags (the vacancy tag)
// and its owner (a perform_as candidate).
type Posting struct {
	ID              string            `json:"id"`
	Text            string            `json:"text"`
	CreatedAt       int64             `json:"createdAt"`
	UpdatedAt       int64             `json:"updatedAt"`
	User            string            `json:"user,omitempty"`
	Owner           UserRef           `json:"owner"`
	HiringManager   UserRef           `json:"hiringManager"`
	Confidentiality string            `json:"confidentiality,omitempty"`
	Categories      PostingCategories `json:"categories"`
	Tags            []string          `json:"tags"`
	State           string            `json:"state"`
	URLs            URLs              `json:"urls"`
	// RequisitionCodes are the requisitions the posting hires for [V: two
	// public clients], shown by applicant review as the job's reference.
	RequisitionCodes []string `json:"requisitionCodes,omitempty"`
}

// HasTag reports whether the posting carries tag exactly.
func (p Posting) HasTag(tag string) bool {
	for _, t := range p.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// Tag is one entry of GET /tags.
type Tag struct {
	Text  string `json:"text"`
	Count int    `json:"count"`
}

// NoteField is one field of a note.
type NoteField struct {
	Type      string `json:"type"`
	Text      string `json:"text"`
	Value     string `json:"value"`
	CreatedAt int64  `json:"createdAt,omitempty"`
	User      string `json:"user,omitempty"`
	Score     *int   `json:"score,omitempty"`
	Stage     string `json:"stage,omitempty"`
}

// Note is a note on an opportunity. Notes are append-only: Lever's FAQ says
// they cannot be updated.
type Note struct {
	ID          string      `json:"id"`
	Text        string      `json:"text"`
	Fields      []NoteField `json:"fields"`
	User        string      `json:"user,omitempty"`
	Secret      bool        `json:"secret"`
	CompletedAt int64       `json:"completedAt,omitempty"`
	CreatedAt   int64       `json:"createdAt"`
	DeletedAt   int64       `json:"deletedAt,omitempty"`
}

// Value returns the note's text: its first field's value.
func (n Note) Value() string {
	if len(n.Fields) == 0 {
		return ""
	}
	return n.Fields[0].Value
}

// NoteRequest is the body of POST /opportunities/:id/notes.
type NoteRequest struct {
	Value           string `json:"value"`
	Secret          bool   `json:"secret,omitempty"`
	Score           *int   `json:"score,omitempty"` // 1..4
	NotifyFollowers bool   `json:"notifyFollowers,omitempty"`
	CreatedAt       int64  `json:"createdAt,omitempty"`
}

// NoteCreated is the data of the create-note response (shape inferred).
type NoteCreated struct {
	NoteID string `json:"noteId"`
	ID     string `json:"id,omitempty"` // tolerated alternative
}

// TagsRequest is the body of addTags and removeTags.
type TagsRequest struct {
	Tags []string `json:"tags"`
}

// LinksRequest is the body of addLinks and removeLinks.
type LinksRequest struct {
	Links []string `json:"links"`
}

// StageRequest is the body of PUT /opportunities/:id/stage.
type StageRequest struct {
	Stage string `json:"stage"`
}

// File is an uploaded file's metadata.
type File struct {
	ID          string `json:"id"`
	DownloadURL string `json:"downloadUrl"`
	Ext         string `json:"ext"`
	Name        string `json:"name"`
	UploadedAt  int64  `json:"uploadedAt"`
	Status      string `json:"status"`
	Size        int64  `json:"size"`
}

// UnmarshalJSON accepts uploadedAt and size as numbers or numeric strings,
// because one public client types them as strings.
func (f *File) UnmarshalJSON(b []byte) error {
	type plain File
	var aux struct {
		plain
		UploadedAt flexInt64 `json:"uploadedAt"`
		Size       flexInt64 `json:"size"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*f = File(aux.plain)
	f.UploadedAt, f.Size = int64(aux.UploadedAt), int64(aux.Size)
	return nil
}

// flexInt64 decodes an integer given as a JSON number, a numeric string or null.
type flexInt64 int64

func (n *flexInt64) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("want an integer, got %.24q", s)
	}
	*n = flexInt64(v)
	return nil
}

// --- Applicant source (source.go): postings as jobs, opportunities as
// applicants, their parsed resumes ---
//
// Evidence for what follows, field by field: [V] verified (the contract
// file, or several independent public clients agree), [I] inferred (no
// source could be read; keep such guesses here, in one place, where the
// simulator reads them too).
//   - [V] GET /postings?state=published lists published postings (several
//     public clients send exactly this); GET /postings/:id reads one.
//   - [I] the other state words (internal, closed, draft, pending,
//     rejected) and that an unknown state is refused with 400.
//   - [V] GET /opportunities filters posting_id and updated_at_start (epoch
//     ms, contract L2); [I] updated_at_start is inclusive.
//   - [V] GET /opportunities/:id/resumes is a list envelope of resumes
//     {id, createdAt, file, parsedData{positions, schools}} (two public
//     clients; one copies the official field descriptions).
//   - [I] the fields of a position {org, title, summary, location, start,
//     end} and of a school {org, degree, field, summary, start, end}, and
//     start/end as {"year":2019,"month":3} objects; ResumeDate also
//     accepts epoch ms and "2019-03" strings, so a wrong guess about the
//     date's shape loses the date, not the resume.

// PostingStates are the states a posting can be in [I]; published is the
// one a candidate can apply to, the only open one.
var PostingStates = []string{"published", "internal", "closed", "draft", "pending", "rejected"}

// PostingPublished is the state of an open posting [V].
const PostingPublished = "published"

// Resume is one of an opportunity's resumes [V].
type Resume struct {
	ID         string           `json:"id"`             // [V]
	CreatedAt  int64            `json:"createdAt"`      // [V] epoch ms
	File       *ResumeFile      `json:"file,omitempty"` // [V]; absent for a profile parsed from a web page
	ParsedData ResumeParsedData `json:"parsedData"`     // [V]
}

// ResumeFile is a resume's file metadata [V].
type ResumeFile struct {
	Name        string `json:"name,omitempty"`
	Ext         string `json:"ext,omitempty"`
	DownloadURL string `json:"downloadUrl,omitempty"`
	UploadedAt  int64  `json:"uploadedAt,omitempty"`
	Status      string `json:"status,omitempty"`
	Size        int64  `json:"size,omitempty"`
}

// UnmarshalJSON decodes as File does, uploadedAt and size as numbers or
// numeric strings.
func (f *ResumeFile) UnmarshalJSON(b []byte) error {
	var file File
	if err := json.Unmarshal(b, &file); err != nil {
		return err
	}
	*f = ResumeFile{Name: file.Name, Ext: file.Ext, DownloadURL: file.DownloadURL, UploadedAt: file.UploadedAt, Status: file.Status, Size: file.Size}
	return nil
}

// ResumeParsedData is what Lever parsed out of a resume [V]: work history
// and schools.
type ResumeParsedData struct {
	Positions []ResumePosition `json:"positions"` // [V]
	Schools   []ResumeSchool   `json:"schools"`   // [V]
}

// ResumePosition is one position of a parsed resume; its fields are [I].
type ResumePosition struct {
	Org      string      `json:"org"`
	Title    string      `json:"title"`
	Summary  string      `json:"summary"`
	Location string      `json:"location,omitempty"`
	Start    *ResumeDate `json:"start"`
	End      *ResumeDate `json:"end"` // nil: ongoing
}

// ResumeSchool is one school of a parsed resume; its fields are [I].
type ResumeSchool struct {
	Org     string      `json:"org"`
	Degree  string      `json:"degree"`
	Field   string      `json:"field"`
	Summary string      `json:"summary,omitempty"`
	Start   *ResumeDate `json:"start"`
	End     *ResumeDate `json:"end"`
}

// ResumeDate is a month of a parsed resume [I]: {"year":2019,"month":3},
// month 0 when only the year is known. It also decodes epoch ms and
// "2019-03" or "2019" strings; anything else, or a year outside 1900..2200
// or a month outside 0..12, decodes as no date (the zero ResumeDate), not
// as an error, because one unreadable date must not lose the resume.
type ResumeDate struct {
	Year  int `json:"year"`
	Month int `json:"month,omitempty"`
}

// IsZero reports whether the date is unknown.
func (d ResumeDate) IsZero() bool { return d.Year == 0 }

// Time is the first day of the date's month (January when the month is
// unknown), UTC; the zero time when the date is unknown.
func (d ResumeDate) Time() time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	return time.Date(d.Year, time.Month(max(d.Month, 1)), 1, 0, 0, 0, 0, time.UTC)
}

// UnmarshalJSON reads the shapes ResumeDate describes; null leaves it zero.
func (d *ResumeDate) UnmarshalJSON(b []byte) error {
	*d = ResumeDate{}
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		return nil
	case b[0] == '{':
		var obj struct {
			Year  flexInt64 `json:"year"`
			Month flexInt64 `json:"month"`
		}
		if json.Unmarshal(b, &obj) != nil {
			return nil
		}
		d.set(int64(obj.Year), int64(obj.Month))
	case b[0] == '"':
		var s string
		if json.Unmarshal(b, &s) != nil {
			return nil
		}
		year, month, _ := strings.Cut(strings.TrimSpace(s), "-")
		y, err := strconv.ParseInt(year, 10, 64)
		if err != nil {
			return nil
		}
		m, _ := strconv.ParseInt(month, 10, 64) // a bad month leaves 0: the year alone
		d.set(y, m)
	default:
		ms, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return nil
		}
		t := time.UnixMilli(ms).UTC()
		d.set(int64(t.Year()), int64(t.Month()))
	}
	return nil
}

// set keeps a plausible year and month and forgets the rest.
func (d *ResumeDate) set(year, month int64) {
	if year < 1900 || year > 2200 {
		return
	}
	if month < 0 || month > 12 {
		month = 0
	}
	d.Year, d.Month = int(year), int(month)
}
