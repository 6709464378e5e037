package tenants

// PauseNode stops the node's renewals, as a node frozen (a long pause, a
// lost network) would: its leases run out while it still has its files
// open.
func PauseNode(r *Registry) { r.nodes.halt() }
