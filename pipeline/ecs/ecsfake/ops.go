package ecsfake

import (
	"path"
	"strings"
	"time"
)

type operation func(s *Server, body []byte) (any, *apiError)

// operations are the ECS actions the fake speaks; anything else is an UnknownOperationException.
var operations = map[string]operation{
	"DescribeServices":       (*Server).describeServices,
	"UpdateService":          (*Server).updateService,
	"DescribeTaskDefinition": (*Server).describeTaskDefinition,
	"RegisterTaskDefinition": (*Server).registerTaskDefinition,
	"ListTaskDefinitions":    (*Server).listTaskDefinitions,
	"ListTasks":              (*Server).listTasks,
	"DescribeTasks":          (*Server).describeTasks,
}

// cluster resolves a cluster name or ARN (empty: "default").
func (s *Server) cluster(ref string) (string, *apiError) {
	name := ref
	if i := strings.LastIndex(ref, "cluster/"); i >= 0 {
		name = ref[i+len("cluster/"):]
	}
	if name == "" {
		name = "default"
	}
	if !s.clusters[name] {
		return "", errClusterNotFound
	}
	return name, nil
}

func (s *Server) service(cluster, ref string) *service {
	return s.services[cluster+"/"+path.Base(ref)]
}

func (s *Server) describeServices(body []byte) (any, *apiError) {
	var in struct {
		Cluster  string   `json:"cluster"`
		Services []string `json:"services"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	cluster, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	out := struct {
		Services []*service `json:"services"`
		Failures []failure  `json:"failures"`
	}{Services: []*service{}, Failures: []failure{}}
	for _, ref := range in.Services {
		svc := s.service(cluster, ref)
		if svc == nil {
			out.Failures = append(out.Failures, failure{Arn: serviceARN(cluster, path.Base(ref)), Reason: "MISSING"})
			continue
		}
		s.poll(svc)
		out.Services = append(out.Services, svc)
	}
	return out, nil
}

func (s *Server) updateService(body []byte) (any, *apiError) {
	var in struct {
		Cluster            string `json:"cluster"`
		Service            string `json:"service"`
		TaskDefinition     string `json:"taskDefinition"`
		DesiredCount       *int   `json:"desiredCount"`
		ForceNewDeployment bool   `json:"forceNewDeployment"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	cluster, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	svc := s.service(cluster, in.Service)
	if svc == nil {
		return nil, errServiceNotFound
	}
	if svc.Status != "ACTIVE" {
		return nil, errorf("ServiceNotActiveException", "Service was not ACTIVE.")
	}
	if in.DesiredCount != nil {
		svc.DesiredCount = *in.DesiredCount
	}
	td := svc.TaskDefinition
	if in.TaskDefinition != "" {
		def := s.taskDef(in.TaskDefinition)
		if def == nil {
			return nil, errorf("ClientException", "TaskDefinition not found.")
		}
		if def.status != "ACTIVE" {
			return nil, errorf("ClientException", "TaskDefinition is inactive")
		}
		td = def.arn
	}
	// ECS starts a deployment only when something changed or one is forced.
	if td != svc.TaskDefinition || in.ForceNewDeployment {
		s.deploy(svc, td)
	}
	return map[string]any{"service": svc}, nil
}

// deploy starts a PRIMARY deployment of td, IN_PROGRESS; the PRIMARY one before it turns ACTIVE.
func (s *Server) deploy(svc *service, td string) {
	now := epoch(time.Now())
	d := &deployment{ID: s.deploymentID(), Status: "PRIMARY", TaskDefinition: td, DesiredCount: svc.DesiredCount,
		PendingCount: svc.DesiredCount, CreatedAt: now, UpdatedAt: now, LaunchType: svc.LaunchType,
		RolloutState: "IN_PROGRESS"}
	d.RolloutStateReason = "ECS deployment " + d.ID + " in progress."
	for _, old := range svc.Deployments {
		if old.Status == "PRIMARY" {
			old.Status, d.prev = "ACTIVE", old
		}
	}
	if len(s.scripts) > 0 {
		d.script, s.scripts = s.scripts[0], s.scripts[1:]
	}
	svc.Deployments = append([]*deployment{d}, svc.Deployments...)
	svc.TaskDefinition, svc.newest = td, d
	s.started = append(s.started, d)
	s.count(svc)
}

// poll runs the next step of the newest deployment's script, if it is still in progress.
func (s *Server) poll(svc *service) {
	d := svc.newest
	if d == nil || d.RolloutState != "IN_PROGRESS" || !s.live(svc, d) {
		return
	}
	d.polls++
	if len(d.script) == 0 {
		return
	}
	step := d.script[0]
	d.script = d.script[1:]
	step.apply(s, svc, d)
	d.UpdatedAt = epoch(time.Now())
	s.count(svc)
}

func (s *Server) live(svc *service, d *deployment) bool {
	for _, x := range svc.Deployments {
		if x == d {
			return true
		}
	}
	return false
}

// count keeps the service's task counts the sum of its deployments'.
func (s *Server) count(svc *service) {
	svc.RunningCount, svc.PendingCount = 0, 0
	for _, d := range svc.Deployments {
		svc.RunningCount += d.RunningCount
		svc.PendingCount += d.PendingCount
	}
}

func (s *Server) listTasks(body []byte) (any, *apiError) {
	var in struct {
		Cluster       string `json:"cluster"`
		ServiceName   string `json:"serviceName"`
		DesiredStatus string `json:"desiredStatus"`
		NextToken     string `json:"nextToken"`
		MaxResults    int    `json:"maxResults"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	cluster, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	if in.ServiceName != "" && s.service(cluster, in.ServiceName) == nil {
		return nil, errServiceNotFound
	}
	if in.DesiredStatus == "" {
		in.DesiredStatus = "RUNNING"
	}
	var arns []string
	for _, t := range s.tasks {
		if t.cluster == cluster && t.DesiredStatus == in.DesiredStatus &&
			(in.ServiceName == "" || t.Group == "service:"+path.Base(in.ServiceName)) {
			arns = append(arns, t.TaskArn)
		}
	}
	page, next, err := s.page(arns, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return map[string]any{"taskArns": page, "nextToken": next}, nil
}

func (s *Server) describeTasks(body []byte) (any, *apiError) {
	var in struct {
		Cluster string   `json:"cluster"`
		Tasks   []string `json:"tasks"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	cluster, err := s.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	if len(in.Tasks) == 0 || len(in.Tasks) > 100 {
		return nil, errorf("InvalidParameterException", "Tasks must contain between 1 and 100 elements.")
	}
	out := struct {
		Tasks    []*task   `json:"tasks"`
		Failures []failure `json:"failures"`
	}{Tasks: []*task{}, Failures: []failure{}}
	for _, ref := range in.Tasks {
		found := false
		for _, t := range s.tasks {
			if t.cluster == cluster && (t.TaskArn == ref || path.Base(t.TaskArn) == ref) {
				out.Tasks, found = append(out.Tasks, t), true
				break
			}
		}
		if !found {
			out.Failures = append(out.Failures, failure{Arn: ref, Reason: "MISSING"})
		}
	}
	return out, nil
}
