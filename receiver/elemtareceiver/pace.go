package elemtareceiver // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver"

import (
	"slices"
	"time"
)

// pace decides how many batches may be in flight, from how long the
// backend takes to answer, measured against the quickest answer seen
// lately (TCP Vegas reasons alike about a connection's window):
//
//   - an answer about as quick as the quickest says the backend has room:
//     one more batch may go; and a backend that takes long even so (a
//     loaded cluster answering in 100-1,000 ms) is not slowed by this
//     collector: as many as the bounds allow may go at once;
//   - an answer much slower than the quickest says the backend, or this
//     machine, queues the batches: more in flight would hold more memory
//     for no more lines a second, so one fewer may go.
//
// A fast cluster on a busy machine gets the one or two batches it can
// take, which keeps memory low; a slow one gets the bounds, as far as its
// delivery rate makes room (room): an overloaded cluster's answers slow
// down the more it is sent, but a quick answer alone would send it the
// bounds again.
//
// A backend quicker than slowBackend gets one batch more than this
// machine has cores, at most: its answers take about as long as making
// the requests, so the batches past that wait for a core, not for the
// backend, and hold their memory meanwhile.
type pace struct {
	max   int
	busy  int           // the most a fast backend gets: cores + 1
	limit int           // batches allowed in flight now
	base  time.Duration // the quickest answer seen lately
	// rates are the delivery rates of the last answers, bytes a second
	// (answered), next the slot of the next one.
	rates   [rateWindow]float64
	next    int
	samples int // delivery rates recorded, up to rateWindow
}

const (
	// quickAnswer and slowAnswer are margins over the quickest answer (a
	// quarter and a half of it more): they keep a backend that answers in
	// a millisecond from looking slow at two.
	quickAnswer = 5 * time.Millisecond
	slowAnswer  = 10 * time.Millisecond
	// slowBackend is the quickest answer of a backend that takes long for
	// reasons of its own: it gets every batch the bounds allow.
	slowBackend = 100 * time.Millisecond
	// rateWindow is how many answers' delivery rates the best of them is
	// taken from.
	rateWindow = 16
	// roomGain is how many times its delivery rate over its quickest
	// answer a slow backend may have in flight: room to find out that it
	// takes more (TCP's BBR keeps twice).
	roomGain = 3
)

// newPace paces up to maxBatches on a machine of cores cores. Until the
// first answer, as many as the bounds allow may go: a backlog at start is
// what a restart leaves, and a slow cluster's first answer takes as long
// as any (starting with one would cost a whole answer's time); a fast
// cluster answers before many batches are made, and its first answer
// starts the count again from one.
func newPace(maxBatches, cores int) pace {
	return pace{max: maxBatches, busy: min(maxBatches, cores+1), limit: maxBatches}
}

// answered adapts the limit to an answer that took took, and records the
// delivery rate it shows: bytes answered since its batch was handed over
// (its own and those answered meanwhile), over that time (0: not known).
func (p *pace) answered(took time.Duration, bytes int) {
	if bytes > 0 && took > 0 {
		p.rates[p.next] = float64(bytes) / took.Seconds()
		p.next = (p.next + 1) % rateWindow
		p.samples = min(p.samples+1, rateWindow)
	}
	switch {
	case p.base == 0: // the first answer: a fast cluster starts again from one
		p.base = took
		p.limit = 1
	case took < p.base:
		p.base = took
	default:
		// The quickest answer ages: it drifts toward what is seen now, so
		// that a backend that became slower for good is measured afresh.
		p.base += (took - p.base) / 64
	}
	switch {
	case took <= p.base+p.base/4+quickAnswer && p.base >= slowBackend:
		p.limit = p.max
	case took <= p.base+p.base/4+quickAnswer:
		p.limit = min(p.limit+1, p.busy)
	case took > p.base+p.base/2+slowAnswer:
		p.limit = max(p.limit-1, 1)
	}
}

// measured reports whether an answer came yet.
func (p *pace) measured() bool {
	return p.base > 0
}

// slow reports whether the backend takes long for reasons of its own.
func (p *pace) slow() bool {
	return p.base >= slowBackend
}

// room returns the bytes a slow backend may have in flight: roomGain times
// the best delivery rate of the last answers, over the quickest answer's
// time. A backend that answers in its own time, whatever it is sent,
// delivers more the more it holds, and the room grows with it, past the
// bounds; one that indexes so many lines a second (an overloaded cluster)
// delivers as much with one batch as with many, and is sent the few it
// can take. 0 is no bound: a fast backend (pace's limit holds it), or
// fewer answers than rateWindow yet (the first answers of a backlog sent
// at once each show a part of what the backend delivers).
func (p *pace) room() int {
	if !p.slow() || p.samples < rateWindow {
		return 0
	}
	return int(roomGain * slices.Max(p.rates[:]) * p.base.Seconds())
}
