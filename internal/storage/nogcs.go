//go:build !gcs

package storage

// haveGCS is false in the default build: the Google Cloud Storage client
// adds about 15 MiB to pid1's resident memory. Build with -tags gcs for
// gs:// URLs.
const haveGCS = false

// errNoGCS explains what to do instead.
const errNoGCS = "this pid1 was built without the Google Cloud Storage client (it adds about 15 MiB of memory): " +
	"rebuild with `go build -tags gcs`, or reach the bucket through GCS's S3-compatible endpoint with HMAC keys: " +
	"s3://BUCKET?endpoint=https://storage.googleapis.com&region=auto"
