package ecs

import (
	"context"
	"fmt"
	"io"
	"path"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

const (
	// maxPollErrors consecutive failed DescribeServices calls end the watch: ECS cannot be observed.
	maxPollErrors = 3
	// maxTaskPages bounds the stopped-task listing per poll (100 tasks a page).
	maxTaskPages = 10
)

// watch follows one deployment at a time and streams what it sees. One watch is used for a rollout and its
// rollback, so an event or a stopped task is reported once however many deployments are followed.
type watch struct {
	c         Client
	t         target
	out       io.Writer
	interval  time.Duration
	timeout   time.Duration
	maxFailed int

	seenEvents map[string]bool
	seenTasks  map[string]bool
	events     []Event
	stopped    []StoppedTask
	lastReason map[string]string // deployment id → latest stoppedReason of its tasks
	lastLine   string
}

// newWatch starts a watch; the events the service already had (before we changed anything) are not reported.
func newWatch(c Client, t target, out io.Writer, interval, timeout time.Duration, maxFailed int, before types.Service) *watch {
	if out == nil {
		out = io.Discard
	}
	if interval <= 0 {
		interval = defaultPollInterval
	}
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	w := &watch{c: c, t: t, out: out, interval: interval, timeout: timeout, maxFailed: maxFailed,
		seenEvents: map[string]bool{}, seenTasks: map[string]bool{}, lastReason: map[string]string{}}
	for _, e := range before.Events {
		w.seenEvents[aws.ToString(e.Id)] = true
	}
	return w
}

// say writes a progress line. Progress is best-effort: a failed write must not fail the rollout watch.
func (w *watch) say(format string, args ...any) {
	_, _ = fmt.Fprintf(w.out, "%s: %s\n", w.t.service, fmt.Sprintf(format, args...))
}

// outcome is how a followed deployment ended.
type outcome struct {
	verdict
	id      string        // the deployment followed ("" if none appeared)
	service types.Service // the last state seen
}

// deploy points the service at a revision and follows the deployment that starts. The error is for an
// UpdateService that failed (nothing changed) or a cancelled context.
func (w *watch) deploy(ctx context.Context, to Revision) (outcome, error) {
	up, err := w.c.UpdateService(ctx, &awsecs.UpdateServiceInput{
		Cluster: aws.String(w.t.cluster), Service: aws.String(w.t.service),
		TaskDefinition: aws.String(to.ARN), ForceNewDeployment: false,
	})
	if err != nil {
		return outcome{}, fmt.Errorf("point the service at %s: %s", to.Label, awsenv.Explain(err))
	}
	id := ""
	if up.Service != nil {
		id = deploymentFor(*up.Service, to.ARN)
	}
	if id != "" {
		w.say("following deployment %s of %s", id, to.Label)
	}
	return w.follow(ctx, id, to)
}

// follow polls until the deployment of td (id, or found by td when id is empty) completes or fails, or the
// timeout passes (a failure too). The error is only for a cancelled context.
func (w *watch) follow(ctx context.Context, id string, td Revision) (outcome, error) {
	deadline := time.Now().Add(w.timeout)
	var o outcome
	o.id = id
	errs := 0
	for {
		svc, err := w.describe(ctx)
		if ctx.Err() != nil {
			return o, ctx.Err()
		}
		if err != nil {
			errs++
			w.say("cannot see the service: %s", awsenv.Explain(err))
			if errs >= maxPollErrors {
				o.verdict = fail("lost sight of the service after %d failed attempts: %s", errs, awsenv.Explain(err))
				return o, nil
			}
		} else {
			errs = 0
			o.service = svc
			if o.id == "" {
				if o.id = deploymentFor(svc, td.ARN); o.id != "" {
					w.say("following deployment %s of %s", o.id, td.Label)
				}
			}
			w.reportEvents(svc)
			if o.id != "" {
				w.reportStopped(ctx, o.id, td.ARN)
				if d := deploymentByID(svc, o.id); d != nil {
					w.status(statusLine(d))
				}
				if o.verdict = judge(svc, o.id, td.ARN, w.maxFailed, w.lastReason[o.id]); o.done || o.failed {
					return o, nil
				}
			}
		}
		left := time.Until(deadline)
		if left <= 0 {
			o.verdict = w.timedOut(o, td)
			return o, nil
		}
		timer := time.NewTimer(min(w.interval, left))
		select {
		case <-ctx.Done():
			timer.Stop()
			return o, ctx.Err()
		case <-timer.C:
		}
	}
}

func (w *watch) timedOut(o outcome, td Revision) verdict {
	if o.id == "" {
		return fail("no deployment of %s appeared within %s", td.Label, w.timeout)
	}
	if d := deploymentByID(o.service, o.id); d != nil {
		return fail("not complete after %s: running %d/%d, pending %d, failed %d%s", w.timeout,
			d.RunningCount, d.DesiredCount, d.PendingCount, d.FailedTasks, lastStoppedNote(w.lastReason[o.id]))
	}
	return fail("not complete after %s", w.timeout)
}

func (w *watch) describe(ctx context.Context) (types.Service, error) {
	out, err := w.c.DescribeServices(ctx, &awsecs.DescribeServicesInput{
		Cluster: aws.String(w.t.cluster), Services: []string{w.t.service},
	})
	if err != nil {
		return types.Service{}, err
	}
	if len(out.Services) == 0 {
		return types.Service{}, fmt.Errorf("the service is gone")
	}
	return out.Services[0], nil
}

func (w *watch) status(line string) {
	if line != w.lastLine {
		w.lastLine = line
		w.say("%s", line)
	}
}

// reportEvents streams the service events not seen yet, oldest first (ECS lists them newest first).
func (w *watch) reportEvents(svc types.Service) {
	for i := len(svc.Events) - 1; i >= 0; i-- {
		e := svc.Events[i]
		id := aws.ToString(e.Id)
		if w.seenEvents[id] {
			continue
		}
		w.seenEvents[id] = true
		w.events = append(w.events, Event{ID: id, At: aws.ToTime(e.CreatedAt), Message: aws.ToString(e.Message)})
		w.say("event: %s", aws.ToString(e.Message))
	}
}

// reportStopped streams why tasks of the followed deployment stopped, once per task. Tasks of other task
// definitions, or started by an earlier deployment of the same one, are not ours. Listing problems are reported
// and retried on the next poll: they must not fail a deployment that may be healthy.
func (w *watch) reportStopped(ctx context.Context, id, td string) {
	pages := awsecs.NewListTasksPaginator(w.c, &awsecs.ListTasksInput{
		Cluster: aws.String(w.t.cluster), ServiceName: aws.String(w.t.service), DesiredStatus: types.DesiredStatusStopped,
	})
	var fresh []string
	for n := 0; pages.HasMorePages() && n < maxTaskPages; n++ {
		page, err := pages.NextPage(ctx)
		if err != nil {
			w.say("cannot list stopped tasks: %s", awsenv.Explain(err))
			return
		}
		for _, arn := range page.TaskArns {
			if !w.seenTasks[arn] {
				fresh = append(fresh, arn)
			}
		}
	}
	for len(fresh) > 0 {
		batch := fresh[:min(100, len(fresh))]
		fresh = fresh[len(batch):]
		out, err := w.c.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Cluster: aws.String(w.t.cluster), Tasks: batch})
		if err != nil {
			w.say("cannot describe stopped tasks: %s", awsenv.Explain(err))
			return
		}
		for _, task := range out.Tasks {
			w.stoppedTask(task, id, td)
		}
	}
}

func (w *watch) stoppedTask(task types.Task, id, td string) {
	arn, reason := aws.ToString(task.TaskArn), aws.ToString(task.StoppedReason)
	if reason == "" {
		return // not stopped yet: look again next poll
	}
	w.seenTasks[arn] = true
	startedBy := aws.ToString(task.StartedBy)
	if aws.ToString(task.TaskDefinitionArn) != td || (startedBy != "" && startedBy != id) {
		return
	}
	w.stopped = append(w.stopped, StoppedTask{ARN: arn, Reason: reason})
	w.lastReason[id] = reason
	w.say("task %s stopped: %s", path.Base(arn), reason)
}
