package release_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pixelsandpetals/delivery/pipeline/release"
)

func TestNotify_PostsTheSummaryAndKeepsTheWebhookOutOfErrors(t *testing.T) {
	var got map[string]string
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &got); err != nil {
			t.Errorf("the webhook got no JSON object: %v: %s", err, b)
			http.Error(w, "bad payload", http.StatusBadRequest)
		}
	}))
	defer ok.Close()
	s := &release.Summary{Environment: "prod", Tag: "3f2c", Failed: "smoke", RolledBack: true, Previous: "web:41"}
	if err := release.Notify(context.Background(), ok.URL+"/services/T000/B000/sentinel-token", s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got["text"], "release prod 3f2c: FAILED at smoke, rolled back to web:41") || !strings.HasPrefix(got["text"], ":x:") {
		t.Errorf("posted %q", got["text"])
	}

	refused := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "invalid_token", http.StatusForbidden)
	}))
	defer refused.Close()
	err := release.Notify(context.Background(), refused.URL+"/services/sentinel-token", s)
	if err == nil || !strings.Contains(err.Error(), "403 invalid_token") || strings.Contains(err.Error(), "sentinel-token") {
		t.Errorf("want the webhook's answer without its URL, got %v", err)
	}
	closed := refused.URL
	refused.Close()
	if err := release.Notify(context.Background(), closed+"/services/sentinel-token", s); err == nil || strings.Contains(err.Error(), "sentinel-token") {
		t.Errorf("an unreachable webhook must not leak its URL: %v", err)
	}
}
