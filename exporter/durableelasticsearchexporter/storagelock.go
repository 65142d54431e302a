package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"

import (
	"context"
	"errors"
	"fmt"

	bolterrors "go.etcd.io/bbolt/errors"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pipeline"
)

// checkQueueStorage opens and closes the persistent queue's storage before
// the queue does, to turn file_storage's bare "timeout" (its database is
// locked by another process) into an error that says what is wrong.
func checkQueueStorage(ctx context.Context, host component.Host, cfg *Config, id component.ID) error {
	if !hasStorage(cfg) {
		return nil
	}
	storageID := *cfg.QueueConfig.Get().StorageID
	ext, ok := host.GetExtensions()[storageID]
	if !ok {
		return fmt.Errorf("sending_queue::storage: no extension %q; add it to the extensions and to service::extensions", storageID)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return fmt.Errorf("sending_queue::storage: %q is not a storage extension; use file_storage", storageID)
	}
	client, err := se.GetClient(ctx, component.KindExporter, id, pipeline.SignalLogs.String())
	if errors.Is(err, bolterrors.ErrTimeout) {
		return fmt.Errorf("sending_queue::storage: the storage directory of %q is in use by another collector "+
			"(its queue file is locked); stop the other otelcol-elemta or give each its own directory (OTELCOL_ELEMTA_STORAGE)", storageID)
	}
	if err != nil {
		return fmt.Errorf("sending_queue::storage: %w", err)
	}
	return client.Close(ctx)
}
