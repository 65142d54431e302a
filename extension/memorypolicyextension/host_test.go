package memorypolicyextension

import "go.opentelemetry.io/collector/component"

// hostWith is a host whose one extension is the policy.
type hostWith struct{ p *policy }

func (h hostWith) GetExtensions() map[component.ID]component.Component {
	return map[component.ID]component.Component{component.MustNewID("memory_policy"): h.p}
}

var _ component.Host = hostWith{}

// cycles returns the number of collections the runtime completed so far.
func cycles() uint64 { return read("/gc/cycles/total:gc-cycles") }
