package esdouble // import "github.com/elemta/otelcol-elemta/testbed/esdouble"

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// mapping is what an installed index template says of an index's fields.
type mapping struct {
	types           map[string]string // dotted field name -> type
	ignoreMalformed bool
	lifecycle       string    // the ILM policy of the index (index.lifecycle.name)
	created         time.Time // when its first document created the index
}

// mappingOf returns the mapping of an index: the one its template gave it
// when its first document created it. Elasticsearch applies index
// templates only when an index is created; a template changed later
// shapes the indices created after ("Index templates" in the Elasticsearch
// reference). The caller holds s.mu.
func (s *Server) mappingOf(index string) *mapping {
	if m, ok := s.indexMappings[index]; ok {
		return m
	}
	m := s.mappingFor(index)
	s.indexMappings[index] = m
	return m
}

// mappingFor returns the mapping of the highest-priority template whose
// index_patterns match index; nil when none does. The caller holds s.mu.
func (s *Server) mappingFor(index string) *mapping {
	var best map[string]any
	bestPriority := math.Inf(-1)
	for _, a := range s.templates {
		patterns, _ := a.body["index_patterns"].([]any)
		for _, p := range patterns {
			if matchesPattern(fmt.Sprint(p), index) {
				priority, _ := a.body["priority"].(float64)
				if priority > bestPriority {
					best, bestPriority = a.body, priority
				}
			}
		}
	}
	if best == nil {
		return nil
	}
	tmpl, _ := best["template"].(map[string]any)
	m := &mapping{types: map[string]string{}}
	mappings, _ := tmpl["mappings"].(map[string]any)
	props, _ := mappings["properties"].(map[string]any)
	flattenProperties("", props, m.types)
	settings, _ := tmpl["settings"].(map[string]any)
	idx, _ := settings["index"].(map[string]any)
	mp, _ := idx["mapping"].(map[string]any)
	m.ignoreMalformed = fmt.Sprint(mp["ignore_malformed"]) == "true"
	if lc, ok := idx["lifecycle"].(map[string]any); ok {
		m.lifecycle, _ = lc["name"].(string)
	} else if name, ok := settings["index.lifecycle.name"].(string); ok {
		m.lifecycle = name
	}
	m.created = time.Now()
	return m
}

func matchesPattern(pattern, index string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(index, prefix)
	}
	return pattern == index
}

func flattenProperties(prefix string, props map[string]any, out map[string]string) {
	for name, def := range props {
		d, _ := def.(map[string]any)
		if sub, ok := d["properties"].(map[string]any); ok {
			flattenProperties(prefix+name+".", sub, out)
			continue
		}
		if typ, ok := d["type"].(string); ok {
			out[prefix+name] = typ
		}
	}
}

// check returns the fields of source that do not fit m: a field alias
// written to (always refused), or a value its type cannot take.
func (m *mapping) check(source map[string]any) (aliases, malformed []string) {
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if m.types[prefix] == "geo_point" {
				if !fits("geo_point", v) {
					malformed = append(malformed, fmt.Sprintf("%s (geo_point): %v", prefix, v))
				}
				return
			}
			for k, x := range v {
				name := k
				if prefix != "" {
					name = prefix + "." + k
				}
				walk(name, x)
			}
			return
		case []any:
			for _, x := range v {
				walk(prefix, x)
			}
			return
		}
		typ, mapped := m.types[prefix]
		switch {
		case !mapped:
		case typ == "alias":
			aliases = append(aliases, prefix)
		case !fits(typ, v):
			malformed = append(malformed, fmt.Sprintf("%s (%s): %v", prefix, typ, v))
		}
	}
	walk("", source)
	return aliases, malformed
}

// fits tells whether a JSON value can be indexed as a field of typ.
func fits(typ string, v any) bool {
	switch typ {
	case "ip":
		s, ok := v.(string)
		if !ok {
			return false
		}
		_, err := netip.ParseAddr(s)
		return err == nil
	case "long", "integer", "short", "byte", "unsigned_long":
		switch v := v.(type) {
		case float64:
			return v == math.Trunc(v)
		case string:
			_, err := strconv.ParseInt(v, 10, 64)
			return err == nil
		}
		return false
	case "double", "float", "half_float", "scaled_float":
		switch v := v.(type) {
		case float64:
			return true
		case string:
			_, err := strconv.ParseFloat(v, 64)
			return err == nil
		}
		return false
	case "boolean":
		switch v := v.(type) {
		case bool:
			return true
		case string:
			return v == "true" || v == "false"
		}
		return false
	case "date", "date_nanos":
		switch v := v.(type) {
		case float64:
			return true
		case string:
			_, err := time.Parse(time.RFC3339Nano, v)
			return err == nil
		}
		return false
	case "geo_point":
		switch v := v.(type) {
		case map[string]any:
			_, lat := v["lat"].(float64)
			_, lon := v["lon"].(float64)
			return lat && lon
		case string:
			return strings.Count(v, ",") == 1
		}
		return false
	}
	return true // keyword, text, wildcard, object: any value
}

// Malformed returns the fields of indexed documents their installed
// mapping could not take, "index/id field (type): value". With the
// template's ignore_malformed on, Elasticsearch indexes such a document
// but leaves the field unsearchable.
func (s *Server) Malformed() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.malformed...)
}
