package loadgen // import "github.com/elemta/otelcol-elemta/testbed/loadgen"

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// Rotation is how a Writer rotates its file.
type Rotation int

const (
	// NoRotation appends to one file.
	NoRotation Rotation = iota
	// RotateRename renames the file to <path>.1 (replacing the previous
	// one) and writes on in a new file, as logrotate's default does.
	RotateRename
	// RotateCopyTruncate copies the file to <path>.1 and empties it, as
	// logrotate's copytruncate does.
	RotateCopyTruncate
)

// Writer writes numbered lines into a log file at a rate.
type Writer struct {
	Path        string
	Rotation    Rotation
	RotateEvery time.Duration

	next     int
	rotated  time.Time
	rotation int
}

// Written is the number of lines written so far; their ids are 0 to Written-1.
func (w *Writer) Written() int { return w.next }

// Rotations counts the rotations so far.
func (w *Writer) Rotations() int { return w.rotation }

// tick is how often a Writer writes its share of lines.
const tick = 20 * time.Millisecond

// Run writes rate lines a second for d, or until ctx ends.
func (w *Writer) Run(ctx context.Context, rate int, d time.Duration) error {
	if w.rotated.IsZero() {
		w.rotated = time.Now()
	}
	start, first := time.Now(), w.next
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	for {
		elapsed := time.Since(start)
		if elapsed >= d {
			elapsed = d
		}
		due := int(float64(rate) * elapsed.Seconds())
		if err := w.write(due - (w.next - first)); err != nil {
			return err
		}
		if elapsed >= d {
			return nil
		}
		if w.Rotation != NoRotation && w.RotateEvery > 0 && time.Since(w.rotated) >= w.RotateEvery {
			if err := w.rotate(); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
}

func (w *Writer) write(n int) error {
	if n <= 0 {
		return nil
	}
	f, err := os.OpenFile(w.Path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	now := time.Now()
	for range n {
		if _, err := bw.WriteString(Line(w.next, now)); err != nil {
			f.Close()
			return err
		}
		if err := bw.WriteByte('\n'); err != nil {
			f.Close()
			return err
		}
		w.next++
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (w *Writer) rotate() error {
	w.rotated = time.Now()
	w.rotation++
	switch w.Rotation {
	case RotateRename:
		return os.Rename(w.Path, w.Path+".1")
	case RotateCopyTruncate:
		src, err := os.Open(w.Path)
		if err != nil {
			return err
		}
		defer src.Close()
		dst, err := os.Create(w.Path + ".1")
		if err != nil {
			return err
		}
		if _, err := io.Copy(dst, src); err != nil {
			dst.Close()
			return err
		}
		if err := dst.Close(); err != nil {
			return err
		}
		return os.Truncate(w.Path, 0)
	}
	return fmt.Errorf("unknown rotation %d", w.Rotation)
}
