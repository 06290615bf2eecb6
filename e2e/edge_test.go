package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

// The release as visitors see it. moto keeps the AWS state but runs no containers and never routes a request, so
// three small pieces of this file stand in for what AWS would do, each following the real thing's behaviour:
//
//   - ecsLifecycle sits in front of moto and makes an ECS deployment complete only once its tasks really serve:
//     moto reports a deployment COMPLETED the moment it exists (MOTO_ECS_SERVICE_RUNNING), real ECS only when the
//     new tasks pass their health checks. It is the one scripted part, because no local ECS runs containers.
//   - appRunner runs the app as ECS would: the image of the task definition the service points at, pulled by
//     digest from the lab registry, started by the real engine, health-checked on /healthz.
//   - edge routes like the deployed CloudFront distribution: its cache behaviours (path patterns and origins) are
//     read from the distribution in moto, the S3 origin is served from the bucket, the app origin from the tasks
//     of the service's serving revision — the old ones until the new ones are healthy, as an ALB drains.
//
// Visitors load "/" and every asset its HTML references, over and over, during every step.

// ecsLifecycle proxies the AWS API to moto; it tells the edge about every UpdateService and reports a deployment
// IN_PROGRESS until the edge serves its revision.
type ecsLifecycle struct {
	moto *url.URL
	edge *edge
	URL  string
}

func startECSLifecycle(t *testing.T, moto string, e *edge) *ecsLifecycle {
	t.Helper()
	u, err := url.Parse(moto)
	if err != nil {
		t.Fatal(err)
	}
	p := &ecsLifecycle{moto: u, edge: e}
	p.URL = serve(t, p)
	return p
}

