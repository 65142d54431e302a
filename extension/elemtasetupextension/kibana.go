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
	"net/url"
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
	// attributes are the object's, earlier those of the versions of it
	// shipped before, decoded: an installed object is compared with them.
	attributes any
	earlier    []any
}

// kibanaObjects reads the objects to install in a space and, for each, its
// earlier versions. The data views, searches, maps and dashboards of
// Kibana 8 share one id space across all spaces (their namespace type is
// multiple-isolated): an import whose id exists in another space gets a
// new, random id, and the next start, looking for ours, would import
// another copy. So each space but the default gets the ids suffixed with
// its own (elemta-logs-<space>), in the objects and in the references
// between them.
func kibanaObjects(space string) ([]kibanaObject, error) {
	suffix := ""
	if space != "" && space != "default" {
		suffix = "-" + space
	}
	current, err := readKibanaObjects(assets.KibanaObjects(), suffix)
	if err != nil {
		return nil, err
	}
	byKey := map[string]*kibanaObject{}
	for i := range current {
		byKey[current[i].typ+"/"+current[i].id] = &current[i]
	}
	for _, ndjson := range assets.EarlierKibanaObjects() {
		earlier, err := readKibanaObjects(ndjson, suffix)
		if err != nil {
			return nil, err
		}
		for _, e := range earlier {
			if o, ok := byKey[e.typ+"/"+e.id]; ok {
				o.earlier = append(o.earlier, e.attributes)
			}
		}
	}
	return current, nil
}

// readKibanaObjects reads NDJSON saved objects, their ids, and the ids
// their references and by-value panels name, suffixed when they are of
// these objects.
func readKibanaObjects(ndjson []byte, suffix string) ([]kibanaObject, error) {
	var objects []map[string]any
	ours := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(ndjson))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var o map[string]any
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			return nil, fmt.Errorf("embedded Kibana objects: %w", err)
		}
		id, _ := o["id"].(string)
		ours[id] = true
		objects = append(objects, o)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	out := make([]kibanaObject, 0, len(objects))
	for _, o := range objects {
		if suffix != "" {
			if err := renameIDs(o, ours, suffix); err != nil {
				return nil, fmt.Errorf("embedded Kibana objects: %w", err)
			}
		}
		line, err := json.Marshal(o)
		if err != nil {
			return nil, err
		}
		typ, _ := o["type"].(string)
		id, _ := o["id"].(string)
		out = append(out, kibanaObject{typ: typ, id: id, line: line, attributes: unstamped(o["attributes"])})
	}
	return out, nil
}

// unstamped is what of an object's attributes stays ours once Kibana has
// imported it: the version each dashboard panel carries is the version of
// the last migration that panel went through, and Kibana raises it as it
// migrates the import (migrate_by_value_dashboard_panels), so it is not
// compared.
func unstamped(attributes any) any {
	attrs, _ := attributes.(map[string]any)
	panelsJSON, ok := attrs["panelsJSON"].(string)
	if !ok {
		return attributes
	}
	// Shipped panels are valid JSON (a test holds them to it); were they
	// not, the attributes are compared whole, and an installed dashboard
	// reads as changed: left alone, the safe direction.
	var panels []map[string]any
	if json.Unmarshal([]byte(panelsJSON), &panels) != nil {
		return attributes
	}
	for _, p := range panels {
		delete(p, "version")
	}
	data, err := json.Marshal(panels)
	if err != nil {
		return attributes
	}
	out := make(map[string]any, len(attrs))
	for k, v := range attrs {
		out[k] = v
	}
	out["panelsJSON"] = string(data)
	return out
}

