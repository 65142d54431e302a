package elemtasetupextension // import "github.com/elemta/otelcol-elemta/extension/elemtasetupextension"

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"go.uber.org/zap"

	"github.com/elemta/otelcol-elemta/extension/elemtasetupextension/internal/assets"
)

// oldestKibana is the oldest Kibana the saved objects are made for.
var oldestKibana = [2]int{8, 8}

// kibanaObject is one saved object of assets.KibanaObjects.
type kibanaObject struct {
	typ, id string
	line    []byte
}

func kibanaObjects() ([]kibanaObject, error) {
	var out []kibanaObject
	sc := bufio.NewScanner(bytes.NewReader(assets.KibanaObjects()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var head struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &head); err != nil {
			return nil, fmt.Errorf("embedded Kibana objects: %w", err)
		}
		out = append(out, kibanaObject{typ: head.Type, id: head.ID, line: append([]byte(nil), sc.Bytes()...)})
	}
	return out, sc.Err()
}

// kibanaClient talks to Kibana, in one space.
type kibanaClient struct {
	client
	space string
}

// prefix is the path prefix of the space's APIs.
func (k *kibanaClient) prefix() string {
	if k.space == "" || k.space == "default" {
		return ""
	}
	return "/s/" + k.space
}

func (k *kibanaClient) request(ctx context.Context, method, path, contentType string, body io.Reader) (map[string]any, int, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(k.endpoint, "/")+path, body)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("kbn-xsrf", "otelcol-elemta")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if k.auth != "" {
		req.Header.Set("Authorization", k.auth)
	}
	resp, err := k.http.Do(req)
	if err != nil {
		return nil, 0, &kibanaUnreachableError{endpoint: k.endpoint, err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, resp.StatusCode, err
	}
	var answer map[string]any
	_ = json.Unmarshal(data, &answer)
	return answer, resp.StatusCode, nil
}

// kibanaUnreachableError is a Kibana request that got no answer.
type kibanaUnreachableError struct {
	endpoint string
	err      error
}

func (e *kibanaUnreachableError) Error() string {
	return "Kibana is unreachable at " + e.endpoint + ": " + e.err.Error()
}

func (e *kibanaUnreachableError) Unwrap() error { return e.err }

// kibanaRefusal is a Kibana answer retrying does not change.
type kibanaRefusal struct{ msg string }

func (e *kibanaRefusal) Error() string { return e.msg }

// installKibana checks Kibana's version and the space, then imports the
// saved objects that are not there yet (all of them with overwrite). It
// returns how many it imported and how many it left as they were.
func (k *kibanaClient) installKibana(ctx context.Context, objects []kibanaObject, overwrite bool) (imported, kept int, err error) {
	status, code, err := k.request(ctx, http.MethodGet, "/api/status", "", nil)
	if err != nil {
		return 0, 0, err
	}
	if err := k.refusal(code, status); err != nil {
		return 0, 0, err
	}
	version, _ := status["version"].(map[string]any)
	if number, _ := version["number"].(string); !kibanaSupported(number) {
		return 0, 0, &kibanaRefusal{fmt.Sprintf("Kibana %s is not supported: the saved objects need Kibana %d.%d or newer", number, oldestKibana[0], oldestKibana[1])}
	}
	if k.prefix() != "" {
		answer, code, err := k.request(ctx, http.MethodGet, k.prefix()+"/api/status", "", nil)
		if err != nil {
			return 0, 0, err
		}
		if code == http.StatusNotFound {
			return 0, 0, &kibanaRefusal{fmt.Sprintf("the Kibana space %q does not exist: create it, or set kibana::space (KIBANA_SPACE) to an existing one", k.space)}
		}
		if err := k.refusal(code, answer); err != nil {
			return 0, 0, err
		}
	}

	var missing bytes.Buffer
	for _, o := range objects {
		answer, code, err := k.request(ctx, http.MethodGet, k.prefix()+"/api/saved_objects/"+o.typ+"/"+o.id, "", nil)
		if err != nil {
			return 0, 0, err
		}
		switch {
		case code == http.StatusNotFound || overwrite:
			missing.Write(o.line)
			missing.WriteByte('\n')
			imported++
		case code == http.StatusOK:
			kept++
		default:
			if err := k.refusal(code, answer); err != nil {
				return 0, 0, err
			}
			return 0, 0, fmt.Errorf("looking up %s %s: Kibana answered %d", o.typ, o.id, code)
		}
	}
	if imported == 0 {
		return 0, kept, nil
	}
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	part, err := form.CreateFormFile("file", "otelcol-elemta.ndjson")
	if err != nil {
		return 0, 0, err
	}
	if _, err := part.Write(missing.Bytes()); err != nil {
		return 0, 0, err
	}
	if err := form.Close(); err != nil {
		return 0, 0, err
	}
	answer, code, err := k.request(ctx, http.MethodPost, k.prefix()+"/api/saved_objects/_import?overwrite=true", form.FormDataContentType(), &body)
	if err != nil {
		return 0, 0, err
	}
	if err := k.refusal(code, answer); err != nil {
		return 0, 0, err
	}
	if ok, _ := answer["success"].(bool); code != http.StatusOK || !ok {
		return 0, 0, fmt.Errorf("importing the saved objects: Kibana answered %d: %v", code, answer["errors"])
	}
	return imported, kept, nil
}

