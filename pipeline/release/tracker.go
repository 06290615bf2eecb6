package release

import (
	"fmt"
	"time"
)

// Tracker follows a deploy through the stages before the release proper (check, build, scan, integration tests,
// terraform), times each, and makes sure that however the deploy ends — any stage failing, or Run finishing — the
// same kind of summary reaches the notifier (Slack). A deploy that stops at its scan is news to the team as much
// as a rolled-back release.
type Tracker struct {
	environment, tag string
	started, last    time.Time
	stages           []Stage
	notify           func(*Summary)
}

// NewTracker starts following a deploy of tag to environment; notify (nil: none) receives the final summary.
func NewTracker(environment, tag string, notify func(*Summary)) *Tracker {
	now := time.Now()
	return &Tracker{environment: environment, tag: tag, started: now, last: now, notify: notify}
}

// Done records that stage succeeded, timed since the previous stage ended.
func (t *Tracker) Done(stage string) {
	now := time.Now()
	t.stages = append(t.stages, Stage{Name: stage, Duration: now.Sub(t.last), OK: true})
	t.last = now
}

// Fail records that stage failed, sends the summary of the deploy so far, and returns the deploy's error.
func (t *Tracker) Fail(stage string, err error) error {
	t.stages = append(t.stages, Stage{Name: stage, Duration: time.Since(t.last), OK: false})
	t.send(&Summary{Environment: t.environment, Tag: t.tag, Failed: stage})
	return fmt.Errorf("deploy %s: %s: %w", t.environment, stage, err)
}

// Finish completes the release's own summary with the stages before it and sends it, success or failure.
func (t *Tracker) Finish(s *Summary) {
	if s != nil {
		t.send(s)
	}
}

func (t *Tracker) send(s *Summary) {
	s.Stages = append(append([]Stage(nil), t.stages...), s.Stages...)
	s.Started, s.Duration = t.started, time.Since(t.started)
	if t.notify != nil {
		t.notify(s)
	}
}
