package elemtalog // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/elemtalog"

import "bytes"

// SplitLines is a bufio.SplitFunc that returns one log line per token, with
// the continuation lines that follow it (lines starting with a space or a
// tab: wrapped messages, stack traces) joined to it by "\n". A trailing CR
// is dropped. Whether a line has continuations is known only once the next
// line starts, so the last line of a file that is still being written is
// returned when the reader flushes (atEOF).
func SplitLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if len(data) == 0 {
		return 0, nil, nil
	}
	end := bytes.IndexByte(data, '\n')
	for end >= 0 {
		next := end + 1
		if next >= len(data) {
			if atEOF {
				return next, dropCR(data[:end]), nil
			}
			return 0, nil, nil
		}
		if data[next] != ' ' && data[next] != '\t' {
			return next, dropCR(data[:end]), nil
		}
		j := bytes.IndexByte(data[next:], '\n')
		if j < 0 {
			break
		}
		end = next + j
	}
	if atEOF {
		return len(data), dropCR(data), nil
	}
	return 0, nil, nil
}

func dropCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}