func (p *ecsLifecycle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	op := r.Header.Get("X-Amz-Target")
	if strings.HasSuffix(op, ".UpdateService") {
		var in struct {
			TaskDefinition string `json:"taskDefinition"`
		}
		if json.Unmarshal(body, &in) == nil && in.TaskDefinition != "" {
			p.edge.follow(in.TaskDefinition)
		}
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.moto.String()+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	out.Host = r.Host // the caller signed its request for this Host; an IAM-enforcing moto checks the signature
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer func() { _ = resp.Body.Close() }()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if strings.HasSuffix(op, ".DescribeServices") && resp.StatusCode == http.StatusOK {
		respBody = p.withLifecycle(respBody)
	}
	for k, vs := range resp.Header {
		if k != "Content-Length" {
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(respBody) // the client sees a short answer as an error of its own
}

// withLifecycle marks the PRIMARY deployment as still in progress while the edge does not serve its revision.
func (p *ecsLifecycle) withLifecycle(body []byte) []byte {
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return body
	}
	services, _ := doc["services"].([]any)
	serving := p.edge.servingRevision()
	for _, s := range services {
		svc, _ := s.(map[string]any)
		deployments, _ := svc["deployments"].([]any)
		for _, d := range deployments {
			dep, _ := d.(map[string]any)
			if dep["status"] != "PRIMARY" {
				continue
			}
			// moto keeps its one deployment on the first revision; ECS's PRIMARY deployment runs the revision the
			// service was last pointed at.
			dep["taskDefinition"] = svc["taskDefinition"]
			if svc["taskDefinition"] != serving {
				dep["rolloutState"] = "IN_PROGRESS"
				dep["runningCount"] = 0
			}
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return out
}

// app is one revision's tasks: the image run by the engine, its port forwarded to the host.
type app struct {
	revision, image string
	containerPort   int
	port            int
	ready           chan struct{}
	err             error

	mu  sync.Mutex
	cmd *exec.Cmd
	log lockedBuffer
}

// lockedBuffer is a bytes.Buffer the command's output goroutine and the test may use at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// appHealthClient bounds each health check: a tunnel that accepted a connection before its service was up must not
// hang the check for ever.
var appHealthClient = &http.Client{Timeout: 3 * time.Second}

// targetClient forwards a visitor's request to the serving tasks, bounded like an ALB's wait for its target.
var targetClient = &http.Client{Timeout: 15 * time.Second}

// startApp runs image (a registry reference pinned by digest) through the lab's engine and waits for /healthz, as
// ECS's health check does; a start that is not healthy within 90 s is replaced by a new one (at most 3 starts).
func startApp(t *testing.T, revision, image string, containerPort int) *app {
	a := &app{revision: revision, image: image, containerPort: containerPort, ready: make(chan struct{})}
	dir := t.TempDir()
	go func() {
		defer close(a.ready)
		for attempt := 1; attempt <= 3; attempt++ {
			if a.start(dir) && a.healthy(90*time.Second) {
				a.err = nil
				return
			}
			a.err = fmt.Errorf("%s (%s) did not pass its health check (start %d of 3)", revision, image, attempt)
			a.stop()
		}
	}()
	t.Cleanup(a.stop)
	return a
}

// start runs `dagger core container from … as-service up` on a new host port.
func (a *app) start(dir string) bool {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.err = err
		return false
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	// No module: the engine itself pulls the image and runs it, as ECS would.
	cmd := exec.Command("dagger", "--progress=plain", "core", "container", "from", "--address="+a.image,
		"with-exposed-port", fmt.Sprintf("--port=%d", a.containerPort), "as-service", "up",
		fmt.Sprintf("--ports=%d:%d", port, a.containerPort))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "DO_NOT_TRACK=1", "DAGGER_NO_NAG=1")
	a.mu.Lock()
	defer a.mu.Unlock()
	cmd.Stdout, cmd.Stderr = &a.log, &a.log
	if err := cmd.Start(); err != nil {
		a.err = err
		return false
	}
	a.cmd, a.port = cmd, port
	return true
}

func (a *app) healthy(within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		resp, err := appHealthClient.Get(fmt.Sprintf("http://127.0.0.1:%d/healthz", a.hostPort()))
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	return false
}

func (a *app) stop() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cmd != nil && a.cmd.Process != nil {
		_ = a.cmd.Process.Kill()
		_ = a.cmd.Wait()
		a.cmd = nil
	}
}

func (a *app) output() string { return a.log.String() }

func (a *app) hostPort() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.port
}

// route is one cache behaviour: requests whose path matches go to the bucket, or to the app when bucket is "".
type route struct {
	pattern *regexp.Regexp
	bucket  string
}

// edge routes like the distribution and serves the app of the service's serving revision.
type edge struct {
	t             *testing.T
	cfg           aws.Config // straight to moto
	containerPort int
	routes        []route
	fallback      route
	URL           string

	mu       sync.Mutex
	apps     map[string]*app // tasks that took traffic, by task definition ARN
	starting map[string]*app // tasks started for the revision the service was pointed at, not yet healthy
	serving  string          // the revision whose tasks answer
	wanted   string          // the revision the service was last pointed at
	failed   []string
}

func newEdge(t *testing.T, cfg aws.Config, containerPort int) *edge {
	e := &edge{t: t, cfg: cfg, containerPort: containerPort, apps: map[string]*app{}, starting: map[string]*app{}}
	e.URL = serve(t, e)
	return e
}

// cloudFrontPattern turns a path pattern (* any characters, ? one) into a regexp.
func cloudFrontPattern(p string) *regexp.Regexp {
	q := regexp.QuoteMeta(p)
	q = strings.ReplaceAll(q, `\*`, `.*`)
	q = strings.ReplaceAll(q, `\?`, `.`)
	return regexp.MustCompile("^" + q + "$")
}

// loadDistribution reads the routing of the deployed distribution: the same origins and path patterns CloudFront
// would use, so a change of the pattern in infra/ changes what this edge does.
func (e *edge) loadDistribution(ctx context.Context) {
	e.t.Helper()
	cf := cloudfront.NewFromConfig(e.cfg)
	list, err := cf.ListDistributions(ctx, &cloudfront.ListDistributionsInput{})
	if err != nil || list.DistributionList == nil || len(list.DistributionList.Items) != 1 {
		e.t.Fatalf("edge: want one distribution: %v", err)
	}
	d, err := cf.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: list.DistributionList.Items[0].Id})
	if err != nil {
		e.t.Fatal(awsenv.Explain(err))
	}
	origins := map[string]string{} // origin id → bucket ("" for the app)
	for _, o := range d.DistributionConfig.Origins.Items {
		domain := aws.ToString(o.DomainName)
		bucket := ""
		if i := strings.Index(domain, ".s3."); i > 0 {
			bucket = domain[:i]
		}
		origins[aws.ToString(o.Id)] = bucket
	}
	e.routes = nil
	if cb := d.DistributionConfig.CacheBehaviors; cb != nil {
		for _, b := range cb.Items {
			e.routes = append(e.routes, route{pattern: cloudFrontPattern(aws.ToString(b.PathPattern)),
				bucket: origins[aws.ToString(b.TargetOriginId)]})
		}
	}
	e.fallback = route{bucket: origins[aws.ToString(d.DistributionConfig.DefaultCacheBehavior.TargetOriginId)]}
	if len(e.routes) == 0 || e.fallback.bucket != "" {
		e.t.Fatalf("edge: the distribution should send a static path to the bucket and the rest to the app: %+v, default %+v", e.routes, e.fallback)
	}
}

