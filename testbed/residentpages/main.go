// Command residentpages says which of a running collector's executable
// pages are resident, by ELF section, and its code's by Go package: what
// the "files" share of a collector's peak RSS in benche2e's table is made
// of.
//
//	go run ./testbed/residentpages --pid "$(pgrep -f bin/otelcol-elemta)"
//
// A release binary is stripped (ocb links with -s -w), but its functions
// are in the Go line table (.gopclntab), which the runtime keeps: the code
// is charged to packages by it.
//
// A page counts as resident when /proc/<pid>/pagemap marks it present in
// the process's mappings of its executable. The kernel maps file pages
// around each fault (fault-around), so a package is charged for the pages
// that hold its code, run or mapped with their neighbours.
package main

import (
	"bufio"
	"debug/buildinfo"
	"debug/elf"
	"debug/gosym"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
)

const pageSize = 4096

func main() {
	pid := flag.Int("pid", 0, "process to look at (required)")
	top := flag.Int("top", 40, "packages to list")
	flag.Parse()
	if *pid <= 0 {
		fmt.Fprintln(os.Stderr, "residentpages: --pid is required")
		os.Exit(2)
	}
	if err := report(os.Stdout, *pid, *top); err != nil {
		fmt.Fprintln(os.Stderr, "residentpages:", err)
		os.Exit(1)
	}
}

func report(w io.Writer, pid int, top int) error {
	pages, err := residentExecutablePages(pid)
	if err != nil {
		return err
	}
	exe, err := os.Open(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		return fmt.Errorf("reading the executable: %w", err)
	}
	defer exe.Close()
	f, err := elf.NewFile(exe)
	if err != nil {
		return fmt.Errorf("reading the executable: %w", err)
	}
	funcs, err := functions(f)
	if err != nil {
		return err
	}
	info, err := buildinfo.Read(exe)
	if err != nil {
		return fmt.Errorf("reading the executable's modules: %w", err)
	}

	fmt.Fprintf(w, "resident pages of the executable: %d (%.1f MiB)\n\n", len(pages), mib(int64(len(pages))*pageSize))
	fmt.Fprintln(w, "by section:")
	for _, c := range sorted(bySection(f.Sections, pages)) {
		fmt.Fprintf(w, "%8.1f MiB  %s\n", mib(c.bytes), c.name)
	}
	packages := byPackage(funcs, pages)
	fmt.Fprintf(w, "\ncode (.text) by package, the %d largest:\n", top)
	list(w, packages, top)
	fmt.Fprintf(w, "\ncode (.text) by module, the %d largest:\n", top)
	list(w, byModule(packages, info), top)
	return nil
}

func list(w io.Writer, m map[string]int64, top int) {
	for i, c := range sorted(m) {
		if i == top {
			break
		}
		fmt.Fprintf(w, "%8.0f KiB  %s\n", float64(c.bytes)/1024, c.name)
	}
}

// byModule sums packages into the modules the binary was built with:
// each package into the module of the longest path it starts with, the
// standard library's into "std" and the rest (runtime symbols of no
// package, generated ones) into "other".
func byModule(packages map[string]int64, info *debug.BuildInfo) map[string]int64 {
	modules := []string{info.Main.Path}
	for _, dep := range info.Deps {
		modules = append(modules, dep.Path)
	}
	out := map[string]int64{}
	for pkg, bytes := range packages {
		out[moduleOf(pkg, modules)] += bytes
	}
	return out
}

func moduleOf(pkg string, modules []string) string {
	best := ""
	for _, m := range modules {
		if (pkg == m || strings.HasPrefix(pkg, m+"/")) && len(m) > len(best) {
			best = m
		}
	}
	switch {
	case best != "":
		return best
	case strings.Contains(pkg, ":"):
		return "other"
	case !strings.Contains(strings.SplitN(pkg, "/", 2)[0], "."):
		return "std"
	}
	return "other"
}

