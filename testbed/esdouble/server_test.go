package esdouble

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

type bulkItem map[string]struct {
	Index  string `json:"_index"`
	ID     string `json:"_id"`
	Status int    `json:"status"`
	Error  *struct {
		Type string `json:"type"`
	} `json:"error"`
}

type bulkResponse struct {
	Errors bool       `json:"errors"`
	Items  []bulkItem `json:"items"`
}

func postBulk(t *testing.T, url, body string, gzipped bool) (int, bulkResponse, http.Header) {
	t.Helper()
	var rd io.Reader = strings.NewReader(body)
	if gzipped {
		var buf bytes.Buffer
		gz := gzip.NewWriter(&buf)
		_, err := gz.Write([]byte(body))
		require.NoError(t, err)
		require.NoError(t, gz.Close())
		rd = &buf
	}
	req, err := http.NewRequest(http.MethodPost, url+"/_bulk", rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-ndjson")
	if gzipped {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out bulkResponse
	if resp.StatusCode == http.StatusOK {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	}
	return resp.StatusCode, out, resp.Header
}

func TestProductCheck(t *testing.T) {
	s := New()
	defer s.Close()

	resp, err := http.Get(s.URL() + "/")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "Elasticsearch", resp.Header.Get("X-Elastic-Product"))
	var info map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&info))
	assert.Equal(t, "8.17.0", info["version"].(map[string]any)["number"])
}

func TestBulk(t *testing.T) {
	tests := []struct {
		name        string
		setup       func(*Server)
		body        string
		gzipped     bool
		wantStatus  int
		wantItems   []int
		wantDocs    int
		wantErrors  bool
		wantRejects int
	}{
		{
			name: "create and index",
			body: `{"create":{"_index":"elemta-logs-2024.01.15","_id":"a"}}
{"msg":"one"}
{"index":{"_index":"elemta-logs-2024.01.15"}}
{"msg":"two"}
`,
			wantStatus: http.StatusOK,
			wantItems:  []int{201, 201},
			wantDocs:   2,
		},
		{
			name:       "gzip body",
			body:       "{\"create\":{\"_index\":\"i\",\"_id\":\"a\"}}\n{\"msg\":\"one\"}\n",
			gzipped:    true,
			wantStatus: http.StatusOK,
			wantItems:  []int{201},
			wantDocs:   1,
		},
		{
			name:       "create of an existing id conflicts, index overwrites",
			body:       "{\"create\":{\"_index\":\"i\",\"_id\":\"a\"}}\n{\"v\":1}\n{\"create\":{\"_index\":\"i\",\"_id\":\"a\"}}\n{\"v\":2}\n{\"index\":{\"_index\":\"i\",\"_id\":\"a\"}}\n{\"v\":3}\n",
			wantStatus: http.StatusOK,
			wantItems:  []int{201, 409, 200},
			wantDocs:   1,
			wantErrors: true,
		},
		{
			name:       "whole-request fault",
			setup:      func(s *Server) { s.FailNextBulk(1, http.StatusServiceUnavailable) },
			body:       "{\"create\":{\"_index\":\"i\"}}\n{\"v\":1}\n",
			wantStatus: http.StatusServiceUnavailable,
			wantDocs:   0,
		},
		{
			name: "per-item rejection",
			setup: func(s *Server) {
				s.RejectItems(func(d Document) bool { return d.Source["bad"] == true })
			},
			body:        "{\"create\":{\"_index\":\"i\"}}\n{\"bad\":true}\n{\"create\":{\"_index\":\"i\"}}\n{\"bad\":false}\n",
			wantStatus:  http.StatusOK,
			wantItems:   []int{400, 201},
			wantDocs:    1,
			wantErrors:  true,
			wantRejects: 1,
		},
		{
			name:       "malformed source is a per-item error",
			body:       "{\"create\":{\"_index\":\"i\"}}\n{not json\n",
			wantStatus: http.StatusOK,
			wantItems:  []int{400},
			wantErrors: true,
		},
		{
			name:       "unsupported action",
			body:       "{\"delete\":{\"_index\":\"i\",\"_id\":\"a\"}}\n",
			wantStatus: http.StatusBadRequest,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			defer s.Close()
			if tt.setup != nil {
				tt.setup(s)
			}
			status, resp, hdr := postBulk(t, s.URL(), tt.body, tt.gzipped)
			assert.Equal(t, tt.wantStatus, status)
			assert.Equal(t, "Elasticsearch", hdr.Get("X-Elastic-Product"))
			assert.Equal(t, tt.wantErrors, resp.Errors)
			var got []int
			for _, it := range resp.Items {
				for _, r := range it {
					got = append(got, r.Status)
				}
			}
			assert.Equal(t, tt.wantItems, got)
			assert.Len(t, s.Documents(), tt.wantDocs)
			assert.Equal(t, tt.wantRejects, s.Rejected())
			require.Len(t, s.Requests(), 1)
			assert.Equal(t, tt.wantStatus, s.Requests()[0].Status)
		})
	}
}

