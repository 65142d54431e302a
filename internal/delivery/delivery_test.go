package delivery

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func settled(t *Ticket) bool {
	select {
	case <-t.Settled():
		return true
	default:
		return false
	}
}

func TestTicket(t *testing.T) {
	refused := errors.New("refused for good")
	tests := []struct {
		name string
		// before plays the exporters during ConsumeLogs.
		before         func(t *testing.T, tk *Ticket)
		settledAtClose bool
		wantErr        error
	}{
		{
			name: "no exporter holds it: settled when handed over", settledAtClose: true,
		},
		{
			name:           "released before ConsumeLogs returned",
			before:         func(t *testing.T, tk *Ticket) { release, ok := tk.Hold(); require.True(t, ok); release(nil) },
			settledAtClose: true,
		},
		{
			name: "released later",
			before: func(t *testing.T, tk *Ticket) {
				release, ok := tk.Hold()
				require.True(t, ok)
				go func() { release(nil) }()
			},
		},
		{
			name: "two exporters, one refuses: settled with its error once both released",
			before: func(t *testing.T, tk *Ticket) {
				first, ok := tk.Hold()
				require.True(t, ok)
				second, ok := tk.Hold()
				require.True(t, ok)
				first(refused)
				assert.True(t, tk.Held(), "the second still holds it")
				second(nil)
				second(refused) // a second release does nothing
			},
			settledAtClose: true,
			wantErr:        refused,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := NewTicket()
			ctx := WithTicket(context.Background(), tk)
			got, ok := FromContext(ctx)
			require.True(t, ok)
			require.Same(t, tk, got)
			if tt.before != nil {
				tt.before(t, tk)
			}
			tk.Close()
			if tt.settledAtClose {
				assert.True(t, settled(tk))
			}
			<-tk.Settled()
			assert.Equal(t, tt.wantErr, tk.Err())
			_, ok = tk.Hold()
			assert.False(t, ok, "no hold once handed over: the exporter delivers before it returns")
		})
	}
	_, ok := FromContext(context.Background())
	assert.False(t, ok)
}

func TestTicketSent(t *testing.T) {
	tk := NewTicket()
	assert.True(t, tk.Sent().IsZero(), "not sent before an exporter says so")
	before := time.Now()
	tk.Sending()
	first := tk.Sent()
	assert.False(t, first.Before(before))
	time.Sleep(time.Millisecond)
	tk.Sending() // a retry: the last send counts
	assert.True(t, tk.Sent().After(first))
}