// residentExecutablePages returns the addresses of the resident pages of
// the process's mappings of its own executable, in order.
func residentExecutablePages(pid int) ([]uint64, error) {
	proc := "/proc/" + strconv.Itoa(pid)
	exe, err := os.Readlink(proc + "/exe")
	if err != nil {
		return nil, err
	}
	maps, err := os.Open(proc + "/maps")
	if err != nil {
		return nil, err
	}
	defer maps.Close()
	pagemap, err := os.Open(proc + "/pagemap")
	if err != nil {
		return nil, err
	}
	defer pagemap.Close()

	var pages []uint64
	lines := bufio.NewScanner(maps)
	for lines.Scan() {
		// address perms offset dev inode path
		fields := strings.Fields(lines.Text())
		if len(fields) < 6 || fields[5] != exe {
			continue
		}
		lo, hi, err := addressRange(fields[0])
		if err != nil {
			return nil, err
		}
		// One 64-bit entry per page; bit 63: present.
		entries := make([]byte, 8*((hi-lo)/pageSize))
		if _, err := pagemap.ReadAt(entries, int64(lo/pageSize*8)); err != nil { //nolint:gosec // user-space addresses are below 2^57: the offset is below 2^48
			return nil, fmt.Errorf("reading the page map: %w", err)
		}
		for i := 0; i < len(entries)/8; i++ {
			if binary.LittleEndian.Uint64(entries[i*8:])&(1<<63) != 0 {
				pages = append(pages, lo+uint64(i)*pageSize)
			}
		}
	}
	if err := lines.Err(); err != nil {
		return nil, err
	}
	if len(pages) == 0 {
		return nil, errors.New("no resident page found in the mappings of " + exe)
	}
	return pages, nil
}

func addressRange(s string) (lo, hi uint64, err error) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, fmt.Errorf("unexpected address range %q in the maps", s)
	}
	if lo, err = strconv.ParseUint(from, 16, 64); err == nil {
		hi, err = strconv.ParseUint(to, 16, 64)
	}
	return lo, hi, err
}

type count struct {
	name  string
	bytes int64
}

// bySection charges each resident page to the allocated section holding it.
func bySection(sections []*elf.Section, pages []uint64) map[string]int64 {
	out := map[string]int64{}
	for _, page := range pages {
		for _, s := range sections {
			if s.Flags&elf.SHF_ALLOC == 0 || s.Addr == 0 {
				continue
			}
			// A section's last page holds its end.
			if s.Addr <= page+pageSize-1 && page < s.Addr+s.Size {
				out[s.Name] += pageSize
				break
			}
		}
	}
	return out
}

// function is the code of one function: [entry, end).
type function struct {
	name       string
	entry, end uint64
}

// functions reads the executable's functions from its Go line table.
func functions(f *elf.File) ([]function, error) {
	text, pcln := f.Section(".text"), f.Section(".gopclntab")
	if text == nil || pcln == nil {
		return nil, errors.New("the executable has no .text or .gopclntab: not a Go binary for linux?")
	}
	data, err := pcln.Data()
	if err != nil {
		return nil, fmt.Errorf("reading .gopclntab: %w", err)
	}
	table, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		return nil, fmt.Errorf("reading .gopclntab: %w", err)
	}
	out := make([]function, 0, len(table.Funcs))
	for _, fn := range table.Funcs {
		out = append(out, function{name: fn.Name, entry: fn.Entry, end: fn.End})
	}
	return out, nil
}

// byPackage charges each resident page's bytes to the package of each
// function they hold.
func byPackage(funcs []function, pages []uint64) map[string]int64 {
	sort.Slice(funcs, func(i, j int) bool { return funcs[i].entry < funcs[j].entry })
	out := map[string]int64{}
	for _, page := range pages {
		end := page + pageSize
		i := sort.Search(len(funcs), func(i int) bool { return funcs[i].end > page })
		for ; i < len(funcs) && funcs[i].entry < end; i++ {
			lo, hi := max(funcs[i].entry, page), min(funcs[i].end, end)
			if hi > lo {
				out[packageOf(funcs[i].name)] += int64(hi - lo) //nolint:gosec // within one page
			}
		}
	}
	return out
}

// packageOf returns the Go package a symbol belongs to: its path up to the
// first dot after the last slash ("net/http.(*Client).Do" is net/http).
// Symbols of no package ("go:func.*", "runtime.text") keep their name up
// to the first dot.
func packageOf(symbol string) string {
	name := symbol
	if open := strings.IndexAny(name, "(["); open >= 0 {
		name = name[:open] // receivers and type arguments hold dots and slashes
	}
	slash := strings.LastIndex(name, "/")
	if dot := strings.Index(name[slash+1:], "."); dot >= 0 {
		return symbol[:slash+1+dot]
	}
	return name
}

func sorted(m map[string]int64) []count {
	out := make([]count, 0, len(m))
	for name, bytes := range m {
		out = append(out, count{name, bytes})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].bytes != out[j].bytes {
			return out[i].bytes > out[j].bytes
		}
		return out[i].name < out[j].name
	})
	return out
}

func mib(bytes int64) float64 { return float64(bytes) / (1 << 20) }
