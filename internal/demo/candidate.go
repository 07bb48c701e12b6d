package demo

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"switchboard/internal/assess"
)

var radioRe = regexp.MustCompile(`<input type="radio" name="([^"]+)" value="([^"]+)"`)

// takeAssessment walks the candidate pages over plain HTTP, as a browser
// would: open the link, start, answer each part's form, submit. It picks
// strong answers, with a weaker one now and then, so the result is realistic.
func (r *runner) takeAssessment(ctx context.Context, link string, pkg assess.Package) (int, error) {
	token := link[strings.LastIndex(link, "/a/")+3:]
	page, err := r.get(ctx, link)
	if err != nil {
		return 0, err
	}
	if !strings.Contains(page, "Start the assessment") {
		return 0, fmt.Errorf("landing page has no start button")
	}
	page, err = r.post(ctx, r.base+"/a/"+token+"/start", nil)
	if err != nil {
		return 0, err
	}
	answered := 0
	for range len(pkg.Modules) + 1 {
		matches := radioRe.FindAllStringSubmatch(page, -1)
		if len(matches) == 0 {
			break
		}
		form := url.Values{}
		for _, m := range matches {
			qid := m[1]
			if form.Has(qid) {
				continue
			}
			form.Set(qid, pickOption(pkg, qid, answered))
			answered++
		}
		if page, err = r.post(ctx, r.base+"/a/"+token+"/q", form); err != nil {
			return answered, err
		}
	}
	if !strings.Contains(page, "Submit my answers") {
		return answered, fmt.Errorf("no submit page after answering %d questions", answered)
	}
	if page, err = r.post(ctx, r.base+"/a/"+token+"/finish", nil); err != nil {
		return answered, err
	}
	if !strings.Contains(page, "Thank you") {
		return answered, fmt.Errorf("no end page after submitting")
	}
	return answered, nil
}

func pickOption(pkg assess.Package, qid string, n int) string {
	q, _, ok := pkg.Question(qid)
	if !ok || len(q.Options) == 0 {
		return ""
	}
	opts := slices.Clone(q.Options)
	slices.SortStableFunc(opts, func(a, b assess.Option) int { return b.Points - a.Points })
	if n%3 == 2 && len(opts) > 1 {
		return opts[1].ID
	}
	return opts[0].ID
}

func (r *runner) get(ctx context.Context, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	return r.do(req)
}

func (r *runner) post(ctx context.Context, u string, form url.Values) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r.do(req)
}

func (r *runner) do(req *http.Request) (string, error) {
	resp, err := r.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s %s: %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	return string(b), nil
}
