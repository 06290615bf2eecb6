package release_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pixelsandpetals/delivery/pipeline/release"
)

// A deploy that stops before the release proper (here: terraform) still reaches Slack, naming the failed stage and
// the stages that ran.
func TestTracker_FailureInAnyStageReachesSlack(t *testing.T) {
	var posted []string
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var msg struct{ Text string }
		_ = json.Unmarshal(b, &msg)
		posted = append(posted, msg.Text)
	}))
	defer slack.Close()
	tr := release.NewTracker("prod", "3f2c", func(s *release.Summary) {
		if err := release.Notify(t.Context(), slack.URL, s); err != nil {
			t.Errorf("notify: %v", err)
		}
	})
	tr.Done("check+build")
	tr.Done("scan")
	err := tr.Fail("terraform", errors.New("prod plan destroys 1 resource(s)"))
	if err == nil || err.Error() != "deploy prod: terraform: prod plan destroys 1 resource(s)" {
		t.Errorf("error: %v", err)
	}
	if len(posted) != 1 || !strings.Contains(posted[0], ":x:") || !strings.Contains(posted[0], "terraform") ||
		!strings.Contains(posted[0], "check+build") || !strings.Contains(posted[0], "scan") {
		t.Fatalf("Slack got %q", posted)
	}
}

// A release that ran is reported once, with the stages before it first.
func TestTracker_FinishPrependsTheStagesBeforeTheRelease(t *testing.T) {
	var got *release.Summary
	tr := release.NewTracker("dev", "abc", func(s *release.Summary) { got = s })
	tr.Done("build")
	tr.Finish(&release.Summary{Environment: "dev", Tag: "abc", Stages: []release.Stage{{Name: "push", OK: true}}})
	if got == nil || len(got.Stages) != 2 || got.Stages[0].Name != "build" || got.Stages[1].Name != "push" || got.Started.IsZero() {
		t.Fatalf("summary: %+v", got)
	}
}