// follow starts new tasks of a revision the service was pointed at, as ECS does for a rollout and for a rollback to
// an older revision alike; the edge switches to them once healthy and stops the tasks they replace after draining.
// Pointing the service at the revision that already serves changes nothing.
func (e *edge) follow(taskDefinition string) {
	ctx := context.Background()
	td, err := awsecs.NewFromConfig(e.cfg).DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: &taskDefinition})
	if err != nil {
		e.fail("describe %s: %s", taskDefinition, awsenv.Explain(err))
		return
	}
	arn := aws.ToString(td.TaskDefinition.TaskDefinitionArn)
	image := aws.ToString(td.TaskDefinition.ContainerDefinitions[0].Image)
	_, digest, ok := strings.Cut(image, "@")
	if !ok {
		e.fail("%s runs %s, not an image pinned by digest", arn, image)
		return
	}
	// The task definition names the ECR repository; its bytes were pushed to the lab registry instead.
	repo, _, _ := strings.Cut(image[strings.Index(image, "/")+1:], ":")
	e.mu.Lock()
	e.wanted = arn
	if e.serving == arn {
		e.mu.Unlock()
		return
	}
	a := e.starting[arn]
	if a == nil {
		a = startApp(e.t, arn, labRegistry+"/"+repo+"@"+digest, e.containerPort)
		e.starting[arn] = a
	}
	e.mu.Unlock()
	go func() {
		<-a.ready
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.starting[arn] == a {
			delete(e.starting, arn)
		}
		if a.err != nil {
			e.failed = append(e.failed, fmt.Sprintf("%v\n%s", a.err, tail(a.output(), 30)))
			return
		}
		if e.wanted != arn {
			a.stop() // the service moved on while these tasks started
			return
		}
		replaced := e.apps[e.serving]
		e.serving = arn
		e.apps[arn] = a
		if replaced != nil && replaced != a {
			time.AfterFunc(5*time.Second, replaced.stop) // connection draining
		}
	}()
}

func (e *edge) fail(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failed = append(e.failed, fmt.Sprintf(format, args...))
}

func (e *edge) servingRevision() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.serving
}

func (e *edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt := e.fallback
	for _, x := range e.routes {
		if x.pattern.MatchString(r.URL.Path) {
			rt = x
			break
		}
	}
	if rt.bucket != "" {
		e.fromBucket(w, r, rt.bucket)
		return
	}
	e.mu.Lock()
	a := e.apps[e.serving]
	e.mu.Unlock()
	if a == nil {
		http.Error(w, "no healthy targets", http.StatusServiceUnavailable)
		return
	}
	resp, err := targetClient.Get(fmt.Sprintf("http://127.0.0.1:%d%s", a.hostPort(), r.URL.RequestURI()))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer func() { _ = resp.Body.Close() }()
	w.Header().Set("X-Edge-Revision", a.revision)
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body) // a cut body is the visitor's failure to see
}

// fromBucket serves an object as CloudFront's S3 origin (with origin access control) does: 403 for a missing key.
func (e *edge) fromBucket(w http.ResponseWriter, r *http.Request, bucket string) {
	obj, err := awsenv.S3(e.cfg).GetObject(r.Context(), &s3.GetObjectInput{Bucket: &bucket,
		Key: aws.String(strings.TrimPrefix(r.URL.Path, "/"))}, func(o *s3.Options) {
		o.DisableLogOutputChecksumValidationSkipped = true // moto sends no checksums; the log line would repeat per asset
	})
	if err != nil {
		http.Error(w, "AccessDenied", http.StatusForbidden)
		return
	}
	defer func() { _ = obj.Body.Close() }()
	w.Header().Set("Content-Type", aws.ToString(obj.ContentType))
	w.Header().Set("Cache-Control", aws.ToString(obj.CacheControl))
	_, _ = io.Copy(w, obj.Body) // a cut body is the visitor's failure to see
}

