package ecsfake

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// taskDef resolves "family" (latest ACTIVE revision), "family:revision" or an ARN; nil when unknown.
func (s *Server) taskDef(ref string) *taskDef {
	if i := strings.LastIndex(ref, "task-definition/"); i >= 0 {
		ref = ref[i+len("task-definition/"):]
	}
	family, rev, hasRev := strings.Cut(ref, ":")
	revs := s.taskDefs[family]
	if !hasRev {
		for i := len(revs) - 1; i >= 0; i-- {
			if revs[i].status == "ACTIVE" {
				return revs[i]
			}
		}
		return nil
	}
	n, err := strconv.Atoi(rev)
	if err != nil || n < 1 || n > len(revs) {
		return nil
	}
	return revs[n-1]
}

// wire is the task definition as DescribeTaskDefinition returns it: what was registered plus ECS's own members.
func (td *taskDef) wire(registeredAt epoch) map[string]any {
	out := map[string]any{}
	for k, v := range td.body {
		out[k] = v
	}
	out["taskDefinitionArn"], out["revision"], out["status"] = td.arn, td.revision, td.status
	out["registeredAt"], out["registeredBy"] = registeredAt, "arn:aws:iam::"+account+":role/fake"
	out["requiresAttributes"] = []any{}
	if rc, ok := td.body["requiresCompatibilities"]; ok {
		out["compatibilities"] = rc
	} else {
		out["compatibilities"] = []string{"EC2"}
	}
	return out
}

func (s *Server) registerTaskDefinition(body []byte) (any, *apiError) {
	var in map[string]json.RawMessage
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var family string
	var containers []struct {
		Name  string `json:"name"`
		Image string `json:"image"`
	}
	var tags []tag
	_ = json.Unmarshal(in["family"], &family)
	_ = json.Unmarshal(in["containerDefinitions"], &containers)
	_ = json.Unmarshal(in["tags"], &tags)
	if family == "" {
		return nil, errorf("ClientException", "Family is required.")
	}
	if len(containers) == 0 {
		return nil, errorf("ClientException", "Container list cannot be empty.")
	}
	for _, c := range containers {
		if c.Name == "" || strings.TrimSpace(c.Image) == "" {
			return nil, errorf("ClientException", "Container.name and Container.image should not be null or empty.")
		}
	}
	for _, t := range tags {
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return nil, errorf("InvalidParameterException", "Tag keys prefixed with 'aws:' are reserved.")
		}
	}
	delete(in, "tags")
	td := &taskDef{family: family, status: "ACTIVE", revision: len(s.taskDefs[family]) + 1, body: in, tags: tags}
	td.arn = fmt.Sprintf("arn:aws:ecs:%s:%s:task-definition/%s:%d", region, account, family, td.revision)
	s.taskDefs[family] = append(s.taskDefs[family], td)
	return map[string]any{"taskDefinition": td.wire(epoch(time.Now())), "tags": orEmpty(tags)}, nil
}

func (s *Server) describeTaskDefinition(body []byte) (any, *apiError) {
	var in struct {
		TaskDefinition string   `json:"taskDefinition"`
		Include        []string `json:"include"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	td := s.taskDef(in.TaskDefinition)
	if td == nil {
		return nil, errorf("ClientException", "Unable to describe task definition.")
	}
	out := map[string]any{"taskDefinition": td.wire(epoch(time.Now()))}
	for _, f := range in.Include {
		if f == "TAGS" {
			out["tags"] = orEmpty(td.tags)
		}
	}
	return out, nil
}

func (s *Server) listTaskDefinitions(body []byte) (any, *apiError) {
	var in struct {
		FamilyPrefix string `json:"familyPrefix"`
		Status       string `json:"status"`
		Sort         string `json:"sort"`
		NextToken    string `json:"nextToken"`
		MaxResults   int    `json:"maxResults"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.Status == "" {
		in.Status = "ACTIVE"
	}
	var defs []*taskDef
	for family, revs := range s.taskDefs {
		if !strings.HasPrefix(family, in.FamilyPrefix) {
			continue
		}
		for _, td := range revs {
			if in.Status == "ALL" || td.status == in.Status {
				defs = append(defs, td)
			}
		}
	}
	// ECS's order: family name, then revision number; DESC reverses both.
	sort.Slice(defs, func(i, j int) bool {
		a, b := defs[i], defs[j]
		if in.Sort == "DESC" {
			a, b = b, a
		}
		return a.family < b.family || a.family == b.family && a.revision < b.revision
	})
	arns := make([]string, len(defs))
	for i, td := range defs {
		arns[i] = td.arn
	}
	page, next, err := s.page(arns, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return map[string]any{"taskDefinitionArns": page, "nextToken": next}, nil
}

// page cuts a listing at the token (an offset) and returns the next token, nil on the last page.
func (s *Server) page(items []string, token string, max int) ([]string, *string, *apiError) {
	if max <= 0 {
		max = s.pageSize
	}
	from := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(items) {
			return nil, nil, errorf("InvalidParameterException", "Invalid nextToken.")
		}
		from = n
	}
	to := min(from+max, len(items))
	out := append([]string{}, items[from:to]...)
	if to == len(items) {
		return out, nil, nil
	}
	next := strconv.Itoa(to)
	return out, &next, nil
}

func orEmpty(tags []tag) []tag {
	if tags == nil {
		return []tag{}
	}
	return tags
}
