package elemtalog // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"

import (
	"bufio"
	"bytes"
)

// SplitLines is a bufio.SplitFunc that returns one log line per token, with
// the continuation lines that follow it (lines starting with a space or a
// tab: wrapped messages, stack traces) joined to it by "\n". A trailing CR
// is dropped. Whether a line has continuations is known only once the next
// line starts, so the last line of a file that is still being written is
// returned when the reader flushes (atEOF).
func SplitLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	return splitLines(data, atEOF, 0, false)
}

// SplitLinesWithin is SplitLines for tailing a file that is being written,
// with a reader whose buffer holds at most limit bytes:
//   - at the end of what is written so far, a line without its newline is
//     held back: the writer may be midway through it (a read can see half a
//     write), and the rest may land in another file when logrotate's
//     copytruncate copies and empties this one. The file consumer's
//     force_flush_period emits it if it is never finished;
//   - a line whose newline is the buffer's last byte is returned without
//     waiting for the next line, which the full buffer cannot take. (Waiting
//     would make the reader cut the line as too long and then skip the
//     following line as the rest of it.) Its continuation lines, if any,
//     become records of their own.
func SplitLinesWithin(limit int) bufio.SplitFunc {
	return func(data []byte, atEOF bool) (int, []byte, error) {
		return splitLines(data, atEOF, limit, true)
	}
}

func splitLines(data []byte, atEOF bool, limit int, holdPartial bool) (advance int, token []byte, err error) {
	if len(data) == 0 {
		return 0, nil, nil
	}
	end := bytes.IndexByte(data, '\n')
	for end >= 0 {
		next := end + 1
		if next >= len(data) {
			if atEOF || (limit > 0 && len(data) >= limit) {
				return next, dropCR(data[:end]), nil
			}
			return 0, nil, nil
		}
		if data[next] != ' ' && data[next] != '\t' || indentedJSON(data[next:]) {
			return next, dropCR(data[:end]), nil
		}
		j := bytes.IndexByte(data[next:], '\n')
		if j < 0 {
			break
		}
		end = next + j
	}
	if atEOF && !holdPartial {
		return len(data), dropCR(data), nil
	}
	return 0, nil, nil
}

// indentedJSON reports whether a line starting with blanks is a JSON
// object, which is a record of its own, not a continuation.
func indentedJSON(line []byte) bool {
	line = bytes.TrimLeft(line, " \t")
	return len(line) >= 2 && line[0] == '{' && line[1] == '"'
}

func dropCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}
