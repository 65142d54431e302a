package elemtalog

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Golden files show values; this checks their Go types, which decide the
// types of the exported attributes.
func TestValueTypes(t *testing.T) {
	p := NewParser(time.UTC)
	tests := []struct {
		name string
		line string
		key  string
		want any
	}{
		{"json integer", `{"size":342}`, "size", int64(342)},
		{"json negative", `{"n":-7}`, "n", int64(-7)},
		{"json float", `{"x":1.5}`, "x", 1.5},
		{"json exponent is a float", `{"x":1e3}`, "x", 1000.0},
		{"json integer beyond int64 is a float", `{"x":12345678901234567890}`, "x", 1.2345678901234567e19},
		{"json bool", `{"ok":true}`, "ok", true},
		{"json array keeps types", `{"a":[1,"two",false]}`, "a", []any{int64(1), "two", false}},
		{"json object", `{"o":{"k":"v"}}`, "o", map[string]any{"k": "v"}},
		{"json lone surrogate stays escaped", `{"s":"a\ud800b"}`, "s", `a\ud800b`},
		{"json repeated key becomes a list", `{"component":"a","component":"b"}`, "component", []any{"a", "b"}},
		{"json repeated equal values stay one", `{"session_id":"s","session_id":"s"}`, "session_id", "s"},
		{"kv integer", `component=x retry_count=2`, "retry_count", int64(2)},
		{"kv float", `component=x ratio=0.5`, "ratio", 0.5},
		{"kv bool", `component=x ok=false`, "ok", false},
		{"kv NaN stays text", `component=x v=NaN`, "v", "NaN"},
		{"kv hex stays text", `component=x v=0x1f`, "v", "0x1f"},
		{"kv list", `component=x to=[a b]`, "to", []any{"a", "b"}},
		{"kv quoted with escapes", `component=x msg="say \"hi\""`, "log_message", `say "hi"`},
		{"client port is a number", `{"client_ip":"127.0.0.21:44731"}`, "client_port", int64(44731)},
		{"recipient from one address is a list", `component=x to=a@b`, "recipient", []any{"a@b"}},
		{"command literal CRLF is dropped", `{"command":"rcpt TO:<a@b>\\x0D\\x0A"}`, "command_data", "<a@b>"},
		{"command raw CRLF is dropped", `{"command":".\r\n"}`, "smtp_command", nil},
		{"RCPT address becomes the recipient", `{"command":"rcpt TO:<a@b>\\x0D\\x0A"}`, "recipient", []any{"a@b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := p.Parse(tt.line)
			assert.Equal(t, tt.want, r.Attributes.AsRaw()[tt.key])
		})
	}
}

func TestTimezone(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	tests := []struct {
		line string
		want time.Time
	}{
		{"SMTP: 2024-01-15 10:30:45 EHLO a", time.Date(2024, 1, 15, 9, 30, 45, 0, time.UTC)},
		{"2024-01-15 10:30:48 ERROR x", time.Date(2024, 1, 15, 9, 30, 48, 0, time.UTC)},
		{"2024-01-15T10:30:48Z ERROR x", time.Date(2024, 1, 15, 10, 30, 48, 0, time.UTC)},
		{"[TLS] 2024/07/01 12:00:00 x", time.Date(2024, 7, 1, 10, 0, 0, 0, time.UTC)},
		{`{"time":"2026-11-25T17:42:57.446641595Z"}`, time.Date(2026, 11, 25, 17, 42, 57, 446641595, time.UTC)},
	}
	p := NewParser(berlin)
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			assert.True(t, tt.want.Equal(p.Parse(tt.line).Timestamp), "got %v", p.Parse(tt.line).Timestamp)
		})
	}
}

