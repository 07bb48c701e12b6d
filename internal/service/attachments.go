package service

// A vendor's attachments are links to its own servers, which may not stay
// up, and which an ATS must not be sent to unchecked. So each one is fetched
// once, when the vendor hands the result over, through the guarded outbound
// client, checked (size, and that it is what its content type says), and
// stored; the ATS then gets a signed link to Switchboard's copy.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/netguard"
)

// Limits on attachments fetched from vendors.
const (
	MaxAttachmentBytes     = 20 << 20
	attachmentFetchTimeout = 15 * time.Second
)

// PurposeFile signs links to stored files.
const PurposeFile = "file"

// FilePath is where a stored file is served (behind a signed link).
func FilePath(id string) string { return "/files/" + id }

// fetchAttachments replaces each link attachment of r by a copy to store,
// and returns the copies: the caller stores them in the transaction that
// records the result. A link that cannot be fetched, is too large or is not
// what its content type says fails the whole update with a field error.
func (s *Service) fetchAttachments(ctx context.Context, o core.Order, r *core.Result) ([]core.StoredFile, error) {
	bad := core.Invalid()
	var files []core.StoredFile
	for i, a := range r.Attachments {
		if a.URL == "" {
			continue
		}
		f, err := s.fetchAttachment(ctx, o, a)
		if err != nil {
			bad.Add(fmt.Sprintf("attachments[%d].url", i), err.Error())
			continue
		}
		files = append(files, f)
		r.Attachments[i] = core.Attachment{Name: f.Name, ContentType: f.ContentType, FileID: f.ID}
	}
	if err := bad.OrNil(); err != nil {
		return nil, err
	}
	return files, nil
}

func (s *Service) fetchAttachment(ctx context.Context, o core.Order, a core.Attachment) (core.StoredFile, error) {
	ctx, cancel := context.WithTimeout(ctx, attachmentFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL, nil)
	if err != nil {
		return core.StoredFile{}, fmt.Errorf("is not a URL Switchboard can fetch")
	}
	res, err := s.d.HTTPClient.Do(req)
	if err != nil {
		s.d.Logger.InfoContext(ctx, "attachment not fetched", "order_id", o.ID, "url", a.URL, "err", err)
		return core.StoredFile{}, fmt.Errorf("could not be fetched: %s", fetchFailure(ctx, err))
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return core.StoredFile{}, fmt.Errorf("answered %d %s when Switchboard fetched it", res.StatusCode, http.StatusText(res.StatusCode))
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, MaxAttachmentBytes+1))
	if err != nil {
		return core.StoredFile{}, fmt.Errorf("could not be read to the end: %s", fetchFailure(ctx, err))
	}
	if len(data) > MaxAttachmentBytes {
		return core.StoredFile{}, fmt.Errorf("is larger than %d MB", MaxAttachmentBytes>>20)
	}
	if len(data) == 0 {
		return core.StoredFile{}, fmt.Errorf("is empty")
	}
	served := servedType(res.Header.Get("Content-Type"), data)
	if !typeMatches(a.ContentType, served) {
		return core.StoredFile{}, fmt.Errorf("is %s, not the %s its content type says", served, a.ContentType)
	}
	sum := sha256.Sum256(data)
	return core.StoredFile{
		ID: core.NewID("fil"), AccountID: o.AccountID, OrderID: o.ID, Name: fileName(a.URL, served),
		ContentType: served, SHA256: hex.EncodeToString(sum[:]), Data: data, CreatedAt: s.now(),
	}, nil
}

func fetchFailure(ctx context.Context, err error) string {
	if ctx.Err() != nil {
		return "no answer in time"
	}
	if errors.Is(err, netguard.ErrBlocked) {
		return "it points to a private address"
	}
	return "the connection failed"
}

// servedType is the file's media type: what the server said, or what the
// bytes look like when it said nothing useful.
func servedType(header string, data []byte) string {
	mt, _, err := mime.ParseMediaType(header)
	if err != nil || mt == "" || mt == "application/octet-stream" {
		mt, _, _ = mime.ParseMediaType(http.DetectContentType(data))
	}
	return mt
}

// typeMatches reports whether a file served as served is what a vendor
// declared: PDF is PDF, video and text any of theirs, anything else anything.
func typeMatches(declared, served string) bool {
	switch {
	case declared == "application/pdf":
		return served == "application/pdf"
	case strings.HasPrefix(declared, "video/"):
		return strings.HasPrefix(served, "video/")
	case strings.HasPrefix(declared, "text/"):
		return strings.HasPrefix(served, "text/")
	}
	return true
}

// fileName is the last segment of the URL's path, or a name from the type.
func fileName(raw, mediaType string) string {
	if u, err := url.Parse(raw); err == nil {
		if base := path.Base(u.Path); base != "." && base != "/" && len(base) <= 200 {
			return base
		}
	}
	if exts, _ := mime.ExtensionsByType(mediaType); len(exts) > 0 {
		return "attachment" + exts[0]
	}
	return "attachment"
}

// linkedAttachments gives stored-file attachments signed links, for a
// connector that writes a result back: every ATS gets a link it can open.
func (s *Service) linkedAttachments(r core.Result) core.Result {
	out := r
	out.Attachments = make([]core.Attachment, len(r.Attachments))
	for i, a := range r.Attachments {
		if a.FileID != "" {
			a = core.Attachment{Name: a.Name, ContentType: a.ContentType,
				URL: s.d.Signer.SignedURL(s.d.BaseURL, PurposeFile, FilePath(a.FileID), s.d.ReportLinkTTL)}
		}
		out.Attachments[i] = a
	}
	return out
}

// File is a stored file behind a signed link (web's GET /files/{id}).
func (s *Service) File(ctx context.Context, id string, q map[string][]string) (core.StoredFile, error) {
	if err := s.d.Signer.Verify(PurposeFile, FilePath(id), q); err != nil {
		return core.StoredFile{}, core.Explain(fmt.Errorf("file %s: %w: %w", id, err, core.ErrForbidden), "this link is not valid or has expired")
	}
	f, err := s.d.Store.GetFile(ctx, id)
	if err != nil {
		return core.StoredFile{}, fmt.Errorf("file %s: %w", id, err)
	}
	return f, nil
}
