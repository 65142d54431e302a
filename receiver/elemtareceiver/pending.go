package elemtareceiver // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver"

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"
	"go.opentelemetry.io/collector/pdata/plog"
)

// pendingKey holds the batches a shutdown interrupted, as a sequence of
// length-prefixed OTLP protobuf messages.
const pendingKey = "pending_batches"

// pendingStore keeps, in the receiver's storage, the batches that were read
// (their file position already past them) but not yet delivered.
type pendingStore struct {
	mu        sync.Mutex
	persister operator.Persister
}

func newPendingStore(p operator.Persister) *pendingStore {
	return &pendingStore{persister: p}
}

// save appends a batch.
func (s *pendingStore) save(ld plog.Logs) error {
	var m plog.ProtoMarshaler
	data, err := m.MarshalLogs(ld)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, err := s.persister.Get(context.Background(), pendingKey)
	if err != nil {
		return err
	}
	stored = binary.AppendUvarint(stored, uint64(len(data)))
	stored = append(stored, data...)
	return s.persister.Set(context.Background(), pendingKey, stored)
}

// load returns every saved batch, oldest first.
func (s *pendingStore) load() ([]plog.Logs, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, err := s.persister.Get(context.Background(), pendingKey)
	if err != nil {
		return nil, err
	}
	var out []plog.Logs
	var u plog.ProtoUnmarshaler
	for len(stored) > 0 {
		data, rest, err := next(stored)
		if err != nil {
			return out, err
		}
		ld, err := u.UnmarshalLogs(data)
		if err != nil {
			return out, fmt.Errorf("decode saved batch: %w", err)
		}
		out = append(out, ld)
		stored = rest
	}
	return out, nil
}

// drop removes the n oldest batches; batches saved since load stay.
func (s *pendingStore) drop(n int) error {
	if n == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, err := s.persister.Get(context.Background(), pendingKey)
	if err != nil {
		return err
	}
	for range n {
		if len(stored) == 0 {
			break
		}
		if _, stored, err = next(stored); err != nil {
			return err
		}
	}
	if len(stored) == 0 {
		return s.persister.Delete(context.Background(), pendingKey)
	}
	return s.persister.Set(context.Background(), pendingKey, stored)
}

var errCorrupt = errors.New("saved batches are corrupt")

func next(stored []byte) (data, rest []byte, err error) {
	size, n := binary.Uvarint(stored)
	if n <= 0 {
		return nil, nil, errCorrupt
	}
	rest = stored[n:]
	if size > uint64(len(rest)) {
		return nil, nil, errCorrupt
	}
	end := int(size) //nolint:gosec // at most len(rest), checked above
	return rest[:end], rest[end:], nil
}
