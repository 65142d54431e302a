package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// residentSample is a process's resident memory at one moment: file pages
// (RssFile: its binary's code and data, mostly) and anonymous memory
// (RssAnon: heap, stacks).
type residentSample struct {
	file, anon int64 // bytes
}

func (r residentSample) total() int64 { return r.file + r.anon }

// residentSampler reads a process's resident memory at an interval and
// keeps the largest sample: VmHWM gives the peak, the sample how the peak
// splits between the binary and the heap.
type residentSampler struct {
	done     chan struct{}
	finished chan struct{}
	once     sync.Once
	largest  residentSample
}

func sampleResident(pid int, every time.Duration) *residentSampler {
	s := &residentSampler{done: make(chan struct{}), finished: make(chan struct{})}
	path := fmt.Sprintf("/proc/%d/status", pid)
	go func() {
		defer close(s.finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if status, err := os.ReadFile(path); err == nil { // gone once the process exits
				if sizes, err := statusSizes(string(status), "RssFile", "RssAnon"); err == nil {
					if r := (residentSample{file: sizes[0], anon: sizes[1]}); r.total() > s.largest.total() {
						s.largest = r
					}
				}
			}
			select {
			case <-s.done:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// stop ends the sampling and returns the largest sample; it may be called
// again.
func (s *residentSampler) stop() residentSample {
	s.once.Do(func() { close(s.done) })
	<-s.finished
	return s.largest
}

// statusSizes reads sizes ("VmHWM:  1234 kB") from the text of
// /proc/<pid>/status, in bytes, in the order of names.
func statusSizes(status string, names ...string) ([]int64, error) {
	sizes := make([]int64, len(names))
	found := 0
	for _, line := range strings.Split(status, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		for i, want := range names {
			if name != want {
				continue
			}
			kib, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(value), "kB")), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			sizes[i] = kib << 10
			found++
		}
	}
	if found != len(names) {
		return nil, fmt.Errorf("not all of %s in the status", strings.Join(names, ", "))
	}
	return sizes, nil
}