// refusal explains a 401 or 403 from Kibana.
func (k *kibanaClient) refusal(code int, answer map[string]any) error {
	switch code {
	case http.StatusUnauthorized:
		return &kibanaRefusal{fmt.Sprintf("Kibana rejected the credentials (401): check kibana::user/password or api_key (KIBANA_USERNAME/KIBANA_PASSWORD): %v", answer["message"])}
	case http.StatusForbidden:
		return &kibanaRefusal{fmt.Sprintf("the Kibana user may not import saved objects (403): grant its role the Saved Objects Management privilege in space %q: %v", orDefault(k.space), answer["message"])}
	}
	return nil
}

func orDefault(space string) string {
	if space == "" {
		return "default"
	}
	return space
}

func kibanaSupported(number string) bool {
	parts := strings.SplitN(number, ".", 3)
	if len(parts) < 2 {
		return false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return major > oldestKibana[0] || major == oldestKibana[0] && minor >= oldestKibana[1]
}

// runKibana installs the Kibana objects in the background, retrying while
// Kibana does not answer. It never holds documents back.
func (s *setup) runKibana(ctx context.Context, k *kibanaClient, objects []kibanaObject) {
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval, bo.MaxInterval = s.cfg.Retry.InitialInterval, s.cfg.Retry.MaxInterval
	reported := ""
	for {
		imported, kept, err := k.installKibana(ctx, objects, s.cfg.Overwrite)
		var refusal *kibanaRefusal
		switch {
		case err == nil:
			s.set.Logger.Info("Kibana setup done", zap.String("space", orDefault(k.space)),
				zap.Int("imported", imported), zap.Int("left_as_they_were", kept))
			return
		case ctx.Err() != nil:
			return
		case errors.As(err, &refusal):
			s.set.Logger.Error("Kibana setup failed; the data view and saved searches are not installed", zap.Error(err))
			return
		}
		if err.Error() != reported {
			reported = err.Error()
			s.set.Logger.Warn("Kibana setup waits for Kibana; documents go on meanwhile", zap.Error(err))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(bo.NextBackOff()):
		}
	}
}

// export writes the saved objects this extension installs, as Kibana
// exports them now (with an operator's changes), to w: NDJSON, the form
// Kibana's import takes back. It returns how many objects it wrote.
func (k *kibanaClient) export(ctx context.Context, objects []kibanaObject, w io.Writer) (int, error) {
	type ref struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	}
	req := struct {
		Objects               []ref `json:"objects"`
		IncludeReferencesDeep bool  `json:"includeReferencesDeep"`
	}{IncludeReferencesDeep: true}
	for _, o := range objects {
		req.Objects = append(req.Objects, ref{Type: o.typ, ID: o.id})
	}
	body, err := json.Marshal(req)
	if err != nil {
		return 0, err
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(k.endpoint, "/")+k.prefix()+"/api/saved_objects/_export", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	httpReq.Header.Set("kbn-xsrf", "otelcol-elemta")
	httpReq.Header.Set("Content-Type", "application/json")
	if k.auth != "" {
		httpReq.Header.Set("Authorization", k.auth)
	}
	resp, err := k.http.Do(httpReq)
	if err != nil {
		return 0, &kibanaUnreachableError{endpoint: k.endpoint, err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		var answer map[string]any
		_ = json.Unmarshal(data, &answer)
		if err := k.refusal(resp.StatusCode, answer); err != nil {
			return 0, err
		}
		return 0, fmt.Errorf("exporting the saved objects: Kibana answered %d: %v", resp.StatusCode, answer["message"])
	}
	count := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return count, fmt.Errorf("exporting the saved objects: %w", err)
		}
		if _, summary := line["exportedCount"]; summary {
			continue
		}
		if _, err := w.Write(append(sc.Bytes(), '\n')); err != nil {
			return count, err
		}
		count++
	}
	return count, sc.Err()
}
