// Package ecsfake is a scripted ECS API for tests, because moto's ECS never fails a deployment: its UpdateService
// starts no new deployment, its rolloutState stays IN_PROGRESS (or COMPLETED at once) and is never FAILED, and
// it lists no tasks for a service. A rollout watcher that must tell success from a circuit-breaker rollback, a
// failed task or a vanished deployment cannot be tested against that.
//
// The fake is an httptest.Server speaking the real awsJson1.1 protocol, so the SDK's own client talks to it. It
// follows ECS's documented deployment lifecycle: UpdateService with a new task definition starts a PRIMARY
// deployment IN_PROGRESS and turns the previous one ACTIVE. What happens next is scripted per deployment, one
// Step per DescribeServices call (one poll): tasks start, tasks fail, the circuit breaker trips, it completes.
package ecsfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	region  = "eu-west-1"
	account = "123456789012"
	prefix  = "AmazonEC2ContainerServiceV20141113."
)

// Server is a running fake. Its methods set up state and read what happened; the SDK does the rest.
type Server struct {
	// URL is the endpoint to give the SDK (BaseEndpoint).
	URL string

	mu       sync.Mutex
	clusters map[string]bool
	services map[string]*service // "cluster/name"
	taskDefs map[string][]*taskDef
	tasks    []*task
	scripts  [][]Step      // for the next deployments UpdateService starts, in order
	started  []*deployment // deployments UpdateService started, in order
	calls    map[string]int
	pageSize int
	seq      int
}

// New starts a fake on a loopback port and stops it when the test ends.
func New(t testing.TB) *Server {
	s := &Server{clusters: map[string]bool{}, services: map[string]*service{}, taskDefs: map[string][]*taskDef{},
		calls: map[string]int{}, pageSize: 100}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	s.URL = hs.URL
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), prefix)
	handler := operations[op]
	if r.Method != http.MethodPost || !ok || handler == nil {
		reply(w, http.StatusBadRequest, errorf("UnknownOperationException", "unknown operation "+r.Header.Get("X-Amz-Target")))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		reply(w, http.StatusBadRequest, errorf("SerializationException", err.Error()))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[op]++
	out, apiErr := handler(s, body)
	if apiErr != nil {
		reply(w, http.StatusBadRequest, apiErr)
		return
	}
	reply(w, http.StatusOK, out)
}

func reply(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"__type":"ServerException","message":"fake: cannot encode response"}`)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// decode reads a request body into v; a body the SDK would never send is a SerializationException.
func decode(body []byte, v any) *apiError {
	if err := json.Unmarshal(body, v); err != nil {
		return errorf("SerializationException", err.Error())
	}
	return nil
}

// CreateCluster adds an empty cluster.
func (s *Server) CreateCluster(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clusters[name] = true
}

// CreateService adds a settled service: one PRIMARY deployment of taskDefinition (an ARN or family:revision
// registered before), COMPLETED, with desired tasks running and one "steady state" event.
func (s *Server) CreateService(cluster, name, taskDefinition string, desired int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	td := s.taskDef(taskDefinition)
	if !s.clusters[cluster] || td == nil {
		panic(fmt.Sprintf("ecsfake: CreateService %s/%s: no such cluster or task definition %s", cluster, name, taskDefinition))
	}
	now := epoch(time.Now())
	svc := &service{ServiceArn: serviceARN(cluster, name), ServiceName: name, ClusterArn: clusterARN(cluster),
		Status: "ACTIVE", DesiredCount: desired, LaunchType: "FARGATE", TaskDefinition: td.arn, CreatedAt: now,
		DeploymentController: deploymentController{Type: "ECS"}, cluster: cluster}
	d := &deployment{ID: s.deploymentID(), Status: "PRIMARY", TaskDefinition: td.arn, DesiredCount: desired,
		CreatedAt: now, UpdatedAt: now, LaunchType: "FARGATE", RolloutState: "COMPLETED"}
	d.RolloutStateReason = "ECS deployment " + d.ID + " completed."
	svc.Deployments = []*deployment{d}
	s.services[cluster+"/"+name] = svc
	s.startTasks(svc, d, desired)
	s.count(svc)
	s.event(svc, "(service "+name+") has reached a steady state.")
}

// DeleteService marks a service INACTIVE, as ECS does for a while after deleting it.
func (s *Server) DeleteService(cluster, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if svc := s.services[cluster+"/"+name]; svc != nil {
		svc.Status, svc.DesiredCount = "INACTIVE", 0
	}
}

// Deregister marks a task definition revision INACTIVE.
func (s *Server) Deregister(taskDefinition string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if td := s.taskDef(taskDefinition); td != nil {
		td.status = "INACTIVE"
	}
}

// Script sets what happens to the next deployment UpdateService starts: step i on its i-th poll. Call it once per
// expected deployment, in order. A deployment without a script, or past its last step, stays as it is.
func (s *Server) Script(steps ...Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts = append(s.scripts, steps)
}

// Polls is how many DescribeServices calls the n-th deployment UpdateService started (from 0) answered while
// it was in progress and the newest.
func (s *Server) Polls(n int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n >= len(s.started) {
		return 0
	}
	return s.started[n].polls
}

// Calls is how many times an operation ("UpdateService") was called.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// ServiceTaskDefinition is the task definition ARN a service is set to run.
func (s *Server) ServiceTaskDefinition(cluster, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if svc := s.services[cluster+"/"+name]; svc != nil {
		return svc.TaskDefinition
	}
	return ""
}

// SetPageSize sets how many items a List call returns at most when the request sets no maxResults (ECS: 100).
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

func clusterARN(cluster string) string {
	return fmt.Sprintf("arn:aws:ecs:%s:%s:cluster/%s", region, account, cluster)
}

func serviceARN(cluster, name string) string {
	return fmt.Sprintf("arn:aws:ecs:%s:%s:service/%s/%s", region, account, cluster, name)
}

func (s *Server) next() int { s.seq++; return s.seq }

func (s *Server) deploymentID() string {
	return fmt.Sprintf("ecs-svc/%019d", 4000000000000000000+s.next())
}

// event records a service event; ECS lists them newest first.
func (s *Server) event(svc *service, message string) {
	e := event{ID: fmt.Sprintf("%08x-0000-4000-8000-%012x", s.next(), s.seq), CreatedAt: epoch(time.Now()), Message: message}
	svc.Events = append([]event{e}, svc.Events...)
}
