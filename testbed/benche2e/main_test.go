package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSelected(t *testing.T) {
	tests := []struct {
		name, only string
		want       bool
	}{
		{"otelcol-elemta, default config (durable)", "", true},
		{"otelcol-elemta, default config (durable)", "default config", true},
		{"lean stock contrib, defaults", "default config, lean stock", true},
		{"stock contrib, defaults", "default config,lean stock", false},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.only, func(t *testing.T) {
			assert.Equal(t, tt.want, selected(tt.name, tt.only))
		})
	}
}

func TestByRound(t *testing.T) {
	run := func(cpuSeconds float64) result {
		return result{lines: 1000, cpu: time.Duration(cpuSeconds * float64(time.Second))}
	}
	tests := []struct {
		name         string
		ours, anchor []result
		want         string
	}{
		{"no round", nil, nil, "–"},
		{"one round", []result{run(2)}, []result{run(1)}, "0.50×"},
		{
			// A slow round slows both: its ratio is like the others'.
			"rounds of different speeds",
			[]result{run(1), run(4), run(2)},
			[]result{run(1), run(4), run(1)},
			"1.00× (0.50–1.00)",
		},
		{"an even number of rounds", []result{run(1), run(2)}, []result{run(1), run(1)}, "0.75× (0.50–1.00)"},
		{"the anchor ran fewer rounds", []result{run(1), run(2), run(4)}, []result{run(2)}, "2.00×"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, byRound(tt.ours, tt.anchor, result.linesPerCPUSecond).String())
		})
	}
}