func TestSplitLines(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{"lines", "a\nb\n", []string{"a", "b"}},
		{"CRLF", "a\r\nb\r\n", []string{"a", "b"}},
		{"continuations join", "a\n  b\n\tc\nd\n", []string{"a\n  b\n\tc", "d"}},
		{"continuation at end of input", "a\n  b\n", []string{"a\n  b"}},
		{"last line without newline", "a\nb", []string{"a", "b"}},
		{"leading continuation stands alone", "  a\nb\n", []string{"  a", "b"}},
		{"empty lines are empty tokens", "a\n\nb\n", []string{"a", "", "b"}},
		{"an indented JSON line is a record of its own", "{\"a\":1}\n  {\"b\":2}\n\t{\"c\":3}\n", []string{"{\"a\":1}", "  {\"b\":2}", "\t{\"c\":3}"}},
		{"an indented brace that is not JSON continues", "a\n  { x }\n", []string{"a\n  { x }"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := bufio.NewScanner(strings.NewReader(tt.input))
			sc.Split(SplitLines)
			var got []string
			for sc.Scan() {
				got = append(got, sc.Text())
			}
			require.NoError(t, sc.Err())
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSplitLinesWaitsForTheNextLine(t *testing.T) {
	adv, tok, err := SplitLines([]byte("a\n"), false)
	require.NoError(t, err)
	assert.Zero(t, adv, "a continuation may still follow")
	assert.Nil(t, tok)
	adv, tok, err = SplitLines([]byte("a\n  b"), false)
	require.NoError(t, err)
	assert.Zero(t, adv, "the continuation is not complete")
	assert.Nil(t, tok)
	adv, tok, err = SplitLines([]byte("a\nb"), false)
	require.NoError(t, err)
	assert.Equal(t, 2, adv)
	assert.Equal(t, []byte("a"), tok)
}

// FuzzParse checks that no input crashes the parser and that every record
// is well formed: valid UTF-8, a known format, an event type.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"time":"2026-11-25T17:42:57Z","level":"INFO","msg":"x","to":["a"],"component":"a","component":"b"}`,
		`time=2026-11-25T17:48:18.692Z level=INFO msg="a b" k=[x y] n=1`,
		"SMTP: 2024-01-15 10:30:45 new connection: 192.168.1.100:54321",
		"SMTP: 2024-01-15 10:30:47 MAIL FROM:<sender@example.com>",
		"[TLS] 2026/11/25 17:24:48 Stopping TLS manager",
		"2024-01-15 10:30:48 ERROR Failed\n  at x",
		"\xff\xfe\x00",
		"{",
	} {
		f.Add(seed)
	}
	p := NewParser(time.UTC)
	known := map[vocabulary.Format]bool{}
	for _, fm := range vocabulary.Formats {
		known[fm] = true
	}
	f.Fuzz(func(t *testing.T, line string) {
		r := p.Parse(line)
		if !utf8.ValidString(r.Line) {
			t.Fatalf("record line is not valid UTF-8: %q", r.Line)
		}
		if !known[r.Format] {
			t.Fatalf("unknown format %q", r.Format)
		}
		for k, v := range r.Attributes.AsRaw() {
			requireValidStrings(t, k, v)
		}
		if et, _ := r.Attributes.Get(vocabulary.AttrEventType); et.Str() == "" {
			t.Fatalf("no event_type for %q", line)
		}
		sc := bufio.NewScanner(bytes.NewReader([]byte(line)))
		sc.Buffer(nil, 1<<20)
		sc.Split(SplitLines)
		for sc.Scan() {
			_ = p.Parse(sc.Text())
		}
	})
}

func requireValidStrings(t *testing.T, key string, v any) {
	if !utf8.ValidString(key) {
		t.Fatalf("attribute key is not valid UTF-8: %q", key)
	}
	switch v := v.(type) {
	case string:
		if !utf8.ValidString(v) {
			t.Fatalf("attribute %q is not valid UTF-8: %q", key, v)
		}
	case []any:
		for _, it := range v {
			requireValidStrings(t, key, it)
		}
	case map[string]any:
		for k, it := range v {
			requireValidStrings(t, k, it)
		}
	}
}

func TestSplitLinesWithinAFullBuffer(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		limit   int
		wantAdv int
		wantTok string
	}{
		{"room for the next line: wait", "abc\n", 8, 0, ""},
		{"buffer full: the line is whole", "abcdefg\n", 8, 8, "abcdefg"},
		{"unlimited: wait", "abcdefg\n", 0, 0, ""},
		{"buffer full with a continuation: the chain so far", "abc\n def\n", 9, 9, "abc\n def"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			adv, tok, err := SplitLinesWithin(tt.limit)([]byte(tt.data), false)
			require.NoError(t, err)
			assert.Equal(t, tt.wantAdv, adv)
			assert.Equal(t, tt.wantTok, string(tok))
		})
	}
}

func TestSplitLinesWithinHoldsAPartialLine(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		wantAdv int
		wantTok string
	}{
		{"a whole line at the end", "abc\n", 4, "abc"},
		{"half a line at the end waits", "steady wr", 0, ""},
		{"a whole line, then half of the next", "abc\nste", 4, "abc"},
		{"a continuation being written waits", "abc\n  at x", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			adv, tok, err := SplitLinesWithin(1024)([]byte(tt.data), true)
			require.NoError(t, err)
			assert.Equal(t, tt.wantAdv, adv)
			assert.Equal(t, tt.wantTok, string(tok))
		})
	}
}
