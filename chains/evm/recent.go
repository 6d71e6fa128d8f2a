package evm

// recentValues remembers a value per id for the last max ids put, so that
// a sink's memory stays flat however many submissions it served: the oldest
// is forgotten first. The zero value is not usable; use newRecentValues.
type recentValues struct {
	max   int
	vals  map[string]uint64
	order []string // ring of ids in the order first put; next is the oldest once full
	next  int
}

func newRecentValues(max int) *recentValues {
	return &recentValues{max: max, vals: make(map[string]uint64, max)}
}

// put sets id's value, forgetting the oldest id when max are kept.
func (r *recentValues) put(id string, v uint64) {
	if _, ok := r.vals[id]; ok {
		r.vals[id] = v
		return
	}
	if len(r.order) < r.max {
		r.order = append(r.order, id)
	} else {
		delete(r.vals, r.order[r.next])
		r.order[r.next] = id
		r.next = (r.next + 1) % r.max
	}
	r.vals[id] = v
}

// get returns id's value, if it is still kept.
func (r *recentValues) get(id string) (uint64, bool) {
	v, ok := r.vals[id]
	return v, ok
}
