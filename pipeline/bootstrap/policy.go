package bootstrap

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TLSStatementID is the Sid of the statement Ensure adds to the bucket policy.
const TLSStatementID = "DenyInsecureTransport"

// tlsStatement denies every S3 action on the bucket and its objects over plain HTTP.
func tlsStatement(partition, bucket string) map[string]any {
	arn := fmt.Sprintf("arn:%s:s3:::%s", partition, bucket)
	return map[string]any{
		"Sid":       TLSStatementID,
		"Effect":    "Deny",
		"Principal": "*",
		"Action":    "s3:*",
		"Resource":  []any{arn, arn + "/*"},
		"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
	}
}

// ensureTLSPolicy makes the bucket policy deny non-TLS access. Other statements in an existing policy are kept; a
// statement that already denies plain HTTP to the bucket and its objects, whatever its Sid, is enough.
func (r *run) ensureTLSPolicy(ctx context.Context, c S3API) error {
	b := aws.String(r.o.Bucket)
	got, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
	if err != nil && errCode(err) != "NoSuchBucketPolicy" {
		return r.fail("reading the bucket policy", err)
	}
	current := ""
	if err == nil {
		current = aws.ToString(got.Policy)
	}
	updated, changed, err := withTLSStatement(current, r.partition, r.o.Bucket)
	if err != nil {
		return fmt.Errorf("state bucket %q: %v", r.o.Bucket, err)
	}
	if !changed {
		r.ok("bucket %s: policy denies non-TLS access", r.o.Bucket)
		return nil
	}
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(updated)}); err != nil {
		return r.fail("setting the bucket policy", err)
	}
	was := "no policy"
	if current != "" {
		was = "policy without it"
	}
	r.changed("bucket %s: policy denies non-TLS access (was %s)", r.o.Bucket, was)
	return nil
}

// withTLSStatement returns the policy with the TLS statement, and whether that changed anything.
func withTLSStatement(policy, partition, bucket string) (string, bool, error) {
	doc := map[string]any{"Version": "2012-10-17"}
	if policy != "" {
		if err := json.Unmarshal([]byte(policy), &doc); err != nil {
			return "", false, fmt.Errorf("the existing bucket policy is not valid JSON: %v", err)
		}
	}
	var stmts []any
	switch s := doc["Statement"].(type) {
	case []any:
		stmts = s
	case map[string]any:
		stmts = []any{s}
	}
	want := tlsStatement(partition, bucket)
	for _, s := range stmts {
		if m, ok := s.(map[string]any); ok && deniesPlainHTTP(m, want["Resource"].([]any)) {
			return policy, false, nil
		}
	}
	stmts = slices.DeleteFunc(stmts, func(s any) bool {
		m, ok := s.(map[string]any)
		return ok && m["Sid"] == TLSStatementID
	})
	doc["Statement"] = append(stmts, want)
	out, err := json.Marshal(doc)
	if err != nil {
		return "", false, err
	}
	return string(out), true, nil
}

// deniesPlainHTTP reports whether a statement denies all S3 actions to everyone on the given resources when
// aws:SecureTransport is false.
func deniesPlainHTTP(s map[string]any, resources []any) bool {
	if s["Effect"] != "Deny" || s["NotAction"] != nil || s["NotResource"] != nil || s["NotPrincipal"] != nil {
		return false
	}
	principal := s["Principal"]
	if m, ok := principal.(map[string]any); ok {
		principal = m["AWS"]
	}
	if !hasAny(principal, "*") || !hasAny(s["Action"], "s3:*", "*") {
		return false
	}
	for _, res := range resources {
		if !hasAny(s["Resource"], res.(string), "*") {
			return false
		}
	}
	cond, _ := s["Condition"].(map[string]any)
	boolCond, _ := cond["Bool"].(map[string]any)
	v := boolCond["aws:SecureTransport"]
	return hasAny(v, "false") || v == false || (isList(v) && slices.Contains(v.([]any), any(false)))
}

// hasAny reports whether v, a string or a list of strings, holds one of want.
func hasAny(v any, want ...string) bool {
	switch x := v.(type) {
	case string:
		return slices.Contains(want, x)
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && slices.Contains(want, s) {
				return true
			}
		}
	}
	return false
}

func isList(v any) bool { _, ok := v.([]any); return ok }
