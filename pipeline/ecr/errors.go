package ecr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// networkCauses are the phrases of Go's network errors that mean "could not talk to the registry at all". The
// registry client joins the errors of its https and http attempts without wrapping them, so errors.As cannot see
// them; the text can.
var networkCauses = []string{
	"connection refused", "no such host", "i/o timeout", "network is unreachable", "connection reset by peer",
	"no route to host", "server misbehaving", "TLS handshake timeout",
}

// explainRegistry reduces an error from the registry client to one line that names the registry and what to do.
func explainRegistry(err error, repo name.Repository, action string) string {
	host := repo.RegistryStr()
	var terr *transport.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("registry %s: %s timed out", host, action)
	case errors.Is(err, context.Canceled):
		return fmt.Sprintf("registry %s: %s canceled", host, action)
	case errors.As(err, &terr):
		return explainStatus(terr, repo, action)
	}
	msg := oneLine(err.Error())
	if strings.Contains(msg, "server gave HTTP response to HTTPS client") {
		return fmt.Sprintf("registry %s speaks plain HTTP: write the repository as http://%s", host, repo.Name())
	}
	if strings.Contains(msg, "x509:") || strings.Contains(msg, "tls: ") {
		return fmt.Sprintf("registry %s: TLS failed: %s", host, lastCause(msg))
	}
	for _, cause := range networkCauses {
		if strings.Contains(msg, cause) {
			return fmt.Sprintf("registry %s unreachable (%s): %s", host, cause, lastCause(msg))
		}
	}
	return fmt.Sprintf("registry %s: %s: %s", host, action, msg)
}

func explainStatus(terr *transport.Error, repo name.Repository, action string) string {
	host := repo.RegistryStr()
	codes := map[transport.ErrorCode]bool{}
	var msgs []string
	for _, d := range terr.Errors {
		codes[d.Code] = true
		msgs = append(msgs, d.String())
	}
	detail := fmt.Sprintf("%d %s", terr.StatusCode, http.StatusText(terr.StatusCode))
	if len(msgs) > 0 {
		detail = strings.Join(msgs, "; ")
	}
	detail = oneLine(detail)
	switch {
	case terr.StatusCode == http.StatusUnauthorized || codes[transport.UnauthorizedErrorCode]:
		return fmt.Sprintf("registry %s rejected the credentials (%s): log in again (an ECR password lasts 12 hours) or check the registry host", host, detail)
	case terr.StatusCode == http.StatusForbidden || codes[transport.DeniedErrorCode]:
		return fmt.Sprintf("registry %s denied %s of %s (%s): the credentials lack permission for this repository", host, action, repo.RepositoryStr(), detail)
	case codes[transport.NameUnknownErrorCode] || strings.Contains(detail, "RepositoryNotFoundException"):
		return fmt.Sprintf("repository %q does not exist on registry %s: create it (terraform apply) before pushing", repo.RepositoryStr(), host)
	case codes[transport.TagInvalidErrorCode] || strings.Contains(detail, "ImageTagAlreadyExists"):
		return fmt.Sprintf("registry %s refused to overwrite a tag in %s (immutable tags): %s", host, repo.RepositoryStr(), detail)
	}
	return fmt.Sprintf("registry %s: %s failed: %s", host, action, detail)
}

// lastCause keeps the innermost part of a network error ("dial tcp 127.0.0.1:1: connect: connection refused"),
// dropping the URL-and-method prefixes the HTTP client adds; several joined attempts keep only the last.
func lastCause(msg string) string {
	if i := strings.LastIndex(msg, "; "); i >= 0 {
		msg = msg[i+2:]
	}
	if i := strings.Index(msg, "dial tcp"); i >= 0 {
		return msg[i:]
	}
	return msg
}

// oneLine folds a multi-line message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// redactor removes the password of an authenticator from any text, in case a registry echoes it back.
type redactor struct{ secrets []string }

func newRedactor(auth authn.Authenticator) redactor {
	if auth == nil || auth == authn.Anonymous {
		return redactor{}
	}
	cfg, err := authn.Authorization(context.Background(), auth)
	if err != nil || cfg == nil {
		return redactor{}
	}
	var r redactor
	for _, s := range []string{cfg.Password, cfg.Auth, cfg.IdentityToken, cfg.RegistryToken} {
		if len(s) >= 4 {
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

func (r redactor) clean(s string) string {
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	return s
}

// errorf builds a one-line error with secrets removed.
func (r redactor) errorf(format string, args ...any) error {
	return errors.New(r.clean(fmt.Sprintf(format, args...)))
}
