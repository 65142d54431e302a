package main

import (
	"testing"

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
