// Package filestoragetest gives tests a component host with a real
// file_storage extension, for components that keep state across restarts.
package filestoragetest // import "github.com/elemta/otelcol-elemta/internal/filestoragetest"

import (
	"context"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensiontest"
)

// ID is the id of the extension the host offers.
var ID = component.MustNewID("file_storage")

type host struct {
	component.Host
	extensions map[component.ID]component.Component
}

func (h host) GetExtensions() map[component.ID]component.Component { return h.extensions }

// NewHost starts a file_storage extension keeping its files in dir, stopped
// when the test ends, and returns a host that offers it as ID. Two hosts on
// the same dir, one after the other, see the same stored state: a restart.
func NewHost(t testing.TB, dir string) component.Host {
	t.Helper()
	f := filestorage.NewFactory()
	cfg := f.CreateDefaultConfig().(*filestorage.Config)
	cfg.Directory = dir
	ext, err := f.Create(context.Background(), extension.Settings{
		ID:                ID,
		TelemetrySettings: extensiontest.NewNopSettings(f.Type()).TelemetrySettings,
		BuildInfo:         component.NewDefaultBuildInfo(),
	}, cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, ext.Shutdown(context.Background())) })
	return host{Host: componenttest.NewNopHost(), extensions: map[component.ID]component.Component{ID: ext}}
}
