package terraform

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/pixelsandpetals/delivery/internal/testkit"
)

// enforcedEnv is the environment that sends terraform (and its provider) to an IAM-enforcing moto with creds.
func enforcedEnv(t *testing.T, m *testkit.EnforcedMoto, creds aws.Credentials) []string {
	t.Helper()
	return append(motoEnv(t, m.Endpoint), "AWS_ACCESS_KEY_ID="+creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+creds.SecretAccessKey, "AWS_SESSION_TOKEN="+creds.SessionToken)
}
