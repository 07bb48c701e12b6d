package apptest

import (
	"context"
	"net/http"

	"switchboard/internal/ats/lever"
)

// Lever fixture values.
const (
	LeverAPIKey      = "lever-test-api-key"
	StageChangeToken = "stage-change-signature-token"
	AppCreatedToken  = "application-created-signature-token"
	VacancyTag       = "Switchboard: Support"
	TriggerStageName = "Phone Screen"
	DefaultTagPrefix = "Switchboard"
	VacancyName      = "Customer Support Specialist"
)

// LeverOptions vary the Lever set-up.
type LeverOptions struct {
	// ApplicationCreated also subscribes applicationCreated and invites every
	// applicant of a tagged posting.
	ApplicationCreated bool
	// ReturnURL is the vacancy's end-page return URL.
	ReturnURL string
}

// LeverFixture is what SetupLever created.
type LeverFixture struct {
	APIKey        string // the Switchboard super admin's admin API key
	IntegrationID string
	WebhookURL    string
	VacancyID     string
	PostingID     string
	OwnerID       string
	TriggerStage  string // the trigger stage's id
}

// SetupLever does what a vendor's admin and a Lever admin do: an account, a
// Lever integration with credentials and settings (through the admin API),
// a tagged posting and signed webhooks in the simulator, a vacancy with the
// tag, and enabling the integration.
func (e *Env) SetupLever(o LeverOptions) LeverFixture {
	e.T.Helper()
	f := LeverFixture{APIKey: e.CreateAccount("Acme Corp", "admin@acme.example")}
	var in struct {
		ID         string `json:"id"`
		WebhookURL string `json:"webhook_url"`
	}
	e.MustAPI(http.StatusCreated, f.APIKey, "POST", "/integrations", map[string]string{"provider": "lever"}, &in)
	f.IntegrationID, f.WebhookURL = in.ID, in.WebhookURL

	e.Lever.AddAPIKey(LeverAPIKey)
	owner := e.Lever.AddUser("Riley Recruiter", "riley@acme.example")
	f.OwnerID = owner.ID
	f.PostingID = e.Lever.AddPosting(VacancyName, []string{VacancyTag, "Remote"}, owner.ID).ID
	for _, s := range e.Lever.Stages() {
		if s.Text == TriggerStageName {
			f.TriggerStage = s.ID
		}
	}
	e.Lever.RegisterWebhook(lever.EventCandidateStageChange, f.WebhookURL, StageChangeToken)

	creds := map[string]string{lever.CredentialAPIKey: LeverAPIKey, lever.CredentialStageChangeToken: StageChangeToken}
	settings := map[string]string{lever.SettingBaseURL: e.LeverURL, lever.SettingTriggerStage: TriggerStageName}
	if o.ApplicationCreated {
		e.Lever.RegisterWebhook(lever.EventApplicationCreated, f.WebhookURL, AppCreatedToken)
		creds[lever.CredentialApplicationCreateToken] = AppCreatedToken
		settings[lever.SettingApplicationCreated] = "true"
	}
	// Settings first: pointing the base URL at the simulator clears credentials.
	e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/integrations/"+f.IntegrationID, map[string]any{"settings": settings}, nil)
	for name, v := range creds {
		e.MustAPI(http.StatusOK, f.APIKey, "PUT", "/integrations/"+f.IntegrationID+"/credentials/"+name, map[string]string{"value": v}, nil)
	}
	vac := map[string]any{"name": VacancyName, "tag": VacancyTag}
	if o.ReturnURL != "" {
		vac["return_url"] = o.ReturnURL
	}
	var v struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, f.APIKey, "POST", "/vacancies", vac, &v)
	f.VacancyID = v.ID
	e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/enable", nil, nil)
	return f
}

// SetLeverAPIKey stores key as the integration's Lever API key, through the
// admin API.
func (e *Env) SetLeverAPIKey(f LeverFixture, key string) {
	e.T.Helper()
	e.MustAPI(http.StatusOK, f.APIKey, "PUT", "/integrations/"+f.IntegrationID+"/credentials/"+lever.CredentialAPIKey,
		map[string]string{"value": key}, nil)
}

// LeverToTrigger creates an applicant for the fixture's posting and moves
// them to the trigger stage; Switchboard took the webhook, and its jobs may
// still be running.
func (e *Env) LeverToTrigger(f LeverFixture, name, email string) lever.Opportunity {
	e.T.Helper()
	ctx := context.Background()
	opp, _, err := e.Lever.CreateOpportunity(ctx, name, email, f.PostingID)
	if err != nil {
		e.T.Fatal(err)
	}
	ds, err := e.Lever.MoveStage(ctx, opp.ID, f.TriggerStage)
	if err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusOK {
		e.T.Fatalf("stage change delivery: %+v, %v", ds, err)
	}
	return opp
}
