package evm

import "container/list"

// recentValues remembers a value per id until the id is forgotten, keeping
// at most max: when full, the oldest id put is forgotten first. A sink puts
// a mint's gross value when it builds or submits the mint and forgets it
// once it reports the mint done, so what it holds is the mints in flight,
// not every mint it ever served. The zero value is not usable; use
// newRecentValues.
type recentValues struct {
	max   int
	vals  map[string]*list.Element // id → its element of order
	order *list.List               // of *recentValue, the oldest first
}

type recentValue struct {
	id string
	v  uint64
}

func newRecentValues(max int) *recentValues {
	return &recentValues{max: max, vals: map[string]*list.Element{}, order: list.New()}
}

// put sets id's value, forgetting the oldest id when max are kept.
func (r *recentValues) put(id string, v uint64) {
	if e, ok := r.vals[id]; ok {
		e.Value.(*recentValue).v = v
		return
	}
	if r.order.Len() >= r.max {
		oldest := r.order.Front()
		delete(r.vals, oldest.Value.(*recentValue).id)
		r.order.Remove(oldest)
	}
	r.vals[id] = r.order.PushBack(&recentValue{id: id, v: v})
}

// get returns id's value, if it is still kept.
func (r *recentValues) get(id string) (uint64, bool) {
	e, ok := r.vals[id]
	if !ok {
		return 0, false
	}
	return e.Value.(*recentValue).v, true
}

// forget drops id's value.
func (r *recentValues) forget(id string) {
	if e, ok := r.vals[id]; ok {
		delete(r.vals, id)
		r.order.Remove(e)
	}
}

// len is the number of ids kept.
func (r *recentValues) len() int { return r.order.Len() }
