// Package testkit starts the real local services that the pipeline's packages are tested against: moto (the AWS
// API emulator, server mode) and an in-process OCI registry. Each test gets its own moto on a free loopback port,
// so tests never see each other's buckets or services and need no cleanup.
//
// A missing service skips the test on a laptop and fails it under CI=true, naming what is missing: a CI run that
// silently skipped the AWS suite would be green and prove nothing.
package testkit

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

// Region is the region every test uses; moto accepts any.
const Region = "eu-west-1"

// Moto is a running moto_server.
type Moto struct {
	// Endpoint is the base URL, e.g. http://127.0.0.1:40123.
	Endpoint string
}

// Missing skips the test, or fails it under CI=true, because a service it needs is not installed. `go test -short`
// asks for the unit tests only (the repository's own `dagger call check` runs that way, in a container without
// moto, terraform or trivy), so there a missing service always skips.
func Missing(t testing.TB, what string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("%s not found; -short runs without it", what)
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required under CI=true and was not found", what)
	}
	t.Skipf("%s not found; install it to run this test", what)
}

// StartMoto starts moto_server on a free loopback port and stops it when the test ends. Extra environment (e.g.
// MOTO_ECS_SERVICE_RUNNING) is passed to the server.
func StartMoto(t testing.TB, env ...string) *Moto {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		Missing(t, "moto_server (pip package moto[server])")
	}
	port := FreePort(t)
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Env = append(os.Environ(), env...)
	return &Moto{Endpoint: serveMoto(t, cmd, port)}
}

// serveMoto starts cmd (a moto server on port), stops it when the test ends, and returns its base URL once it
// answers. /moto-api/ is not an AWS action, so the wait uses none of an enforcing moto's unauthenticated requests.
// moto's log goes to a file whose last lines a failed test prints.
func serveMoto(t testing.TB, cmd *exec.Cmd, port int) string {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "moto.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting moto: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = logf.Close()
		if t.Failed() {
			t.Logf("--- last lines of moto's log ---\n%s", TailOfFile(logPath, 30))
		}
	})
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(endpoint + "/moto-api/")
		if err == nil {
			_ = resp.Body.Close()
			return endpoint
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto did not answer on %s within 30s: %v\n%s", endpoint, err, TailOfFile(logPath, 30))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Config is an aws.Config for this moto, built the way users build theirs: explicit keys and an endpoint URL.
func (m *Moto) Config(t testing.TB) aws.Config {
	t.Helper()
	cfg, err := awsenv.Load(context.Background(), awsenv.Options{
		Region:          Region,
		AccessKeyID:     "testing",
		SecretAccessKey: "testing",
		Endpoint:        m.Endpoint,
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }() // only probed for its port
	return l.Addr().(*net.TCPAddr).Port
}

// TailOfFile is the last n lines of a file, for failure messages.
func TailOfFile(path string, n int) string {
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
