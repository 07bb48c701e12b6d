package stdwebhook_test

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"switchboard/internal/stdwebhook"
)

// The Go library's fixed vector from the specification's repository
// (libraries/go/webhook_test.go), signed and then checked as a receiver would.
func Example() {
	secret, err := stdwebhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		panic(err)
	}
	body := []byte(`{"test": 2432232314}`)
	sent := time.Unix(1614265330, 0)

	h, err := stdwebhook.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", sent, body, secret)
	if err != nil {
		panic(err)
	}
	fmt.Println(h.Get(stdwebhook.HeaderSignature))

	// The receiver: answer 400 for a malformed request, 401 for one that is
	// not authentic or not fresh.
	status := func(err error) int {
		switch {
		case err == nil:
			return http.StatusNoContent
		case errors.Is(err, stdwebhook.ErrMissingHeader), errors.Is(err, stdwebhook.ErrMalformedHeader):
			return http.StatusBadRequest
		case errors.Is(err, stdwebhook.ErrNoSecret):
			return http.StatusInternalServerError
		default:
			return http.StatusUnauthorized
		}
	}
	fmt.Println(status(stdwebhook.Verify(h, body, sent.Add(time.Minute), 0, secret)))
	fmt.Println(status(stdwebhook.Verify(h, []byte(`{"test": 1}`), sent, 0, secret)))
	fmt.Println(status(stdwebhook.Verify(h, body, sent.Add(time.Hour), 0, secret)))
	fmt.Println(status(stdwebhook.Verify(http.Header{}, body, sent, 0, secret)))
	// Output:
	// v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
	// 204
	// 401
	// 401
	// 400
}
