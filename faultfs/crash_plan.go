package faultfs

import "slices"

// item is an operation, or a piece of a write, that a crash state at some
// point may apply: always (forced: made durable by an fsync before the crash
// point) or when the state keeps its unit.
type item struct {
	op     int32 // index in the history's log
	unit   int32 // the unit deciding it, or -1 when forced
	lo, hi int64 // writes: the part of the written data it covers
}

// plan is what a model makes of one crash point: the items a state may
// apply, in program order, and the units a state chooses among.
type plan struct {
	point  int
	base   *durableBase // the settled operations before the items, applied; nil: none
	items  []item
	units  int
	pieces [][2]int32 // per unit: its first and last item (a torn write has several units)

	dirItems  map[uint64][]int32 // directory ino -> its entry items
	fileItems map[uint64][]int32 // inode -> its data and attribute items

	// Made by prepare, once base is set: per directory with items, the
	// names they touch; and the nodes a state may change (crash_key.go).
	deltas map[uint64]*dirDelta
	aff    map[uint64]*affNode

	// ext4-ordered: metadata units in journal order, data units, and the
	// data units that a metadata unit flushes with it (auto_da_alloc).
	meta   []int32
	data   []int32
	attach map[int32][]int32
}

func (p *plan) addForced(h *History, i int) {
	p.items = append(p.items, item{op: int32(i), unit: -1, hi: int64(len(h.ops[i].data))})
}

// addUnit adds op i (or the part [lo, hi) of its data) as a new unit.
func (p *plan) addUnit(i int, lo, hi int64) int32 {
	u := int32(p.units)
	p.units++
	p.items = append(p.items, item{op: int32(i), unit: u, lo: lo, hi: hi})
	p.pieces = append(p.pieces, [2]int32{int32(len(p.items) - 1), int32(len(p.items) - 1)})
	return u
}

// index builds the per-directory and per-inode item lists.
func (p *plan) index(h *History) {
	p.dirItems = map[uint64][]int32{}
	p.fileItems = map[uint64][]int32{}
	for j, it := range p.items {
		o := &h.ops[it.op]
		k := o.op.Kind
		switch {
		case isEntryOp(k):
			p.dirItems[o.dir] = append(p.dirItems[o.dir], int32(j))
			if k == OpRename && o.dir2 != o.dir {
				p.dirItems[o.dir2] = append(p.dirItems[o.dir2], int32(j))
			}
		case isDataOp(k) || isAttrOp(k):
			p.fileItems[o.ino] = append(p.fileItems[o.ino], int32(j))
		}
	}
}

// dirDelta is what a plan's entry items may change in one directory: the
// names they touch, sorted, the inode each names in the reference (0:
// none), and the items' effects in program order.
type dirDelta struct {
	names []string
	ref   []uint64
	steps []deltaStep
}

// deltaStep is an entry item's effect on one directory: it removes names[rm]
// if that still names its inode, then makes names[set] name it (-1: no
// such half).
type deltaStep struct {
	item    int32
	rm, set int32
}

// prepare makes the plan's directory deltas and affected nodes against
// its reference (its base, or the state at the start).
func (p *plan) prepare(h *History) {
	ref := keyRef{h: h, b: p.base}
	p.deltas = make(map[uint64]*dirDelta, len(p.dirItems))
	touched := make(map[uint64]*affNode, len(p.dirItems)+len(p.fileItems))
	for dir, items := range p.dirItems {
		d := &dirDelta{}
		for _, j := range items {
			o := &h.ops[p.items[j].op]
			if o.op.Kind != OpRename || o.dir == dir {
				d.names = append(d.names, o.name)
			}
			if o.op.Kind == OpRename && o.dir2 == dir {
				d.names = append(d.names, o.name2)
			}
		}
		slices.Sort(d.names)
		d.names = slices.Compact(d.names)
		idx := func(name string) int32 {
			i, _ := slices.BinarySearch(d.names, name)
			return int32(i)
		}
		for _, j := range items {
			o := &h.ops[p.items[j].op]
			st := deltaStep{item: j, rm: -1, set: -1}
			switch o.op.Kind {
			case OpRemove, OpRmdir:
				st.rm = idx(o.name)
			case OpRename:
				if o.dir == dir {
					st.rm = idx(o.name)
				}
				if o.dir2 == dir {
					st.set = idx(o.name2)
				}
			default:
				st.set = idx(o.name)
			}
			d.steps = append(d.steps, st)
		}
		d.ref = make([]uint64, len(d.names))
		for i, name := range d.names {
			d.ref[i], _ = ref.child(dir, name)
		}
		p.deltas[dir] = d
		touched[dir] = &affNode{names: d.names}
	}
	for ino := range p.fileItems {
		if touched[ino] == nil {
			touched[ino] = &affNode{}
		}
	}
	p.aff = ref.affectedBy(touched)
}
