package testkit

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
)

// RegistryOption changes the in-process registry StartRegistry serves.
type RegistryOption func(*registryOptions)

type registryOptions struct {
	user, password string
	wrap           []func(http.Handler) http.Handler
}

// WithBasicAuth makes the registry answer 401 with a Basic challenge unless a request carries these credentials,
// the way a private registry (ECR included) rejects a wrong or missing password.
func WithBasicAuth(user, password string) RegistryOption {
	return func(o *registryOptions) { o.user, o.password = user, password }
}

// WithHandler wraps the registry's handler, e.g. to count or inspect the requests it receives. Wrappers apply in
// the order given, the first one outermost.
func WithHandler(wrap func(http.Handler) http.Handler) RegistryOption {
	return func(o *registryOptions) { o.wrap = append(o.wrap, wrap) }
}

// StartRegistry serves go-containerregistry's in-process OCI registry (blobs and manifests in memory) over plain
// HTTP on a free loopback port and stops it when the test ends. It returns the host, "127.0.0.1:PORT", ready to
// prefix a repository: host + "/web".
func StartRegistry(t testing.TB, opts ...RegistryOption) string {
	t.Helper()
	var o registryOptions
	for _, opt := range opts {
		opt(&o)
	}
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	if o.user != "" || o.password != "" {
		h = basicAuth(h, o.user, o.password)
	}
	for i := len(o.wrap) - 1; i >= 0; i-- {
		h = o.wrap[i](h)
	}
	// httptest.NewServer listens on 127.0.0.1:0: nothing leaves the machine.
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func basicAuth(next http.Handler, user, password string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != user || p != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="testkit registry"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
			return
		}
		next.ServeHTTP(w, r)
	})
}
