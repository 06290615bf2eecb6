package terraform

import "testing"

func TestErrorLine_StalePlanIsOneLine(t *testing.T) {
	// terraform 1.11 -no-color, applying a plan after someone else's apply changed the state.
	out := `
Error: Saved plan is stale

The given plan file can no longer be applied because the state was changed by
another operation after the plan was created.
`
	want := "Saved plan is stale: The given plan file can no longer be applied because the state was changed by another operation after the plan was created."
	if got := ErrorLine(out); got != want {
		t.Errorf("ErrorLine:\n got %q\nwant %q", got, want)
	}
}

func TestErrorLine_BoxedDiagnosticKeepsFirstSentenceOnly(t *testing.T) {
	out := "aws_s3_bucket.static: Creating...\n╷\n│ Error: creating S3 Bucket (x): AccessDenied\n│ \n│   with module.s3.aws_s3_bucket.static,\n│   on modules/s3/main.tf line 1:\n╵\n"
	if got, want := ErrorLine(out), "creating S3 Bucket (x): AccessDenied"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	out = "Error: Error acquiring the state lock\n\nError message: ConditionalCheckFailedException. Lock Info: ID: 1\n"
	if got, want := ErrorLine(out), "Error acquiring the state lock: Error message: ConditionalCheckFailedException."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := ErrorLine("Apply complete!"); got != "" {
		t.Errorf("no diagnostic: got %q", got)
	}
}
