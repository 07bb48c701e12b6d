// Package candidatebot takes an assessment through Switchboard's candidate
// pages over plain HTTP, as a browser would: open the invitation link, start,
// answer each part's form, submit. The demo and end-to-end tests use it to
// stand in for a candidate.
package candidatebot

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Pick chooses an option for a question: given the question id and the option
// ids in page order, it returns one of them.
type Pick func(questionID string, optionIDs []string) string

// FirstOption always picks the first option shown.
func FirstOption(_ string, optionIDs []string) string { return optionIDs[0] }

// Result is what the candidate saw.
type Result struct {
	Answered int
	// FinalURL is where submitting led: the end page, or the ATS's return URL.
	FinalURL string
	EndPage  string
}

var radioRe = regexp.MustCompile(`<input type="radio" name="([^"]+)" value="([^"]+)"`)

// Take completes the assessment behind link with client, choosing answers
// with pick. It fails if a page is not what a candidate should see.
func Take(ctx context.Context, client *http.Client, link string, pick Pick) (Result, error) {
	b, base, err := newBot(ctx, client, link)
	if err != nil {
		return Result{}, err
	}
	page, _, err := b.do(http.MethodGet, base, nil)
	if err != nil {
		return Result{}, err
	}
	if !strings.Contains(page, "Start the assessment") {
		return Result{}, fmt.Errorf("candidatebot: the landing page has no start button")
	}
	if page, _, err = b.do(http.MethodPost, base+"/start", url.Values{}); err != nil {
		return Result{}, err
	}
	return b.answer(base, page, pick)
}

// Answer finishes an assessment that was already started at link: it opens
// the questions, answers every part with pick, and submits.
func Answer(ctx context.Context, client *http.Client, link string, pick Pick) (Result, error) {
	b, base, err := newBot(ctx, client, link)
	if err != nil {
		return Result{}, err
	}
	page, _, err := b.do(http.MethodGet, base+"/q", nil)
	if err != nil {
		return Result{}, err
	}
	return b.answer(base, page, pick)
}

// answer works through the question pages from page on, then submits.
func (b bot) answer(base, page string, pick Pick) (Result, error) {
	var err error
	var res Result
	// Each round answers one part; a package has far fewer than 100 parts.
	for range 100 {
		matches := radioRe.FindAllStringSubmatch(page, -1)
		if len(matches) == 0 {
			break
		}
		var order []string
		options := map[string][]string{}
		for _, m := range matches {
			if _, seen := options[m[1]]; !seen {
				order = append(order, m[1])
			}
			options[m[1]] = append(options[m[1]], m[2])
		}
		form := url.Values{}
		for _, q := range order {
			form.Set(q, pick(q, options[q]))
			res.Answered++
		}
		if page, _, err = b.do(http.MethodPost, base+"/q", form); err != nil {
			return res, err
		}
	}
	if !strings.Contains(page, "Submit my answers") {
		return res, fmt.Errorf("candidatebot: no submit page after answering %d questions", res.Answered)
	}
	page, final, err := b.do(http.MethodPost, base+"/finish", url.Values{})
	if err != nil {
		return res, err
	}
	res.FinalURL, res.EndPage = final, page
	return res, nil
}

// newBot reads the invitation link: its query, if any, is not part of the pages' paths.
func newBot(ctx context.Context, client *http.Client, link string) (bot, string, error) {
	u, err := url.Parse(link)
	if err != nil {
		return bot{}, "", fmt.Errorf("candidatebot: link: %w", err)
	}
	return bot{ctx: ctx, c: client}, u.Scheme + "://" + u.Host + u.Path, nil
}

type bot struct {
	ctx context.Context
	c   *http.Client
}

// do sends a request (following redirects) and returns the final page and URL.
func (b bot) do(method, u string, form url.Values) (string, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(b.ctx, method, u, body)
	if err != nil {
		return "", "", fmt.Errorf("candidatebot: %w", err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("candidatebot: %s %s: %w", method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", "", fmt.Errorf("candidatebot: %s %s: %w", method, req.URL.Path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return string(page), resp.Request.URL.String(), fmt.Errorf("candidatebot: %s %s: status %d", method, req.URL.Path, resp.StatusCode)
	}
	return string(page), resp.Request.URL.String(), nil
}
