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

	"go.opentelemetry.io/collector/component"
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

// request sends a request to Kibana and reads its JSON answer.
func (k *kibanaClient) request(ctx context.Context, method, path, contentType string, body io.Reader) (map[string]any, int, error) {
	data, status, err := k.send(ctx, method, path, contentType, body)
	if err != nil {
		return nil, status, err
	}
	var answer map[string]any
	_ = json.Unmarshal(data, &answer)
	return answer, status, nil
}

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
	var imported, kept int
	err := retry(ctx, s.cfg.Retry, refused, func() (err error) {
		imported, kept, err = k.installKibana(ctx, objects, s.cfg.Overwrite)
		return err
	}, onChange(func(err error) {
		s.set.Logger.Warn("Kibana setup waits for Kibana; documents go on meanwhile", zap.Error(err))
	}))
	switch {
	case ctx.Err() != nil:
	case err == nil:
		s.telemetry.ExtensionElemtasetupIncomplete.Add(ctx, -1, targetKibana)
		s.set.Logger.Info("Kibana setup done", zap.String("space", orDefault(k.space)),
			zap.Int("imported", imported), zap.Int("left_as_they_were", kept))
	default:
		s.set.Logger.Error("Kibana setup failed; the data view and saved searches are not installed", zap.Error(err))
	}
}

// refused tells a Kibana answer retrying does not change.
func refused(err error) bool {
	var r *kibanaRefusal
	return errors.As(err, &r)
}

// kibanaResult is what the setup did in Kibana.
func kibanaResult(k *kibanaClient, imported, kept int) Result {
	outcome := fmt.Sprintf("%d imported, %d left as they were", imported, kept)
	return Result{Kind: "Kibana objects", Name: "in space " + orDefault(k.space), Endpoint: k.endpoint, Outcome: outcome}
}

// newKibanaClient builds the Kibana client of cfg.
func newKibanaClient(ctx context.Context, cfg KibanaConfig, extensions map[component.ID]component.Component, telemetry component.TelemetrySettings) (*kibanaClient, error) {
	c, err := newClient(ctx, "Kibana", cfg.ClientConfig, cfg.User, cfg.Password, cfg.APIKey, extensions, telemetry)
	if err != nil {
		return nil, err
	}
	return &kibanaClient{client: c, space: cfg.Space}, nil
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
	data, status, err := k.send(ctx, http.MethodPost, k.prefix()+"/api/saved_objects/_export", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	if status != http.StatusOK {
		var answer map[string]any
		_ = json.Unmarshal(data, &answer)
		if err := k.refusal(status, answer); err != nil {
			return 0, err
		}
		return 0, fmt.Errorf("exporting the saved objects: Kibana answered %d: %v", status, answer["message"])
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
