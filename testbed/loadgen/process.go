package loadgen // import "github.com/elemta/otelcol-elemta/testbed/loadgen"

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clockTicks is the kernel's USER_HZ, the unit of /proc/<pid>/stat times.
const clockTicks = 100

// Process is a collector run as a child process, with its CPU and memory
// sampled while it runs.
type Process struct {
	cmd    *exec.Cmd
	done   chan struct{}
	err    error
	output *os.File

	mu      sync.Mutex
	samples []Sample
	stop    chan struct{}
}

// Sample is the collector's CPU time and resident memory at a moment:
// all of it, and split into file pages (RssFile: its binary's code and
// data, mostly) and anonymous memory (RssAnon: heap, stacks).
type Sample struct {
	At         time.Time
	CPU        time.Duration
	RSS        int64
	File, Anon int64
}

// Start runs binary with args and env (added to this process's), its
// output into logFile, and samples it every interval.
func Start(binary string, args, env []string, logFile string, interval time.Duration) (*Process, error) {
	out, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(binary, args...) //nolint:gosec // the collector under test
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, err
	}
	p := &Process{cmd: cmd, done: make(chan struct{}), output: out, stop: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	go p.sample(interval)
	return p, nil
}

func (p *Process) sample(interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if s, err := readSample(p.cmd.Process.Pid); err == nil {
			p.mu.Lock()
			p.samples = append(p.samples, s)
			p.mu.Unlock()
		}
		select {
		case <-p.stop:
			return
		case <-p.done:
			return
		case <-t.C:
		}
	}
}

func readSample(pid int) (Sample, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return Sample{}, err
	}
	// The command name may hold spaces: the fields follow its closing ')'.
	rest := string(stat[strings.LastIndexByte(string(stat), ')')+2:])
	fields := strings.Fields(rest)
	if len(fields) < 22 {
		return Sample{}, errors.New("short /proc stat")
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	rssPages, _ := strconv.ParseInt(fields[21], 10, 64)
	s := Sample{
		At:  time.Now(),
		CPU: time.Duration(utime+stime) * time.Second / clockTicks,
		RSS: rssPages * int64(os.Getpagesize()),
	}
	if status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		if sizes, err := StatusSizes(string(status), "RssFile", "RssAnon"); err == nil {
			s.File, s.Anon = sizes[0], sizes[1]
		}
	}
	return s, nil
}

// HighWaterRSS is the peak resident memory the kernel kept for the
// process (VmHWM), finer than the samples; read it before the process
// ends.
func (p *Process) HighWaterRSS() (int64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	sizes, err := StatusSizes(string(status), "VmHWM")
	if err != nil {
		return 0, fmt.Errorf("/proc/%d/status: %w", p.cmd.Process.Pid, err)
	}
	return sizes[0], nil
}

// Largest is the sample with the most resident memory: how the peak
// splits between the binary and the heap.
func (p *Process) Largest() Sample {
	var largest Sample
	for _, s := range p.Samples() {
		if s.File+s.Anon > largest.File+largest.Anon {
			largest = s
		}
	}
	return largest
}

// StatusSizes reads sizes ("VmHWM:  1234 kB") from the text of
// /proc/<pid>/status, in bytes, in the order of names.
func StatusSizes(status string, names ...string) ([]int64, error) {
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

// Samples returns the samples so far.
func (p *Process) Samples() []Sample {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Sample(nil), p.samples...)
}

// PeakRSS is the largest resident memory sampled.
func (p *Process) PeakRSS() int64 {
	var peak int64
	for _, s := range p.Samples() {
		peak = max(peak, s.RSS)
	}
	return peak
}

// CPU is the process's CPU time: all of it once it has ended, else that
// of the last sample.
func (p *Process) CPU() time.Duration {
	if ended, _ := p.Exited(); ended {
		if ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	s := p.Samples()
	if len(s) == 0 {
		return 0
	}
	return s[len(s)-1].CPU
}

// Exited reports whether the process has ended, and how.
func (p *Process) Exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// Stop sends SIGTERM and waits up to timeout for a clean exit.
func (p *Process) Stop(timeout time.Duration) error {
	return p.end(syscall.SIGTERM, timeout)
}

// Kill ends the process with SIGKILL, as a crash would.
func (p *Process) Kill() error {
	err := p.end(syscall.SIGKILL, 10*time.Second)
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return nil // killed, as asked
	}
	return err
}

func (p *Process) end(sig syscall.Signal, timeout time.Duration) error {
	if s, err := readSample(p.cmd.Process.Pid); err == nil {
		p.mu.Lock()
		p.samples = append(p.samples, s)
		p.mu.Unlock()
	}
	close(p.stop)
	defer p.output.Close()
	if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("no exit within %s of %s", timeout, sig)
	}
}
