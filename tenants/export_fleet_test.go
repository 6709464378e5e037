package tenants

// CommuneReads is the number of registry rows read by slug so far.
func CommuneReads(r *Registry) int64 { return r.communeReads.Load() }
