package release

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Notify posts the summary to a Slack incoming webhook. A notification is a courtesy: the caller reports its
// error as a warning and never fails a release on it. The webhook URL is a secret and appears in no error.
func Notify(ctx context.Context, webhookURL string, s *Summary) error {
	verdict := ":white_check_mark:"
	if s.Failed != "" {
		verdict = ":x:"
	}
	body, _ := json.Marshal(map[string]string{"text": verdict + " ```" + s.String() + "```"})
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, webhookURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("slack notification: the webhook URL is not a URL")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("slack notification: could not reach the webhook")
	}
	defer func() { _ = resp.Body.Close() }() // the status is the answer; a close error changes nothing
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return fmt.Errorf("slack notification: webhook answered %d %s", resp.StatusCode, bytes.TrimSpace(msg))
	}
	return nil
}