// renameIDs suffixes, in one saved object, its id and the ids of ours it
// names: in its references, and in the references of the by-value Lens
// panels of a dashboard's panelsJSON.
func renameIDs(o map[string]any, ours map[string]bool, suffix string) error {
	refs := func(list any) {
		items, _ := list.([]any)
		for _, r := range items {
			ref, _ := r.(map[string]any)
			if id, _ := ref["id"].(string); ours[id] {
				ref["id"] = id + suffix
			}
		}
	}
	o["id"] = o["id"].(string) + suffix
	refs(o["references"])
	attrs, _ := o["attributes"].(map[string]any)
	panelsJSON, ok := attrs["panelsJSON"].(string)
	if !ok {
		return nil
	}
	var panels []map[string]any
	if err := json.Unmarshal([]byte(panelsJSON), &panels); err != nil {
		return fmt.Errorf("%v: panelsJSON: %w", o["id"], err)
	}
	for _, p := range panels {
		config, _ := p["embeddableConfig"].(map[string]any)
		lens, _ := config["attributes"].(map[string]any)
		refs(lens["references"])
	}
	data, err := json.Marshal(panels)
	if err != nil {
		return err
	}
	attrs["panelsJSON"] = string(data)
	return nil
}

// kibanaOutcome is what installKibana did with the objects.
type kibanaOutcome struct {
	imported int      // absent, or replaced because of overwrite
	updated  []string // an earlier version of ours nobody changed, replaced by this one
	upToDate int
	// leftAlone were changed since they were installed, or are newer than
	// ours: overwrite replaces them.
	leftAlone []string
	rules     rulesOutcome
}

// state tells what an installed object is, by what Kibana shows of its
// attributes (holds: Kibana's migrations may add to them, and re-serialise
// their JSON strings): this version, an earlier one of ours, or something
// else (changed by an operator, or newer).
func (o kibanaObject) state(installed any) string {
	if holds(installed, o.attributes) {
		return outcomeUpToDate
	}
	for _, e := range o.earlier {
		if holds(installed, e) {
			return outcomeUpdated
		}
	}
	return outcomeChanged
}

// kibanaClient talks to Kibana, in one space.
type kibanaClient struct {
	client
	space string
	rules []alertRule // the alerting rules to install; none with alerts: false
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
	// An error's body may be anything (a proxy's HTML page); a success
	// must be JSON.
	var answer map[string]any
	if err := json.Unmarshal(data, &answer); err != nil && status < 300 && len(bytes.TrimSpace(data)) > 0 {
		return nil, status, fmt.Errorf("%s %s: Kibana answered %d with a body that is not JSON: %w", method, path, status, err)
	}
	return answer, status, nil
}

// kibanaRefusal is a Kibana answer retrying does not change.
type kibanaRefusal struct{ msg string }

func (e *kibanaRefusal) Error() string { return e.msg }

// installKibana checks Kibana's version and the space, then imports the
// saved objects that are not there yet, and those installed in an earlier
// version of ours that nobody changed since; an object changed since, or
// newer than ours, is left as it is. With overwrite, it imports them all.
func (k *kibanaClient) installKibana(ctx context.Context, objects []kibanaObject, overwrite bool) (kibanaOutcome, error) {
	var out kibanaOutcome
	status, code, err := k.request(ctx, http.MethodGet, "/api/status", "", nil)
	if err != nil {
		return out, err
	}
	if err := k.refusal(code, status); err != nil {
		return out, err
	}
	version, _ := status["version"].(map[string]any)
	if number, _ := version["number"].(string); !kibanaSupported(number) {
		return out, &kibanaRefusal{fmt.Sprintf("Kibana %s is not supported: the saved objects need Kibana %d.%d or newer", number, oldestKibana[0], oldestKibana[1])}
	}
	if err := k.checkSpace(ctx); err != nil {
		return out, err
	}
	installed, err := k.bulkGet(ctx, objects)
	if err != nil {
		return out, err
	}

	var missing bytes.Buffer
	add := func(o kibanaObject) {
		missing.Write(o.line)
		missing.WriteByte('\n')
	}
	for i, o := range objects {
		found := installed[i]
		switch {
		case found.missing || overwrite:
			add(o)
			out.imported++
		default:
			switch o.state(found.Attributes) {
			case outcomeUpToDate:
				out.upToDate++
			case outcomeUpdated:
				add(o)
				out.updated = append(out.updated, o.typ+"/"+o.id)
			default:
				out.leftAlone = append(out.leftAlone, o.typ+"/"+o.id)
			}
		}
	}
	if missing.Len() > 0 {
		if err := k.importNDJSON(ctx, missing.Bytes()); err != nil {
			return out, err
		}
	}
	out.rules, err = k.installRules(ctx, k.rules, overwrite)
	return out, err
}

