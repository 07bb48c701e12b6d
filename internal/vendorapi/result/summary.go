package result

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// summaryPolicy keeps what ATSs render in a result summary: paragraphs and
// line breaks, simple inline formatting, lists, and https links (marked
// nofollow, noreferrer). Everything else — scripts, styles, images, event
// attributes, other URL schemes — goes; the text inside unknown elements
// stays, that of script and style does not. Built once and only read after,
// which bluemonday supports from many goroutines.
var summaryPolicy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "b", "strong", "i", "em", "u", "s", "ul", "ol", "li")
	p.AllowAttrs("href").OnElements("a")
	// bluemonday takes "https:" alone as https; a link needs a host, and
	// no user name or password, as result_url does.
	p.AllowURLSchemeWithCustomPolicy("https", func(u *url.URL) bool { return u.Host != "" && u.User == nil })
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	// "a<p>b" must not read "ab" once the tags are gone.
	p.AddSpaceWhenStrippingTag(true)
	return p
}()

func (v *validator) summary(s string) *Summary {
	if n := utf8.RuneCountInString(s); n > MaxSummaryLength {
		v.add("summary", fmt.Sprintf("is %d characters: at most %d are allowed", n, MaxSummaryLength))
		return nil
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && !unicode.IsSpace(r) }) >= 0 {
		v.add("summary", "must not contain control characters")
		return nil
	}
	// Stripped tags leave spaces at the edges, which say nothing.
	h := strings.TrimSpace(summaryPolicy.Sanitize(s))
	text := plainText(h)
	if text == "" {
		v.add("summary", "has no text left once scripts, styles and unsupported markup are removed: send text, optionally with simple formatting (p, br, b, i, u, s, ul, ol, li, https links)")
		return nil
	}
	return &Summary{HTML: h, Text: text}
}

// blocks are the elements whose edges separate words in plain text.
var blocks = map[string]bool{"p": true, "br": true, "ul": true, "ol": true, "li": true}

// plainText renders sanitised HTML as one line of text: tags dropped,
// entities decoded, block edges and runs of white space made one space.
func plainText(s string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken: // the end: a strings.Reader fails at nothing else
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if blocks[string(name)] {
				b.WriteByte(' ')
			}
		}
	}
}
