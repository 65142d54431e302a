package elemtalog // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"

import (
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// Why not stanza's container parser (operator/parser/container), which
// reads the same formats: it works on stanza entries, a map body and
// attributes per line, and recombines CRI pieces through an operator
// pipeline of its own; the receiver needs the line as a string for its own
// parse. BenchmarkContainerUnwrap, same run: a Docker record 1,994 ns and 2
// allocations here against 7,864 ns and 29 with stanza's parser; a CRI line
// 110 ns and 1 allocation against 17,476 ns and 38 (BENCHMARKS.md,
// "Container records").

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

// UnwrapCRI returns the message of a line of the CRI log format that
// containerd and CRI-O write for Kubernetes (`<RFC 3339 time> <stream>
// <P|F> <message>`), its stream and its time; partial is true for a `P`
// line, the first pieces of a message the runtime split (16 KiB by
// default), which the next lines complete. A line that is no such line
// comes back unchanged, with ok false.
func UnwrapCRI(line string) (inner, stream string, t time.Time, partial, ok bool) {
	stamp, rest, found := strings.Cut(line, " ")
	if !found {
		return line, "", time.Time{}, false, false
	}
	stream, rest, found = strings.Cut(rest, " ")
	if !found || stream != "stdout" && stream != "stderr" {
		return line, "", time.Time{}, false, false
	}
	tag, msg, found := strings.Cut(rest, " ")
	if !found { // an empty message: "... stdout F"
		tag, msg = rest, ""
	}
	flags := strings.Split(tag, ":")
	if flags[0] != "P" && flags[0] != "F" {
		return line, "", time.Time{}, false, false
	}
	t, err := time.Parse(time.RFC3339Nano, stamp)
	if err != nil {
		return line, "", time.Time{}, false, false
	}
	return msg, stream, t, flags[0] == "P", true
}