// importNDJSON imports saved objects into the space, replacing those
// there under the same ids.
func (k *kibanaClient) importNDJSON(ctx context.Context, ndjson []byte) error {
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	part, err := form.CreateFormFile("file", "otelcol-elemta.ndjson")
	if err != nil {
		return err
	}
	if _, err := part.Write(ndjson); err != nil {
		return err
	}
	if err := form.Close(); err != nil {
		return err
	}
	answer, code, err := k.request(ctx, http.MethodPost, k.prefix()+"/api/saved_objects/_import?overwrite=true", form.FormDataContentType(), &body)
	if err != nil {
		return err
	}
	if err := k.refusal(code, answer); err != nil {
		return err
	}
	if ok, _ := answer["success"].(bool); code != http.StatusOK || !ok {
		return fmt.Errorf("importing the saved objects: Kibana answered %d: %v", code, answer["errors"])
	}
	return nil
}

// checkSpace makes sure the space exists. Kibana answers the APIs under
// /s/<space>/ for any space, existing or not (its spaces interceptor checks
// only /app paths), and an import there writes objects into a space
// nobody can open (elastic/kibana#67164): only the spaces API tells.
func (k *kibanaClient) checkSpace(ctx context.Context) error {
	if k.prefix() == "" {
		return nil
	}
	answer, code, err := k.request(ctx, http.MethodGet, "/api/spaces/space/"+url.PathEscape(k.space), "", nil)
	if err != nil {
		return err
	}
	switch {
	case code == http.StatusNotFound:
		return &kibanaRefusal{fmt.Sprintf("the Kibana space %q does not exist: create it (Stack Management > Spaces, or POST /api/spaces/space with {\"id\": %q, \"name\": ...}), "+
			"or set kibana::space (KIBANA_SPACE) to an existing one, or leave it empty for the default space", k.space, k.space)}
	case code >= 300:
		if err := k.refusal(code, answer); err != nil {
			return err
		}
		return fmt.Errorf("looking up the Kibana space %q: Kibana answered %d: %v", k.space, code, answer["message"])
	}
	return nil
}

// savedObject is one answer of _bulk_get.
type savedObject struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Attributes map[string]any `json:"attributes"`
	Error      *struct {
		StatusCode int    `json:"statusCode"`
		Message    string `json:"message"`
	} `json:"error"`
	missing bool
}

