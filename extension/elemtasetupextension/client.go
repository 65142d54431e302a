package elemtasetupextension // import "github.com/elemta/otelcol-elemta/extension/elemtasetupextension"

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
)

// httpError is an answer Elasticsearch gave that is not a success.
type httpError struct {
	method, path string
	status       int
	reason       string
}

func (e *httpError) Error() string {
	switch e.status {
	case http.StatusUnauthorized:
		return fmt.Sprintf("Elasticsearch rejected the credentials (401) for %s %s: check elasticsearch::user/password or api_key (ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD or ELASTICSEARCH_API_KEY): %s",
			e.method, e.path, e.reason)
	case http.StatusForbidden:
		return fmt.Sprintf("the user lacks a privilege for %s %s (403): grant its role the cluster privileges manage_ilm and manage_index_templates: %s",
			e.method, e.path, e.reason)
	}
	return fmt.Sprintf("Elasticsearch answered %d to %s %s: %s", e.status, e.method, e.path, e.reason)
}

// unreachableError is a request that got no answer.
type unreachableError struct {
	service  string
	endpoint string
	err      error
}

func (e *unreachableError) Error() string {
	return e.service + " is unreachable at " + e.endpoint + ": " + e.err.Error()
}

func (e *unreachableError) Unwrap() error { return e.err }

// permanent tells the failures retrying does not fix: the request or the
// credentials must change.
func permanent(err error) bool {
	var he *httpError
	if !errors.As(err, &he) {
		return false
	}
	return he.status >= 400 && he.status < 500 && he.status != http.StatusTooManyRequests && he.status != http.StatusNotFound
}

// client talks to Elasticsearch or Kibana.
type client struct {
	service  string // "Elasticsearch" or "Kibana", for messages
	http     *http.Client
	endpoint string
	auth     string // Authorization header; empty for none
	xsrf     bool   // Kibana wants kbn-xsrf on writes
}

// newClient builds the client of one service from its HTTP settings and
// credentials; extensions serve auth extensions (nil for none).
func newClient(ctx context.Context, service string, cfg confighttp.ClientConfig, user string, password, apiKey configopaque.String,
	extensions map[component.ID]component.Component, telemetry component.TelemetrySettings,
) (client, error) {
	httpClient, err := cfg.ToClient(ctx, extensions, telemetry)
	if err != nil {
		return client{}, fmt.Errorf("%s: %w", strings.ToLower(service), err)
	}
	return client{
		service: service, http: httpClient, endpoint: cfg.Endpoint,
		auth: authorization(user, password, apiKey), xsrf: service == "Kibana",
	}, nil
}

// send makes one request and returns the answer's body and status; a
// request that gets no answer is an unreachableError.
func (c *client) send(ctx context.Context, method, path, contentType string, body io.Reader) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.endpoint, "/")+path, body)
	if err != nil {
		return nil, 0, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.xsrf {
		req.Header.Set("kbn-xsrf", "otelcol-elemta")
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, &unreachableError{service: c.service, endpoint: c.endpoint, err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, resp.StatusCode, fmt.Errorf("reading the answer to %s %s: %w", method, path, err)
	}
	return data, resp.StatusCode, nil
}

// do sends body as JSON to Elasticsearch and reads the JSON answer; an
// answer other than a success or a 404 is an httpError.
func (c *client) do(ctx context.Context, method, path string, body any) (map[string]any, int, error) {
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, 0, err
		}
		reader = bytes.NewReader(data)
	}
	data, status, err := c.send(ctx, method, path, "application/json", reader)
	if err != nil {
		return nil, status, err
	}
	// An error's body may be anything (a proxy's HTML page): its reason is
	// then the raw text. A success must be JSON.
	var answer map[string]any
	jsonErr := json.Unmarshal(data, &answer)
	if status >= 300 && status != http.StatusNotFound {
		return answer, status, &httpError{method: method, path: path, status: status, reason: reasonOf(answer, data)}
	}
	if jsonErr != nil && status < 300 && len(bytes.TrimSpace(data)) > 0 {
		return nil, status, fmt.Errorf("%s %s: Elasticsearch answered %d with a body that is not JSON: %w", method, path, status, jsonErr)
	}
	return answer, status, nil
}

func reasonOf(answer map[string]any, raw []byte) string {
	if e, ok := answer["error"].(map[string]any); ok {
		return fmt.Sprintf("%v: %v", e["type"], e["reason"])
	}
	return strings.TrimSpace(string(raw))
}

// authorization is the Authorization header of the configured credentials.
func authorization(user string, password, apiKey configopaque.String) string {
	switch {
	case apiKey != "":
		return "ApiKey " + string(apiKey)
	case user != "":
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+string(password)))
	}
	return ""
}
