package main

import (
	"bytes"
	"debug/elf"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPackageOf(t *testing.T) {
	tests := []struct{ symbol, want string }{
		{"net/http.(*Client).Do", "net/http"},
		{"runtime.mallocgc", "runtime"},
		{"github.com/elemta/otelcol-elemta/receiver/elemtareceiver.(*lineBatch).add", "github.com/elemta/otelcol-elemta/receiver/elemtareceiver"},
		{"gopkg.in/yaml%2ev3.(*parser).parse", "gopkg.in/yaml%2ev3"},
		{"slices.SortFunc[go.shape.string]", "slices"},
		{"github.com/a/b.(*T[github.com/c/d.X]).m", "github.com/a/b"},
		{"go:func.*", "go:func"},
		{"main.main", "main"},
		{"runtime", "runtime"},
	}
	for _, tt := range tests {
		t.Run(tt.symbol, func(t *testing.T) {
			assert.Equal(t, tt.want, packageOf(tt.symbol))
		})
	}
}

func TestModuleOf(t *testing.T) {
	modules := []string{
		"github.com/elemta/otelcol-elemta",
		"go.opentelemetry.io/collector/pdata",
		"go.opentelemetry.io/collector/pdata/pprofile",
		"github.com/twmb/franz-go",
		"github.com/twmb/franz-go/pkg/kmsg",
	}
	tests := []struct{ pkg, want string }{
		{"github.com/elemta/otelcol-elemta/receiver/elemtareceiver", "github.com/elemta/otelcol-elemta"},
		{"go.opentelemetry.io/collector/pdata/internal", "go.opentelemetry.io/collector/pdata"},
		{"go.opentelemetry.io/collector/pdata/pprofile", "go.opentelemetry.io/collector/pdata/pprofile"},
		{"github.com/twmb/franz-go/pkg/kmsg", "github.com/twmb/franz-go/pkg/kmsg"},
		{"github.com/twmb/franz-go/pkg/kgo", "github.com/twmb/franz-go"},
		{"github.com/twmb/franz-goo/x", "other"},
		{"net/http", "std"},
		{"runtime", "std"},
		{"vendor/golang.org/x/net/http2/hpack", "std"},
		{"go:func", "other"},
		{"type:.eq.github.com/a/b", "other"},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			assert.Equal(t, tt.want, moduleOf(tt.pkg, modules))
		})
	}
}

func TestBySection(t *testing.T) {
	sections := []*elf.Section{
		{SectionHeader: elf.SectionHeader{Name: ".text", Flags: elf.SHF_ALLOC | elf.SHF_EXECINSTR, Addr: 0x1000, Size: 0x2800}},
		{SectionHeader: elf.SectionHeader{Name: ".rodata", Flags: elf.SHF_ALLOC, Addr: 0x3800, Size: 0x1000}},
		{SectionHeader: elf.SectionHeader{Name: ".debug", Addr: 0, Size: 0x9000}},
	}
	// 0x3000 holds the end of .text (a page shared with .rodata's start):
	// charged to the first section found.
	got := bySection(sections, []uint64{0x1000, 0x2000, 0x3000, 0x4000, 0x8000})
	assert.Equal(t, map[string]int64{".text": 3 * pageSize, ".rodata": pageSize}, got)
}

func TestByPackage(t *testing.T) {
	funcs := []function{
		{name: "b.(*T).m", entry: 0x1800, end: 0x2800},
		{name: "a.f", entry: 0x1000, end: 0x1800},
		{name: "c.g", entry: 0x3000, end: 0x3100},
	}
	// The page at 0x1000 holds a.f and half of b's method; 0x2000 the rest.
	got := byPackage(funcs, []uint64{0x1000, 0x2000})
	assert.Equal(t, map[string]int64{"a": 0x800, "b": 0x1000}, got)
}

// The test binary (stripped, as go test links it) looks at its own pages:
// its runtime and its tests run from resident pages.
func TestReportOnItself(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, report(&out, os.Getpid(), 1000))
	assert.Contains(t, out.String(), "resident pages of the executable: ")
	assert.Regexp(t, `MiB  \.text\n`, out.String())
	assert.Regexp(t, `KiB  runtime\n`, out.String())
	assert.Regexp(t, `KiB  testing\n`, out.String())
	assert.Regexp(t, `code \(\.text\) by module[^\n]*\n[^\n]*KiB  std\n`, out.String())
}
