package elemtareceiver // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver"

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"go.uber.org/zap"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
)

// fileHeadKey is the file attribute under which the receiver keeps the
// first bytes of a file (base64). The file consumer saves a file's
// attributes with its read position and hands them to the reader of the
// same file after a rename, a copytruncate copy or a restart, so the head
// travels with the file, whatever its name.
const fileHeadKey = "elemta.file.head"

// maxKnownHeads bounds the decoded heads kept in memory; past it the cache
// starts again (a head is decoded again on its file's next read).
const maxKnownHeads = 4096

// fileHead is the start of a file: its first bytes, up to the file
// consumer's fingerprint_size. The file is written by appending, so bytes
// once there never change, whichever name the file has later: they are
// what identifies the file a line was read from (log.file.identity).
type fileHead struct {
	size  int    // fingerprint_size: the head is complete at this length
	bytes []byte // the first bytes of the file, up to size
	whole string // identity of the lines at or past size; "" while the head is shorter
}

// identityAt is the identity of the file for a line starting at offset:
// a digest of the file's bytes before the line, up to the head's size.
// Those bytes are the same whenever the line is read, even while a young
// file's fingerprint still grows. "" when the head does not reach so far.
func (h *fileHead) identityAt(offset int64) string {
	if h == nil {
		return ""
	}
	n := min(offset, int64(h.size))
	switch {
	case n > int64(len(h.bytes)):
		return ""
	case n == int64(h.size):
		return h.whole
	}
	return headDigest(h.bytes[:n])
}

// headDigest is the identity of a file's first bytes.
func headDigest(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

// fileHeads finds the head of the file each read comes from: kept in the
// file's attributes, or read from the file when what is kept does not
// reach the lines read.
type fileHeads struct {
	size       int
	compressed bool // compression is configured: a file may be gzip
	logger     *zap.Logger

	mu    sync.Mutex
	known map[string]*fileHead // decoded heads by their kept form
}

func newFileHeads(size int, compressed bool, logger *zap.Logger) *fileHeads {
	return &fileHeads{size: size, compressed: compressed, logger: logger, known: map[string]*fileHead{}}
}

// of returns the head of the file of one read (tokens starting at offsets,
// which grow), reading the file when the kept head is shorter than the
// bytes before the last line. attrs are the file consumer's attributes of
// the file; the head is kept there. It returns what is known when the file
// cannot be read or is no longer the file read (renamed and replaced in
// the meantime): lines past it get no identity, and their ids fall back
// to their time and text.
func (f *fileHeads) of(attrs map[string]any, tokens [][]byte, offsets []int64) *fileHead {
	kept, _ := attrs[fileHeadKey].(string)
	h := f.decode(kept)
	if len(offsets) == 0 || int64(len(h.bytes)) >= min(offsets[len(tokens)-1], int64(f.size)) {
		return h
	}
	path, _ := attrs[vocabulary.AttrFilePath].(string)
	head, err := f.read(path, h.bytes, tokens[0], offsets[0])
	if err != nil {
		f.logger.Warn("The start of a log file could not be read; lines read from it now get ids from their time and text, "+
			"and may be indexed twice if they are read again",
			zap.String("path", path), zap.Error(err))
		return h
	}
	kept = base64.StdEncoding.EncodeToString(head)
	attrs[fileHeadKey] = kept
	return f.decode(kept)
}

// decode returns the head a kept form holds, decoded once.
func (f *fileHeads) decode(kept string) *fileHead {
	f.mu.Lock()
	defer f.mu.Unlock()
	if h, ok := f.known[kept]; ok {
		return h
	}
	b, err := base64.StdEncoding.DecodeString(kept)
	if err != nil || len(b) > f.size {
		b = nil // not ours, or kept with a larger fingerprint_size: read again
	}
	h := &fileHead{size: f.size, bytes: b}
	if len(b) == f.size {
		h.whole = headDigest(b)
	}
	if len(f.known) >= maxKnownHeads {
		clear(f.known)
	}
	f.known[kept] = h
	return h
}

// read reads the first bytes of the file at path and checks that it is
// the file read: it starts with what was known of it, and has the first
// token at its offset.
func (f *fileHeads) read(path string, known, token []byte, offset int64) ([]byte, error) {
	if path == "" {
		return nil, fmt.Errorf("no %s attribute: keep include_file_path on", vocabulary.AttrFilePath)
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	var src io.Reader = file
	gzipped := false
	if f.compressed {
		var magic [2]byte
		if n, _ := file.ReadAt(magic[:], 0); n == 2 && magic == [2]byte{0x1f, 0x8b} {
			zr, err := gzip.NewReader(file)
			if err != nil {
				return nil, err
			}
			src, gzipped = zr, true
		}
	}
	head := make([]byte, f.size)
	n, err := io.ReadFull(src, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	head = head[:n]
	if !bytes.HasPrefix(head, known) {
		return nil, fmt.Errorf("the file at %s no longer starts as the file read did (renamed and replaced)", path)
	}
	if !gzipped { // the offsets of a gzip file are in its decompressed bytes
		want := token[:min(len(token), 256)]
		at := make([]byte, len(want))
		if _, err := file.ReadAt(at, offset); err != nil || !bytes.Equal(at, want) {
			return nil, fmt.Errorf("the file at %s does not hold the line read at offset %d (renamed and replaced)", path, offset)
		}
	}
	return head, nil
}