func TestFaultsAreConsumedInOrder(t *testing.T) {
	s := New()
	defer s.Close()
	s.FailNextBulk(1, http.StatusTooManyRequests)
	s.FailNextBulk(1, http.StatusServiceUnavailable)

	body := "{\"create\":{\"_index\":\"i\"}}\n{\"v\":1}\n"
	for _, want := range []int{429, 503, 200} {
		status, _, _ := postBulk(t, s.URL(), body, false)
		assert.Equal(t, want, status)
	}
	assert.Len(t, s.Documents(), 1)
}

func TestDropNextConnections(t *testing.T) {
	s := New()
	defer s.Close()
	s.DropNextConnections(1)

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	_, err := client.Get(s.URL() + "/")
	require.Error(t, err)
	resp, err := client.Get(s.URL() + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, s.Requests(), 2)
	assert.Equal(t, 0, s.Requests()[0].Status)
}

func TestDelay(t *testing.T) {
	s := New()
	defer s.Close()
	s.SetDelay(50 * time.Millisecond)

	client := &http.Client{Timeout: 10 * time.Millisecond}
	_, err := client.Get(s.URL() + "/")
	require.Error(t, err, "a client with a shorter timeout than the delay must time out")

	s.SetDelay(0)
	resp, err := http.Get(s.URL() + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestNewAtReusesAnAddress(t *testing.T) {
	first := New()
	addr := first.Addr()
	first.Close()

	second, err := NewAt(addr)
	require.NoError(t, err)
	defer second.Close()
	assert.Equal(t, "http://"+addr, second.URL())
}

// TestInstalledMappingsAreEnforced: with an index template installed, a
// document that writes to a field alias is refused, and a value a mapped
// type cannot take is refused, or, with ignore_malformed, indexed and
// reported.
func TestInstalledMappingsAreEnforced(t *testing.T) {
	template := func(ignoreMalformed bool) string {
		return `{"index_patterns":["logs-*"],"priority":1,"template":{"settings":{"index":{"mapping":{"ignore_malformed":` +
			strconv.FormatBool(ignoreMalformed) + `}}},"mappings":{"properties":{"client_ip":{"type":"ip"},"size":{"type":"long"},` +
			`"geo":{"properties":{"location":{"type":"geo_point"}}},"source":{"properties":{"ip":{"type":"alias","path":"client_ip"}}}}}}}`
	}
	tests := []struct {
		name            string
		ignoreMalformed bool
		doc             string
		wantStatus      int
		wantMalformed   int
	}{
		{"fits", false, `{"client_ip":"192.0.2.1","size":12,"geo":{"location":{"lat":1.5,"lon":2.5}}}`, http.StatusCreated, 0},
		{"not an ip", false, `{"client_ip":"nope"}`, http.StatusBadRequest, 0},
		{"not an ip, ignore_malformed", true, `{"client_ip":"nope"}`, http.StatusCreated, 1},
		{"a fraction in a long", false, `{"size":1.5}`, http.StatusBadRequest, 0},
		{"writes to an alias", true, `{"source":{"ip":"192.0.2.1"}}`, http.StatusBadRequest, 0},
		{"an index no template matches", false, `{"client_ip":"nope"}`, http.StatusCreated, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			defer s.Close()
			req, err := http.NewRequest(http.MethodPut, s.URL()+"/_index_template/t", strings.NewReader(template(tt.ignoreMalformed)))
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			index := "logs-1"
			if tt.name == "an index no template matches" {
				index = "other"
			}
			body := `{"index":{"_index":"` + index + `","_id":"a"}}` + "\n" + tt.doc + "\n"
			assert.Equal(t, []int{tt.wantStatus}, bulkStatuses(t, s, body))
			assert.Len(t, s.Malformed(), tt.wantMalformed)
		})
	}
}
