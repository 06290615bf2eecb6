package release

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/pixelsandpetals/delivery/pipeline/smoke"
)

// Summary is what a release did: for people (String) and machines (JSON).
type Summary struct {
	Environment string `json:"environment"`
	Tag         string `json:"tag"`
	// Infrastructure is the Terraform plan applied, e.g. "2 to add, 0 to change, 0 to destroy".
	Infrastructure string `json:"infrastructure,omitempty"`
	Image          Image  `json:"image"`
	// TaskDefinition is the revision rolled out (family:revision); Previous the one it replaced.
	TaskDefinition string `json:"taskDefinition,omitempty"`
	Previous       string `json:"previousTaskDefinition,omitempty"`
	// Base is the revision TaskDefinition was copied from when it is not Previous: a newer one Terraform registered.
	Base   string        `json:"baseTaskDefinition,omitempty"`
	Static *Static       `json:"static,omitempty"`
	Smoke  *smoke.Result `json:"smoke,omitempty"`
	Stages []Stage       `json:"stages"`
	// Failed names the stage that failed; RolledBack says ECS is back on Previous.
	Failed     string        `json:"failed,omitempty"`
	RolledBack bool          `json:"rolledBack"`
	Started    time.Time     `json:"started"`
	Duration   time.Duration `json:"-"`
}

// Image is the image released.
type Image struct {
	Reference    string `json:"reference"`
	Digest       string `json:"digest"`
	AlreadyThere bool   `json:"alreadyThere"`
}

// Static is what the static publish did.
type Static struct {
	Uploaded          int      `json:"uploaded"`
	Unchanged         int      `json:"unchanged"`
	Deleted           int      `json:"deleted"`
	Bytes             int64    `json:"bytes"`
	InvalidationID    string   `json:"invalidationId,omitempty"`
	InvalidationPaths []string `json:"invalidationPaths,omitempty"`
	// Retained are the tags of the releases whose assets the cleanup kept, newest first.
	Retained []string `json:"retained,omitempty"`
}

// Stage is one step's wall time.
type Stage struct {
	Name     string        `json:"name"`
	Duration time.Duration `json:"-"`
	OK       bool          `json:"ok"`
}

func (s *Summary) finish() { s.Duration = time.Since(s.Started) }

// JSON is the summary for machines (`--format json`).
func (s *Summary) JSON() string {
	type stage struct {
		Name    string  `json:"name"`
		Seconds float64 `json:"seconds"`
		OK      bool    `json:"ok"`
	}
	type alias Summary
	out := struct {
		*alias
		Stages   []stage `json:"stages"`
		Duration float64 `json:"durationSeconds"`
	}{alias: (*alias)(s), Duration: round(s.Duration)}
	for _, st := range s.Stages {
		out.Stages = append(out.Stages, stage{st.Name, round(st.Duration), st.OK})
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	return string(b)
}

func round(d time.Duration) float64 {
	return float64(d.Round(100*time.Millisecond)) / float64(time.Second)
}

// String is the summary for people.
func (s *Summary) String() string {
	var b strings.Builder
	verdict := "released"
	if s.Failed != "" {
		verdict = "FAILED at " + s.Failed
		if s.RolledBack {
			verdict += ", rolled back to " + s.Previous
		}
	}
	fmt.Fprintf(&b, "release %s %s: %s in %.1fs\n", s.Environment, s.Tag, verdict, round(s.Duration))
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "  %-15s %s\n", k, v)
		}
	}
	row("infrastructure", s.Infrastructure)
	if s.Image.Reference != "" {
		note := ""
		if s.Image.AlreadyThere {
			note = " (already in the registry)"
		}
		row("image", s.Image.Reference+note)
	}
	if s.TaskDefinition != "" {
		if s.Base != "" {
			row("task definition", fmt.Sprintf("%s from %s (was %s)", s.TaskDefinition, s.Base, s.Previous))
		} else {
			row("task definition", fmt.Sprintf("%s (was %s)", s.TaskDefinition, s.Previous))
		}
	}
	if st := s.Static; st != nil {
		inv := "none needed"
		if st.InvalidationID != "" {
			inv = fmt.Sprintf("%s (%s)", st.InvalidationID, strings.Join(st.InvalidationPaths, " "))
		}
		kept := ""
		if len(st.Retained) > 0 {
			kept = fmt.Sprintf(" (assets of %d releases kept: %s)", len(st.Retained), strings.Join(st.Retained, ", "))
		}
		row("static files", fmt.Sprintf("%d uploaded, %d unchanged, %d deleted%s", st.Uploaded, st.Unchanged, st.Deleted, kept))
		row("invalidation", inv)
	}
	if sm := s.Smoke; sm != nil && sm.Total.Requests > 0 {
		row("smoke", fmt.Sprintf("%d requests, p95 %s, %.1f%% errors", sm.Total.Requests,
			sm.Total.P95.Round(time.Millisecond), 100*(1-sm.Total.SuccessRatio)))
	}
	var stages []string
	for _, st := range s.Stages {
		mark := ""
		if !st.OK {
			mark = "✗"
		}
		stages = append(stages, fmt.Sprintf("%s %.1fs%s", st.Name, round(st.Duration), mark))
	}
	row("stages", strings.Join(stages, ", "))
	return b.String()
}
