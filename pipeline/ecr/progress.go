package ecr

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// defaultTransport is the registry client's transport with connecting bounded: an unreachable registry fails in
// seconds. There is no overall timeout, since a large layer may take minutes; the caller's context bounds a push.
func defaultTransport() http.RoundTripper {
	base, ok := remote.DefaultTransport.(*http.Transport)
	if !ok {
		return remote.DefaultTransport
	}
	tr := base.Clone()
	tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = 10 * time.Second
	tr.ResponseHeaderTimeout = 2 * time.Minute
	return tr
}

// countingTransport counts the blob bytes sent to the registry, so a push can say how much it uploaded (zero
// when the registry already had every layer).
type countingTransport struct {
	next  http.RoundTripper
	bytes atomic.Int64
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody && strings.Contains(req.URL.Path, "/blobs/uploads/") &&
		(req.Method == http.MethodPatch || req.Method == http.MethodPut || req.Method == http.MethodPost) {
		r2 := req.Clone(req.Context())
		r2.Body = &countingBody{ReadCloser: req.Body, n: &c.bytes}
		req = r2
	}
	return c.next.RoundTrip(req)
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// reportProgress prints upload progress from a push's update channel until the push closes it: a line per tenth
// of the bytes, or every 10 seconds on a slow link. done is closed when the channel is drained.
func reportProgress(w io.Writer, updates <-chan v1.Update, done chan<- struct{}) {
	defer close(done)
	lastStep, lastAt := int64(-1), time.Now()
	for u := range updates {
		if u.Error != nil || u.Total <= 0 {
			continue
		}
		step := u.Complete * 10 / u.Total
		if step == lastStep && time.Since(lastAt) < 10*time.Second {
			continue
		}
		lastStep, lastAt = step, time.Now()
		progressf(w, "  %3d%%  %s of %s\n", u.Complete*100/u.Total, humanBytes(u.Complete), humanBytes(u.Total))
	}
}

// progressf writes to the progress writer. Progress is best-effort: a failed write must not fail the push.
func progressf(w io.Writer, format string, args ...any) {
	_, _ = fmt.Fprintf(w, format, args...)
}

// humanBytes renders a byte count as B, kB, MB or GB (powers of 1000, as registries and docker print them).
func humanBytes(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f GB", float64(n)/1e9)
}
