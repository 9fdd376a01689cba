package faultfs

// inoTable is a persistent map from inode numbers to values: set returns a
// new table and leaves the old one as it was, sharing all but the path to
// the changed slot. The durable bases (crash_base.go) are chains of such
// tables, each a few operations on from the last, so that advancing a base
// costs what the operations touch, not the number of inodes.
//
// It is a radix trie on the inode number, tableFan ways per level: Mem
// numbers inodes from 1 in order, so the trie is dense and shallow (five
// levels for a million inodes).
type inoTable[V any] struct {
	root  *tableNode[V]
	depth uint // levels above the leaves: the root covers inode numbers below tableFan<<(depth*tableBits)
	n     int
}

const (
	tableBits = 4
	tableFan  = 1 << tableBits
)

// tableNode is an inner node (kids) or a leaf (vals, has).
type tableNode[V any] struct {
	kids []*tableNode[V]
	vals []V
	has  uint16 // leaf: which vals are set
}

// get returns the value of ino and whether it is set.
func (t inoTable[V]) get(ino uint64) (V, bool) {
	var zero V
	n := t.root
	if n == nil || ino>>((t.depth+1)*tableBits) != 0 {
		return zero, false
	}
	for d := t.depth; d > 0; d-- {
		n = n.kids[(ino>>(d*tableBits))&(tableFan-1)]
		if n == nil {
			return zero, false
		}
	}
	i := ino & (tableFan - 1)
	if n.has&(1<<i) == 0 {
		return zero, false
	}
	return n.vals[i], true
}

// len returns the number of inodes set.
func (t inoTable[V]) len() int { return t.n }

// set returns t with ino set to v.
func (t inoTable[V]) set(ino uint64, v V) inoTable[V] {
	if t.root == nil {
		t.root = &tableNode[V]{vals: make([]V, tableFan)}
	}
	for ino>>((t.depth+1)*tableBits) != 0 { // grow a level on top
		kids := make([]*tableNode[V], tableFan)
		kids[0] = t.root
		t.root = &tableNode[V]{kids: kids}
		t.depth++
	}
	var added bool
	t.root, added = t.root.set(ino, v, t.depth)
	if added {
		t.n++
	}
	return t
}

func (n *tableNode[V]) set(ino uint64, v V, depth uint) (*tableNode[V], bool) {
	if depth == 0 {
		c := &tableNode[V]{vals: make([]V, tableFan), has: n.has}
		copy(c.vals, n.vals)
		i := ino & (tableFan - 1)
		added := c.has&(1<<i) == 0
		c.vals[i] = v
		c.has |= 1 << i
		return c, added
	}
	c := &tableNode[V]{kids: make([]*tableNode[V], tableFan)}
	copy(c.kids, n.kids)
	i := (ino >> (depth * tableBits)) & (tableFan - 1)
	kid := c.kids[i]
	if kid == nil {
		kid = &tableNode[V]{}
		if depth == 1 {
			kid.vals = make([]V, tableFan)
		} else {
			kid.kids = make([]*tableNode[V], tableFan)
		}
	}
	var added bool
	c.kids[i], added = kid.set(ino, v, depth-1)
	return c, added
}

// each calls f with every inode set and its value, in inode order.
func (t inoTable[V]) each(f func(ino uint64, v V)) {
	if t.root != nil {
		t.root.each(0, t.depth, f)
	}
}

func (n *tableNode[V]) each(prefix uint64, depth uint, f func(uint64, V)) {
	if depth == 0 {
		for i := range n.vals {
			if n.has&(1<<i) != 0 {
				f(prefix|uint64(i), n.vals[i])
			}
		}
		return
	}
	for i, k := range n.kids {
		if k != nil {
			k.each(prefix|uint64(i)<<(depth*tableBits), depth-1, f)
		}
	}
}
