package api

import (
	"cmp"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// webhookReadTimeout bounds reading a webhook's body. ATSs send a few hundred
// bytes at once; a body that trickles in is cut off well before the server's
// own read timeout (30 s).
const webhookReadTimeout = 10 * time.Second

// readWebhookBody reads a webhook body of at most maxBody bytes. A failure
// comes with the status that says what went wrong: 413 for a body too large,
// 408 for one too slow, 400 for one cut off.
func readWebhookBody(w http.ResponseWriter, r *http.Request, timeout time.Duration) ([]byte, int, error) {
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Now().Add(cmp.Or(timeout, webhookReadTimeout))); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return nil, http.StatusInternalServerError, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err == nil {
		return body, 0, nil
	}
	var tooLarge *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(err, &tooLarge):
		return nil, http.StatusRequestEntityTooLarge, errors.New("body too large")
	case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return nil, http.StatusRequestTimeout, errors.New("the body took too long to arrive")
	}
	return nil, http.StatusBadRequest, errors.New("the body could not be read")
}
