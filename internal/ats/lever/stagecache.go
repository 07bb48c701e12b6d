package lever

import (
	"context"
	"sync"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
)

// StageCacheTTL is how long a resolved trigger stage id is reused for
// incoming webhooks before GET /stages is asked again. A stage's id never
// changes in Lever; what can change is which stage a name setting means
// (a stage renamed or deleted), and ten minutes bounds how long a webhook
// may be judged against the old one.
const StageCacheTTL = 10 * time.Minute

// stageEntry is one integration's resolved trigger stage.
type stageEntry struct {
	mu sync.Mutex
	id string
	at time.Time // when id was resolved; zero: never
}

// stageCache keys entries by API key, base URL and setting together (an
// atshttp.Pool, so by a SHA-256: no key is held in clear); a change of any
// of them is a new entry, so an edited setting is never answered from the
// old one.
type stageCache = atshttp.Pool[*stageEntry]

func newStageCache() *stageCache {
	return atshttp.NewPool(func() *stageEntry { return &stageEntry{} })
}

// cachedTriggerStageID is triggerStageID, reusing a resolution younger than
// StageCacheTTL. Only a stage found is kept: a setting Lever does not match
// is asked again on the next webhook, so fixing it in Lever takes effect at
// once. Concurrent webhooks of one integration wait for one GET /stages.
func (c *Connector) cachedTriggerStageID(ctx context.Context, cl *Client, cfg ats.Config) (string, error) {
	k := cfg.Secrets[CredentialAPIKey] + "\x00" + cfg.Setting(SettingBaseURL, DefaultBaseURL) + "\x00" + cfg.Setting(SettingTriggerStage, "")
	e := c.stages.For(k)
	e.mu.Lock()
	defer e.mu.Unlock()
	now := c.o.Now()
	if !e.at.IsZero() && now.Sub(e.at) < StageCacheTTL && !now.Before(e.at) {
		return e.id, nil
	}
	id, err := c.triggerStageID(ctx, cl, cfg)
	if err != nil {
		return "", err
	}
	e.id, e.at = id, now
	return id, nil
}
