// Package recordroom sizes a record's attribute list once for its whole
// way through the pipeline: the elemta receiver reserves, after a line's
// own fields, the room the smtpevent processor fills, so that the list is
// allocated once. The processor's tests hold it to what it adds.
package recordroom // import "github.com/elemta/otelcol-elemta/internal/recordroom"

// AttributesAdded is room for what the smtpevent processor adds to a
// record: flow, outcome, category, reasons, session context, domains and,
// with GeoIP on, the client's and the delivery host's places. Elemta's own
// lines get 12 at most (8 on average). A record that gets more grows once
// more.
const AttributesAdded = 12
