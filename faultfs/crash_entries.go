package faultfs

import "sort"

// entryTree is a directory's entries in a durable base: a persistent
// B+tree sorted by name, so that adding or removing one entry of a
// directory of n copies O(log n) small nodes, not the n entries, and
// every base before it keeps its own tree. A directory of at most
// entryLeafMax entries is one leaf: a sorted slice, as a snapshot holds it.
type entryTree struct {
	root *entryNode
}

const (
	entryLeafMax = 64 // entries in a leaf before it splits
	entryFanMax  = 32 // children of an inner node before it splits
)

// entryNode is a leaf (leaf, sorted) or an inner node: kids, and first[i]
// the smallest name under kids[i]. n counts the entries below.
type entryNode struct {
	leaf  []dirent
	kids  []*entryNode
	first []string
	n     int
}

// entryTreeOf returns a tree of the sorted entries e (which it does not
// keep: a tree never shares memory with a snapshot's slice).
func entryTreeOf(e []dirent) entryTree {
	if len(e) <= entryLeafMax {
		return entryTree{root: &entryNode{leaf: append([]dirent(nil), e...), n: len(e)}}
	}
	var level []*entryNode
	for lo := 0; lo < len(e); lo += entryLeafMax / 2 {
		hi := min(lo+entryLeafMax/2, len(e))
		level = append(level, &entryNode{leaf: append([]dirent(nil), e[lo:hi]...), n: hi - lo})
	}
	for len(level) > 1 {
		var up []*entryNode
		for lo := 0; lo < len(level); lo += entryFanMax / 2 {
			hi := min(lo+entryFanMax/2, len(level))
			up = append(up, innerOf(append([]*entryNode(nil), level[lo:hi]...)))
		}
		level = up
	}
	return entryTree{root: level[0]}
}

func innerOf(kids []*entryNode) *entryNode {
	n := &entryNode{kids: kids, first: make([]string, len(kids))}
	for i, k := range kids {
		n.first[i] = k.minName()
		n.n += k.n
	}
	return n
}

func (n *entryNode) minName() string {
	for n.leaf == nil && len(n.kids) > 0 {
		n = n.kids[0]
	}
	if len(n.leaf) == 0 {
		return ""
	}
	return n.leaf[0].name
}

// len returns the number of entries.
func (t entryTree) len() int {
	if t.root == nil {
		return 0
	}
	return t.root.n
}

// kid returns the index of the child of inner node n that holds name, if
// any does.
func (n *entryNode) kid(name string) int {
	i := sort.Search(len(n.first), func(i int) bool { return n.first[i] > name })
	return max(i-1, 0)
}

// get returns the inode name refers to.
func (t entryTree) get(name string) (uint64, bool) {
	n := t.root
	if n == nil {
		return 0, false
	}
	for n.leaf == nil {
		if len(n.kids) == 0 {
			return 0, false
		}
		n = n.kids[n.kid(name)]
	}
	if i, ok := findEntry(n.leaf, name); ok {
		return n.leaf[i].ino, true
	}
	return 0, false
}

// set returns t with name referring to ino.
func (t entryTree) set(name string, ino uint64) entryTree {
	if t.root == nil {
		return entryTree{root: &entryNode{leaf: []dirent{{name: name, ino: ino}}, n: 1}}
	}
	a, b := t.root.set(name, ino)
	if b != nil {
		return entryTree{root: innerOf([]*entryNode{a, b})}
	}
	return entryTree{root: a}
}

// set returns n with name set, and a second node when n had to split.
func (n *entryNode) set(name string, ino uint64) (*entryNode, *entryNode) {
	if n.leaf != nil || len(n.kids) == 0 {
		i, ok := findEntry(n.leaf, name)
		var e []dirent
		if ok {
			e = append([]dirent(nil), n.leaf...)
			e[i].ino = ino
		} else {
			e = make([]dirent, 0, len(n.leaf)+1)
			e = append(append(append(e, n.leaf[:i]...), dirent{name: name, ino: ino}), n.leaf[i:]...)
		}
		if len(e) <= entryLeafMax {
			return &entryNode{leaf: e, n: len(e)}, nil
		}
		h := len(e) / 2
		return &entryNode{leaf: e[:h:h], n: h}, &entryNode{leaf: e[h:], n: len(e) - h}
	}
	i := n.kid(name)
	a, b := n.kids[i].set(name, ino)
	kids := make([]*entryNode, 0, len(n.kids)+1)
	kids = append(append(kids, n.kids[:i]...), a)
	if b != nil {
		kids = append(kids, b)
	}
	kids = append(kids, n.kids[i+1:]...)
	if len(kids) <= entryFanMax {
		return innerOf(kids), nil
	}
	h := len(kids) / 2
	return innerOf(kids[:h:h]), innerOf(kids[h:])
}

// remove returns t without name.
func (t entryTree) remove(name string) entryTree {
	if t.root == nil {
		return t
	}
	r, ok := t.root.remove(name)
	if !ok {
		return t
	}
	for r != nil && r.leaf == nil && len(r.kids) == 1 {
		r = r.kids[0]
	}
	if r == nil || r.n == 0 {
		return entryTree{}
	}
	return entryTree{root: r}
}

// remove returns n without name (nil if it is left empty) and whether
// name was there. Nodes left small are not merged: a tree only grows
// shallower as its root loses children.
func (n *entryNode) remove(name string) (*entryNode, bool) {
	if n.leaf != nil || len(n.kids) == 0 {
		i, ok := findEntry(n.leaf, name)
		if !ok {
			return n, false
		}
		if len(n.leaf) == 1 {
			return nil, true
		}
		e := make([]dirent, 0, len(n.leaf)-1)
		e = append(append(e, n.leaf[:i]...), n.leaf[i+1:]...)
		return &entryNode{leaf: e, n: len(e)}, true
	}
	i := n.kid(name)
	k, ok := n.kids[i].remove(name)
	if !ok {
		return n, false
	}
	kids := make([]*entryNode, 0, len(n.kids))
	kids = append(kids, n.kids[:i]...)
	if k != nil {
		kids = append(kids, k)
	}
	kids = append(kids, n.kids[i+1:]...)
	if len(kids) == 0 {
		return nil, true
	}
	return innerOf(kids), true
}

// appendTo appends the entries, in name order, to e.
func (t entryTree) appendTo(e []dirent) []dirent {
	if t.root != nil {
		e = t.root.appendTo(e)
	}
	return e
}

func (n *entryNode) appendTo(e []dirent) []dirent {
	if n.leaf != nil || len(n.kids) == 0 {
		return append(e, n.leaf...)
	}
	for _, k := range n.kids {
		e = k.appendTo(e)
	}
	return e
}
