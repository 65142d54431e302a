package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"math"
	"strconv"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
)

// receptions remembers when messages were received, by message id.
type receptions = lru.Cache[string, pcommon.Timestamp]

func newReceptions() (*receptions, error) {
	return lru.New[string, pcommon.Timestamp](trackedMessages)
}

// messageTimes remembers when a message was received and adds to a
// delivered message's line its delay: Elemta's total_delay_ms, else the
// reception and delivery times on the line, else the time since the
// message's reception line. A delay that is not a number of milliseconds
// is counted and left out.
func (p *smtpEventProcessor) messageTimes(attrs pcommon.Map, lr plog.LogRecord, r *record, status string, b *batchCounts) {
	switch status {
	case vocabulary.MessageReceived:
		if r.messageID != "" && lr.Timestamp() != 0 {
			// A copy: the id is kept long after the line it was read from.
			p.receptions.Add(strings.Clone(r.messageID), lr.Timestamp())
		}
		return
	case vocabulary.MessageDelivered:
	default:
		return
	}
	if r.delay == delayMalformed {
		b.delaysMalformed++
	}
	seconds, ok := r.delayMs/1000, r.delay == delayValid
	if !ok {
		seconds, ok = between(r.receptionTime, r.deliveryTime)
	}
	if !ok && r.messageID != "" && lr.Timestamp() != 0 {
		if received, found := p.receptions.Get(r.messageID); found && lr.Timestamp() >= received {
			seconds, ok = lr.Timestamp().AsTime().Sub(received.AsTime()).Seconds(), true
		}
	}
	if ok {
		attrs.PutDouble(vocabulary.AttrDeliveryDelaySeconds, seconds)
	}
	if r.messageID != "" {
		p.receptions.Remove(r.messageID)
	}
}

// delayState tells what a line's total_delay_ms holds.
type delayState uint8

// delayValue reads a number of milliseconds, written as a number or text.
func delayValue(v pcommon.Value) (float64, delayState) {
	var ms float64
	switch v.Type() {
	case pcommon.ValueTypeInt:
		ms = float64(v.Int())
	case pcommon.ValueTypeDouble:
		ms = v.Double()
	case pcommon.ValueTypeStr:
		f, err := strconv.ParseFloat(strings.TrimSpace(v.Str()), 64)
		if err != nil {
			return 0, delayMalformed
		}
		ms = f
	default:
		return 0, delayMalformed
	}
	if math.IsNaN(ms) || math.IsInf(ms, 0) || ms < 0 {
		return 0, delayMalformed
	}
	return ms, delayValid
}

// between is the seconds from one RFC 3339 time to a later one.
func between(from, to string) (float64, bool) {
	if from == "" || to == "" {
		return 0, false
	}
	start, err1 := time.Parse(time.RFC3339Nano, from)
	end, err2 := time.Parse(time.RFC3339Nano, to)
	if err1 != nil || err2 != nil || end.Before(start) || start.IsZero() {
		return 0, false
	}
	return end.Sub(start).Seconds(), true
}