// serve starts h on a loopback port for the test's lifetime and returns its URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }() // returns http.ErrServerClosed at cleanup
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + l.Addr().String()
}

var (
	assetRef    = regexp.MustCompile(`(?:href|src)="(/assets/[^"]+)"`)
	releaseMeta = regexp.MustCompile(`<meta name="release" content="([^"]+)">`)
)

// visitors load pages and their assets through the edge and count what they get.
type visitors struct {
	edge                  string
	pages, assets, failed atomic.Int64
	mu                    sync.Mutex
	failures              []string
	seen                  map[string]string // release marker → revision that served it
	wrong                 []string
	stop                  chan struct{}
	stopOnce              sync.Once
	wg                    sync.WaitGroup
}

func newVisitors(edge string) *visitors {
	return &visitors{edge: edge, seen: map[string]string{}, stop: make(chan struct{})}
}

var visitClient = &http.Client{Timeout: 20 * time.Second}

// browse: n visitors, each loading "/" and then every asset its HTML references, until stop.
func (v *visitors) browse(n int) {
	for range n {
		v.wg.Add(1)
		go func() {
			defer v.wg.Done()
			for v.running() {
				resp, err := visitClient.Get(v.edge + "/")
				if err != nil {
					time.Sleep(100 * time.Millisecond)
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					// No release serves yet (before the first), or the app answered an error: not a page with assets.
					time.Sleep(100 * time.Millisecond)
					continue
				}
				v.pages.Add(1)
				v.note(string(body), resp.Header.Get("X-Edge-Revision"))
				v.loadAssets(string(body))
				time.Sleep(50 * time.Millisecond)
			}
		}()
	}
}

// keep: one visitor that got page html and keeps its tab open, loading that page's assets until stop.
func (v *visitors) keep(html string) {
	v.wg.Add(1)
	go func() {
		defer v.wg.Done()
		for v.running() {
			v.loadAssets(html)
			time.Sleep(200 * time.Millisecond)
		}
	}()
}

func (v *visitors) running() bool {
	select {
	case <-v.stop:
		return false
	default:
		return true
	}
}

func (v *visitors) note(html, revision string) {
	m := releaseMeta.FindStringSubmatch(html)
	v.mu.Lock()
	defer v.mu.Unlock()
	if m == nil {
		v.wrong = append(v.wrong, "a page without its release marker from "+revision)
		return
	}
	if prev, ok := v.seen[m[1]]; ok && prev != revision {
		v.wrong = append(v.wrong, fmt.Sprintf("release %s served by %s and by %s", m[1], prev, revision))
	}
	v.seen[m[1]] = revision
}

func (v *visitors) loadAssets(html string) {
	release := "?"
	if m := releaseMeta.FindStringSubmatch(html); m != nil {
		release = m[1]
	}
	for _, m := range assetRef.FindAllStringSubmatch(html, -1) {
		resp, err := visitClient.Get(v.edge + m[1])
		v.assets.Add(1)
		if err == nil {
			n, _ := io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK && n > 0 {
				continue
			}
			err = fmt.Errorf("HTTP %d, %d bytes", resp.StatusCode, n)
		}
		v.failed.Add(1)
		v.mu.Lock()
		if len(v.failures) < 20 {
			v.failures = append(v.failures, fmt.Sprintf("%s %s (page of release %s): %v", time.Now().Format("15:04:05.000"), m[1], release, err))
		}
		v.mu.Unlock()
	}
}

// figures is one line of what the visitors got so far.
func (v *visitors) figures() string {
	return fmt.Sprintf("%d pages, %d asset loads, %d failed", v.pages.Load(), v.assets.Load(), v.failed.Load())
}

// finish stops every visitor and waits for them; calling it again does nothing.
func (v *visitors) finish() {
	v.stopOnce.Do(func() { close(v.stop) })
	v.wg.Wait()
}

// page fetches "/" through the edge, as one visitor does.
func page(t *testing.T, base string) (html, revision string) {
	t.Helper()
	resp, err := visitClient.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / through the edge: %d %s", resp.StatusCode, b)
	}
	return string(b), resp.Header.Get("X-Edge-Revision")
}
