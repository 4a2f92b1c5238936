package storage

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// s3Params are the query parameters an s3:// URL may carry: the ones
// gocloud.dev's s3blob took, so URLs given to earlier versions of pid1 keep
// working. Credentials come from the AWS SDK's usual chain:
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the shared config and
// credentials files, SSO, web identity, the container's or the instance's
// role.
var s3Params = []string{
	"accelerate", "anonymous", "awssdk", "disable_https", "dualstack", "endpoint", "fips", "profile", "region",
	"request_checksum_calculation", "response_checksum_validation", "role", "s3ForcePathStyle", "use_path_style",
}

type s3Settings struct {
	aws aws.Config
}

// s3Config builds the SDK's configuration from q.
func s3Config(ctx context.Context, q url.Values) (s3Settings, []func(*s3.Options), error) {
	var (
		loads   []func(*config.LoadOptions) error
		opts    []func(*s3.Options)
		role    string
		problem error
	)
	boolean := func(k, v string) bool {
		b, err := strconv.ParseBool(v)
		if err != nil && problem == nil {
			problem = fmt.Errorf("the query parameter %s=%q is not true or false", k, v)
		}
		return b
	}
	when := func(k, v string) bool {
		if v != "when_supported" && v != "when_required" && problem == nil {
			problem = fmt.Errorf("the query parameter %s=%q must be when_supported or when_required", k, v)
		}
		return v == "when_required"
	}
	for k, vs := range q {
		v := vs[0]
		switch k {
		case "region":
			loads = append(loads, config.WithRegion(v))
		case "endpoint":
			if u, err := url.Parse(v); err != nil || u.Scheme == "" || u.Host == "" {
				return s3Settings{}, nil, fmt.Errorf("the endpoint %q is not a URL like https://host:port", v)
			}
			opts = append(opts, func(o *s3.Options) { o.BaseEndpoint = aws.String(v) })
		case "use_path_style", "s3ForcePathStyle":
			b := boolean(k, v)
			opts = append(opts, func(o *s3.Options) { o.UsePathStyle = b })
		case "disable_https":
			b := boolean(k, v)
			opts = append(opts, func(o *s3.Options) { o.EndpointOptions.DisableHTTPS = b })
		case "profile":
			loads = append(loads, config.WithSharedConfigProfile(v))
		case "anonymous":
			if boolean(k, v) {
				loads = append(loads, config.WithCredentialsProvider(aws.AnonymousCredentials{}))
			}
		case "role":
			if !strings.HasPrefix(v, "arn:") {
				return s3Settings{}, nil, fmt.Errorf("the role %q is not an ARN (arn:…)", v)
			}
			role = v
		case "dualstack":
			if boolean(k, v) {
				loads = append(loads, config.WithUseDualStackEndpoint(aws.DualStackEndpointStateEnabled))
			}
		case "fips":
			if boolean(k, v) {
				loads = append(loads, config.WithUseFIPSEndpoint(aws.FIPSEndpointStateEnabled))
			}
		case "accelerate":
			b := boolean(k, v)
			opts = append(opts, func(o *s3.Options) { o.UseAccelerate = b })
		case "request_checksum_calculation":
			c := aws.RequestChecksumCalculationWhenSupported
			if when(k, v) {
				c = aws.RequestChecksumCalculationWhenRequired
			}
			loads = append(loads, config.WithRequestChecksumCalculation(c))
		case "response_checksum_validation":
			c := aws.ResponseChecksumValidationWhenSupported
			if when(k, v) {
				c = aws.ResponseChecksumValidationWhenRequired
			}
			loads = append(loads, config.WithResponseChecksumValidation(c))
		case "awssdk": // which SDK gocloud.dev used: there is one
		default:
			return s3Settings{}, nil, fmt.Errorf("unknown query parameter %q; an s3:// URL takes %s", k, strings.Join(s3Params, ", "))
		}
	}
	if problem != nil {
		return s3Settings{}, nil, problem
	}
	// No client-side retry quota: a burst of failures must not make
	// later requests fail without being tried.
	loads = append(loads, config.WithRetryer(func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.RateLimiter = ratelimit.None })
	}))
	cfg, err := config.LoadDefaultConfig(ctx, loads...)
	if err != nil {
		return s3Settings{}, nil, err
	}
	if role != "" {
		if cfg.Region == "" {
			return s3Settings{}, nil, fmt.Errorf("assuming the role %s needs a region (region=…)", role)
		}
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), role))
	}
	return s3Settings{aws: cfg}, opts, nil
}
