package memorypolicyextension

import "go.opentelemetry.io/collector/component"

// hostWith is a host whose one extension is the policy.
type hostWith struct{ p *policy }

func (h hostWith) GetExtensions() map[component.ID]component.Component {
	return map[component.ID]component.Component{component.MustNewID("memory_policy"): h.p}
}

var _ component.Host = hostWith{}

// forced returns the number of collections the program forced so far.
func forced() uint64 { return read("/gc/cycles/forced:gc-cycles") }
