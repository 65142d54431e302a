package elemtalog // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"

import (
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// UnwrapDocker returns the line inside a Docker json-file record
// ({"log":"...\n","stream":"stdout","time":"..."}), its stream and its
// time. A line that is no such record comes back unchanged, with ok false.
func (p *Parser) UnwrapDocker(line string) (inner, stream string, t time.Time, ok bool) {
	jp := p.json.Get()
	defer p.json.Put(jp)
	v, err := jp.Parse(line)
	if err != nil || v.Type() != fastjson.TypeObject || v.Get("log") == nil {
		return line, "", time.Time{}, false
	}
	inner = strings.TrimSuffix(string(v.GetStringBytes("log")), "\n")
	stream = string(v.GetStringBytes("stream"))
	t, _ = time.Parse(time.RFC3339Nano, string(v.GetStringBytes("time")))
	return inner, stream, t, true
}
