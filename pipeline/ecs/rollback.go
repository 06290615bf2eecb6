package ecs

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

// maxListPages bounds the search for the previous revision (100 revisions a page).
const maxListPages = 100

// RollbackOptions say which service to return to which revision.
type RollbackOptions struct {
	// Cluster and Service name the ECS service (names or ARNs).
	Cluster, Service string
	// To is the revision to return to: "web:41" or its ARN. Empty: the highest ACTIVE revision of the service's
	// task definition family below the one it runs now.
	To string
	// Progress, PollInterval, Timeout and MaxFailedTasks work as in RolloutOptions.
	Progress       io.Writer
	PollInterval   time.Duration
	Timeout        time.Duration
	MaxFailedTasks int
}

// Rollback points the service at an earlier revision and follows that deployment like a rollout. It does not roll
// back a failed rollback: the error says where the service was left. In the result Previous is the revision the
// service ran before and New the one it was returned to.
func Rollback(ctx context.Context, c Client, o RollbackOptions) (res RolloutResult, err error) {
	start := time.Now()
	t := target{cluster: o.Cluster, service: o.Service}
	res = RolloutResult{Cluster: o.Cluster, Service: o.Service}
	svc, err := findService(ctx, c, t)
	if err != nil {
		return res, err
	}
	res.Previous = revisionOf(aws.ToString(svc.TaskDefinition))
	to := o.To
	if to == "" {
		if to, err = previousRevision(ctx, c, t, res.Previous); err != nil {
			return res, err
		}
	}
	td, _, err := loadTaskDefinition(ctx, c, t, to)
	if err != nil {
		return res, err
	}
	res.New = revisionOf(aws.ToString(td.TaskDefinitionArn))
	if td.Status != "" && td.Status != types.TaskDefinitionStatusActive {
		return res, t.errorf("cannot roll back to %s: it is %s (deregistered); ECS only deploys ACTIVE revisions", res.New.Label, td.Status)
	}
	w := newWatch(c, t, o.Progress, o.PollInterval, o.Timeout, o.MaxFailedTasks, svc)
	// res is a named result so that this reaches every return.
	defer func() { res.Events, res.StoppedTasks, res.Duration = w.events, w.stopped, time.Since(start) }()
	if res.New.ARN == res.Previous.ARN {
		w.say("already on %s: nothing to roll back", res.New.Label)
		return res, nil
	}
	w.say("rolling back from %s to %s", res.Previous.Label, res.New.Label)
	got, err := w.deploy(ctx, res.New)
	res.DeploymentID = got.id
	if err != nil && ctx.Err() != nil {
		return res, t.errorf("rollback to %s interrupted (%w); ECS carries on with whatever it started", res.New.Label, ctx.Err())
	}
	if err != nil {
		return res, t.errorf("rollback: %v (%s is still serving)", err, res.Previous.Label)
	}
	if got.failed {
		return res, t.errorf("rollback to %s failed: %s; %s", res.New.Label, got.reason, serving(got.service, res.New))
	}
	res.RolledBack = true
	w.say("rolled back: %s is serving", res.New.Label)
	return res, nil
}

// restore is the automatic rollback after a failed rollout: back to the revision that served before.
func (w *watch) restore(ctx context.Context, to Revision) error {
	w.say("rolling back to %s", to.Label)
	got, err := w.deploy(ctx, to)
	if err != nil {
		return err
	}
	if got.failed {
		return errors.New(got.reason)
	}
	w.say("rolled back: %s is serving", to.Label)
	return nil
}

// previousRevision is the ARN of the highest ACTIVE revision of current's family below current. ECS lists a
// family prefix ("web" also matches "web-worker"), so the family is compared exactly.
func previousRevision(ctx context.Context, c Client, t target, current Revision) (string, error) {
	family, rev, ok := splitLabel(current.Label)
	if !ok {
		return "", t.errorf("cannot tell the family and revision of %s", current.ARN)
	}
	pages := awsecs.NewListTaskDefinitionsPaginator(c, &awsecs.ListTaskDefinitionsInput{
		FamilyPrefix: aws.String(family), Status: types.TaskDefinitionStatusActive, Sort: types.SortOrderDesc,
	})
	best, bestRev := "", 0
	// Newest first: the first page with a lower revision holds the answer.
	for n := 0; pages.HasMorePages() && n < maxListPages && best == ""; n++ {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return "", t.errorf("list revisions of %s: %s", family, awsenv.Explain(err))
		}
		for _, arn := range page.TaskDefinitionArns {
			if f, r, ok := splitLabel(Label(arn)); ok && f == family && r < rev && r > bestRev {
				best, bestRev = arn, r
			}
		}
	}
	if best == "" {
		return "", t.errorf("no ACTIVE revision of %s below %s to roll back to", family, current.Label)
	}
	return best, nil
}

// splitLabel splits "web:42" into "web" and 42.
func splitLabel(l string) (string, int, bool) {
	i := strings.LastIndex(l, ":")
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(l[i+1:])
	return l[:i], n, err == nil
}
