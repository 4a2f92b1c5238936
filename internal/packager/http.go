package packager

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// MaxDocument is the largest registry response read (a package document
// with thousands of versions is a few MiB).
const MaxDocument = 64 << 20

// Response is a registry's answer: its status and body.
type Response struct {
	Status int
	Body   []byte
	URL    string
}

// OK reports a 2xx status.
func (r *Response) OK() bool { return r.Status >= 200 && r.Status < 300 }

// Get fetches url with the Accept header accept (if not empty), reading
// at most MaxDocument bytes. Only a failure to reach the registry or to
// read its answer is an error; any status is a Response.
func Get(ctx context.Context, c *http.Client, url, accept string) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("registry URL %q: %w", url, err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	req.Header.Set("User-Agent", "pid1-packager")
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the registry: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxDocument+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", url, err)
	}
	if len(body) > MaxDocument {
		return nil, fmt.Errorf("%s: the answer is larger than %d MiB", url, MaxDocument>>20)
	}
	return &Response{Status: resp.StatusCode, Body: body, URL: url}, nil
}

// Unexpected is the error for a registry answer a backend cannot use.
func (r *Response) Unexpected() error {
	snippet := string(r.Body)
	if len(snippet) > 200 {
		snippet = snippet[:200] + "…"
	}
	return fmt.Errorf("registry answered %s with HTTP %d: %s", r.URL, r.Status, snippet)
}