// bulkGet reads the objects installed under our ids in the space, in the
// order of objects, with one request (POST _bulk_get: the single GET is
// deprecated since Kibana 8.7). An object not there is missing.
func (k *kibanaClient) bulkGet(ctx context.Context, objects []kibanaObject) ([]savedObject, error) {
	type ref struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	}
	refs := make([]ref, len(objects))
	for i, o := range objects {
		refs[i] = ref{Type: o.typ, ID: o.id}
	}
	body, err := json.Marshal(refs)
	if err != nil {
		return nil, err
	}
	data, code, err := k.send(ctx, http.MethodPost, k.prefix()+"/api/saved_objects/_bulk_get", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	var answer struct {
		SavedObjects []savedObject `json:"saved_objects"`
		Message      string        `json:"message"`
	}
	jsonErr := json.Unmarshal(data, &answer)
	if code >= 300 {
		if err := k.refusal(code, map[string]any{"message": answer.Message}); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("reading the saved objects: Kibana answered %d: %s", code, strings.TrimSpace(string(data)))
	}
	if jsonErr != nil {
		return nil, fmt.Errorf("reading the saved objects: Kibana answered %d with a body that is not JSON: %w", code, jsonErr)
	}
	if len(answer.SavedObjects) != len(objects) {
		return nil, fmt.Errorf("reading the saved objects: Kibana answered %d objects for %d", len(answer.SavedObjects), len(objects))
	}
	for i, o := range answer.SavedObjects {
		switch {
		case o.Error == nil:
		case o.Error.StatusCode == http.StatusNotFound:
			answer.SavedObjects[i].missing = true
		default:
			return nil, fmt.Errorf("reading %s %s: Kibana answered %d: %s", objects[i].typ, objects[i].id, o.Error.StatusCode, o.Error.Message)
		}
	}
	return answer.SavedObjects, nil
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
	var out kibanaOutcome
	err := retry(ctx, s.cfg.Retry, refused, func() (err error) {
		out, err = k.installKibana(ctx, objects, s.cfg.Overwrite)
		return err
	}, onChange(func(err error) {
		s.set.Logger.Warn("Kibana setup waits for Kibana; documents go on meanwhile", zap.Error(err))
	}))
	switch {
	case ctx.Err() != nil:
	case err == nil:
		s.telemetry.ExtensionElemtasetupIncomplete.Add(ctx, -1, targetKibana)
		for _, key := range append(out.leftAlone, out.rules.leftAlone...) {
			s.set.Logger.Warn("Kibana setup left an object as it is: it changed since it was installed, or is newer than ours; set overwrite: true to replace it",
				zap.String("object", key), zap.String("space", orDefault(k.space)))
		}
		s.set.Logger.Info("Kibana setup done", zap.String("space", orDefault(k.space)),
			zap.Int("imported", out.imported), zap.Strings("updated", out.updated), zap.Int("up_to_date", out.upToDate),
			zap.Strings("left_alone", out.leftAlone),
			zap.Int("rules_created", out.rules.created), zap.Strings("rules_updated", out.rules.updated),
			zap.Int("rules_up_to_date", out.rules.upToDate), zap.Strings("rules_left_alone", out.rules.leftAlone))
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
func kibanaResult(k *kibanaClient, out kibanaOutcome) Result {
	outcome := fmt.Sprintf("%d imported, %d updated, %d up to date", out.imported, len(out.updated), out.upToDate)
	if len(out.leftAlone) > 0 {
		outcome += fmt.Sprintf(", left alone (changed since installed, or newer): %s", strings.Join(out.leftAlone, ", "))
	}
	return Result{Kind: "Kibana objects", Name: "in space " + orDefault(k.space), Endpoint: k.endpoint, Outcome: outcome}
}

// rulesResult is what the setup did with the alerting rules; false when
// it installs none (alerts: false).
func rulesResult(k *kibanaClient, out rulesOutcome) (Result, bool) {
	if len(k.rules) == 0 {
		return Result{}, false
	}
	outcome := fmt.Sprintf("%d created, %d updated, %d up to date", out.created, len(out.updated), out.upToDate)
	if len(out.leftAlone) > 0 {
		outcome += fmt.Sprintf(", left alone (changed by an operator): %s", strings.Join(out.leftAlone, ", "))
	}
	return Result{Kind: "Kibana alerting rules", Name: "in space " + orDefault(k.space), Endpoint: k.endpoint, Outcome: outcome}, true
}

// newKibanaClient builds the Kibana client of cfg.
func newKibanaClient(ctx context.Context, cfg KibanaConfig, extensions map[component.ID]component.Component, telemetry component.TelemetrySettings) (*kibanaClient, error) {
	c, err := newClient(ctx, "Kibana", cfg.ClientConfig, cfg.User, cfg.Password, cfg.APIKey, extensions, telemetry)
	if err != nil {
		return nil, err
	}
	k := &kibanaClient{client: c, space: cfg.Space}
	if cfg.Alerts {
		if k.rules, err = alertRules(cfg.AlertRules, cfg.Space); err != nil {
			return nil, err
		}
	}
	return k, nil
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
		if json.Unmarshal(data, &answer) != nil { // not JSON (a proxy's page): its text says why
			answer = map[string]any{"message": strings.TrimSpace(string(data))}
		}
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
