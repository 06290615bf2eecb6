package ecr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

// ecrHost matches an ECR private registry host: ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn].
var ecrHost = regexp.MustCompile(`^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$`)

// ECRHost splits an ECR registry host into its account (registry id) and region; ok is false for any other host.
func ECRHost(host string) (account, region string, ok bool) {
	m := ecrHost.FindStringSubmatch(strings.ToLower(host))
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// parseRepository turns a repository URL ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/web",
// "127.0.0.1:5000/team/web", optionally with an https:// or http:// prefix) into a name.Repository. The registry
// is whatever host the URL names; loopback hosts and an explicit http:// are reached over plain HTTP.
func parseRepository(raw string) (name.Repository, error) {
	s := strings.TrimSpace(raw)
	insecure := false
	switch {
	case strings.HasPrefix(s, "http://"):
		s, insecure = strings.TrimPrefix(s, "http://"), true
	case strings.HasPrefix(s, "https://"):
		s = strings.TrimPrefix(s, "https://")
	}
	s = strings.TrimSuffix(s, "/")
	if s == "" {
		return name.Repository{}, errors.New("no repository given: pass a repository URL such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web")
	}
	host, path, found := strings.Cut(s, "/")
	if !found || path == "" {
		return name.Repository{}, fmt.Errorf("repository %q names no registry host and repository: write it as HOST/NAME, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web", raw)
	}
	if strings.ContainsAny(path, ":@") {
		return name.Repository{}, fmt.Errorf("repository %q must not carry a tag or digest: pass tags separately", raw)
	}
	opts := []name.Option{name.StrictValidation}
	if insecure || isLoopback(host) {
		opts = append(opts, name.Insecure)
	}
	repo, err := name.NewRepository(s, opts...)
	if err != nil {
		return name.Repository{}, fmt.Errorf("repository %q is not a valid repository URL: %v", raw, err)
	}
	return repo, nil
}

// isLoopback reports whether a registry host (with or without port) is this machine.
func isLoopback(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.Trim(h, "[]")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// DescribeRepositoriesAPI is the part of the ECR client CheckRepository needs.
type DescribeRepositoriesAPI interface {
	DescribeRepositories(ctx context.Context, in *awsecr.DescribeRepositoriesInput, optFns ...func(*awsecr.Options)) (*awsecr.DescribeRepositoriesOutput, error)
}

// RepositoryInfo is what ECR says about a repository.
type RepositoryInfo struct {
	Name, URI, RegistryID string
	// ImmutableTags is true when the repository forbids overwriting a tag (Push then never tries).
	ImmutableTags bool
}

// CheckRepository asks ECR whether the repository a URL names exists, so a push to a repository nobody created
// fails with one line before any upload. For an ECR host the registry id (account) comes from the host; for any
// other host (a local registry standing in for ECR) the caller's own registry is asked.
func CheckRepository(ctx context.Context, api DescribeRepositoriesAPI, repositoryURL string) (RepositoryInfo, error) {
	repo, err := parseRepository(repositoryURL)
	if err != nil {
		return RepositoryInfo{}, err
	}
	in := &awsecr.DescribeRepositoriesInput{RepositoryNames: []string{repo.RepositoryStr()}}
	account, _, isECR := ECRHost(repo.RegistryStr())
	if isECR {
		in.RegistryId = aws.String(account)
	}
	out, err := api.DescribeRepositories(ctx, in)
	var notFound *ecrtypes.RepositoryNotFoundException
	switch {
	case errors.As(err, &notFound):
		where := ""
		if isECR {
			where = " in registry " + account
		}
		return RepositoryInfo{}, fmt.Errorf("ECR repository %q does not exist%s: create it (terraform apply) before pushing", repo.RepositoryStr(), where)
	case err != nil:
		return RepositoryInfo{}, fmt.Errorf("ECR repository %q: %s", repo.RepositoryStr(), awsenv.Explain(err))
	case len(out.Repositories) == 0:
		return RepositoryInfo{}, fmt.Errorf("ECR repository %q does not exist", repo.RepositoryStr())
	}
	r := out.Repositories[0]
	return RepositoryInfo{
		Name:       aws.ToString(r.RepositoryName),
		URI:        aws.ToString(r.RepositoryUri),
		RegistryID: aws.ToString(r.RegistryId),
		ImmutableTags: r.ImageTagMutability == ecrtypes.ImageTagMutabilityImmutable ||
			r.ImageTagMutability == ecrtypes.ImageTagMutabilityImmutableWithExclusion,
	}, nil
}
