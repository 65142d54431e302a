package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// deadLetterFile is the name of the file the dead-letter store appends to;
// rotated files get .1, .2, ... (the highest is the oldest).
const deadLetterFile = "dead-letter.ndjson"

// deadLetter is one document Elasticsearch refused for good, as written to
// the dead-letter file: one JSON object a line. Action and Document are the
// two lines of the bulk request that carried it, so the file turns back
// into a bulk request with `jq -c '.action, .document'`.
type deadLetter struct {
	Time     time.Time       `json:"time"`
	Index    string          `json:"index,omitempty"`
	ID       string          `json:"id,omitempty"`
	Status   int             `json:"status"`
	Error    refusal         `json:"error"`
	Action   json.RawMessage `json:"action"`
	Document json.RawMessage `json:"document"`
}

// refusal is Elasticsearch's reason for refusing a request or a document.
type refusal struct {
	Type   string `json:"type"`
	Reason string `json:"reason,omitempty"`
}

// deadLetterStore appends refused documents to NDJSON files in a
// directory, rotating the file at maxBytes and keeping maxFiles rotated
// files. It is safe for concurrent use.
type deadLetterStore struct {
	dir      string
	maxBytes int64
	maxFiles int

	mu   sync.Mutex
	file *os.File
	size int64
}

// openDeadLetterStore creates the directory when needed and opens the file
// for appending.
func openDeadLetterStore(cfg DeadLetterConfig) (*deadLetterStore, error) {
	if err := os.MkdirAll(cfg.Directory, 0o750); err != nil {
		return nil, fmt.Errorf("dead_letter::directory: %w; set it to a directory the collector can write", err)
	}
	s := &deadLetterStore{dir: cfg.Directory, maxBytes: cfg.MaxSizeMiB << 20, maxFiles: cfg.MaxFiles}
	if err := s.open(); err != nil {
		return nil, fmt.Errorf("dead_letter::directory: %w; set it to a directory the collector can write", err)
	}
	return s, nil
}

func (s *deadLetterStore) path() string { return filepath.Join(s.dir, deadLetterFile) }

func (s *deadLetterStore) open() error {
	f, err := os.OpenFile(s.path(), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return err
	}
	s.file, s.size = f, info.Size()
	return nil
}

// write appends the entries as one write and syncs the file: a document
// counted as dead-lettered is on disk.
func (s *deadLetterStore) write(entries []deadLetter) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for i := range entries {
		if err := enc.Encode(&entries[i]); err != nil {
			return fmt.Errorf("dead letter: encode: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file == nil {
		return errors.New("dead letter: store is closed")
	}
	if s.size > 0 && s.size+int64(buf.Len()) > s.maxBytes {
		if err := s.rotate(); err != nil {
			return fmt.Errorf("dead letter: rotate: %w", err)
		}
	}
	n, err := s.file.Write(buf.Bytes())
	s.size += int64(n)
	if err != nil {
		return fmt.Errorf("dead letter: write %s: %w", s.path(), err)
	}
	if err := s.file.Sync(); err != nil {
		return fmt.Errorf("dead letter: sync %s: %w", s.path(), err)
	}
	return nil
}

// rotate renames the file to .1 after shifting older files up by one; the
// file past maxFiles is removed. The caller holds s.mu.
func (s *deadLetterStore) rotate() error {
	if err := s.file.Close(); err != nil {
		return err
	}
	s.file = nil
	_ = os.Remove(s.path() + "." + strconv.Itoa(s.maxFiles))
	for i := s.maxFiles - 1; i >= 1; i-- {
		from := s.path() + "." + strconv.Itoa(i)
		if _, err := os.Stat(from); err == nil {
			if err := os.Rename(from, s.path()+"."+strconv.Itoa(i+1)); err != nil {
				return err
			}
		}
	}
	if s.maxFiles > 0 {
		if err := os.Rename(s.path(), s.path()+".1"); err != nil {
			return err
		}
	} else if err := os.Remove(s.path()); err != nil {
		return err
	}
	return s.open()
}

func (s *deadLetterStore) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file == nil {
		return nil
	}
	err := s.file.Close()
	s.file = nil
	return err
}

// creatable checks, without creating anything, that dir exists as a
// writable directory or can be created: its nearest existing ancestor is a
// writable directory.
func creatable(dir string) error {
	for path := filepath.Clean(dir); ; path = filepath.Dir(path) {
		info, err := os.Stat(path)
		switch {
		case err == nil && !info.IsDir():
			return fmt.Errorf("%s is not a directory", path)
		case err == nil:
			if err := unix.Access(path, unix.W_OK); err != nil {
				return fmt.Errorf("%s is not writable: %w", path, err)
			}
			return nil
		case !errors.Is(err, os.ErrNotExist) && !errors.Is(err, unix.ENOTDIR):
			return err
		case path == filepath.Dir(path):
			return err
		}
	}
}
