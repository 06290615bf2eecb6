package awsenv

import (
	"errors"
	"net"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// Explain reduces an AWS SDK error to one line a user can act on: the service's error code and message, or what
// went wrong on the network. The SDK's own error text nests operation, request id and retry counts, which buries
// the cause.
func Explain(err error) string {
	if err == nil {
		return ""
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		msg := apiErr.ErrorMessage()
		switch apiErr.ErrorCode() {
		case "ExpiredToken", "ExpiredTokenException", "RequestExpired":
			return "credentials expired: " + msg
		case "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "InvalidAccessKeyId":
			return "credentials not recognised by AWS: " + msg
		case "AccessDenied", "AccessDeniedException":
			return "access denied: " + msg
		}
		if msg == "" {
			return apiErr.ErrorCode()
		}
		return apiErr.ErrorCode() + ": " + msg
	}
	var maxErr *retry.MaxAttemptsError
	if errors.As(err, &maxErr) && maxErr.Err != nil {
		err = maxErr.Err
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return "endpoint unreachable: " + opErr.Error()
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i > 0 && strings.HasPrefix(s, "operation error") {
		return s[i+2:]
	}
	return s
}
