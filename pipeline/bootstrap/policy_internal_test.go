package bootstrap

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestWithTLSStatement(t *testing.T) {
	const b = "tf-state"
	equivalent := `{"Version":"2012-10-17","Statement":{"Sid":"HTTPSOnly","Effect":"Deny","Principal":{"AWS":["*"]},
		"Action":["s3:*"],"Resource":["arn:aws:s3:::tf-state/*","arn:aws:s3:::tf-state"],
		"Condition":{"Bool":{"aws:SecureTransport":false}}}}`
	staleOurs := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*",
		"Action":"s3:GetObject","Resource":"arn:aws:s3:::tf-state/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},
		{"Sid":"Other","Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::tf-state"}]}`
	for _, c := range []struct {
		name, policy string
		changed      bool
		sids         []string
	}{
		{"no policy", "", true, []string{TLSStatementID}},
		{"equivalent statement under another Sid", equivalent, false, nil},
		{"our Sid, too narrow", staleOurs, true, []string{"Other", TLSStatementID}},
		{"allow is not deny", strings.ReplaceAll(equivalent, `"Deny"`, `"Allow"`), true, []string{"HTTPSOnly", TLSStatementID}},
		{"cn partition", strings.ReplaceAll(equivalent, "arn:aws:", "arn:aws-cn:"), true, []string{"HTTPSOnly", TLSStatementID}},
	} {
		got, changed, err := withTLSStatement(c.policy, "aws", b)
		if err != nil || changed != c.changed {
			t.Errorf("%s: changed %v, %v", c.name, changed, err)
			continue
		}
		if !changed {
			continue
		}
		var doc struct {
			Version   string
			Statement []struct{ Sid string }
		}
		if err := json.Unmarshal([]byte(got), &doc); err != nil || doc.Version != "2012-10-17" {
			t.Errorf("%s: %s, %v", c.name, got, err)
			continue
		}
		var sids []string
		for _, s := range doc.Statement {
			sids = append(sids, s.Sid)
		}
		if strings.Join(sids, ",") != strings.Join(c.sids, ",") {
			t.Errorf("%s: statements %v, want %v", c.name, sids, c.sids)
		}
		if _, again, _ := withTLSStatement(got, "aws", b); again {
			t.Errorf("%s: the updated policy still lacks the statement: %s", c.name, got)
		}
	}
	if _, _, err := withTLSStatement("{not json", "aws", b); err == nil {
		t.Error("want an error for a policy that is not JSON")
	}
}

func TestValidBucket(t *testing.T) {
	for _, ok := range []string{"pp-terraform-state", "abc", "a.b-c", strings.Repeat("a", 63)} {
		if err := validBucket(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"ab", strings.Repeat("a", 64), "-abc", "abc-", "ABC", "a_b", "a..b", "a.-b",
		"10.0.0.1", "xn--abc", "sthree-x", "state-s3alias", "state--ol-s3", "state.mrap", "state--x-s3"} {
		if err := validBucket(bad); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: want one line, got %v", bad, err)
		}
	}
}
