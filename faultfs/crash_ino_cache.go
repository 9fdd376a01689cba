package faultfs

// inoCache maps inode numbers to values for one crash state: a short slice
// searched linearly (states of small trees touch a handful of inodes), and a
// map once it grows.
type inoCache[V any] struct {
	keys []uint64
	vals []V
	big  map[uint64]V
}

const inoCacheLinear = 16

func (c *inoCache[V]) get(ino uint64) (V, bool) {
	if c.big != nil {
		v, ok := c.big[ino]
		return v, ok
	}
	for i, k := range c.keys {
		if k == ino {
			return c.vals[i], true
		}
	}
	var zero V
	return zero, false
}

func (c *inoCache[V]) put(ino uint64, v V) {
	if c.big != nil {
		c.big[ino] = v
		return
	}
	c.keys = append(c.keys, ino)
	c.vals = append(c.vals, v)
	if len(c.keys) > inoCacheLinear {
		c.big = make(map[uint64]V, 2*len(c.keys))
		for i, k := range c.keys {
			c.big[k] = c.vals[i]
		}
	}
}

// each calls f with every inode and value put since the last reset.
func (c *inoCache[V]) each(f func(uint64, V)) {
	if c.big != nil {
		for k, v := range c.big {
			f(k, v)
		}
		return
	}
	for i, k := range c.keys {
		f(k, c.vals[i])
	}
}

func (c *inoCache[V]) reset() {
	c.keys = c.keys[:0]
	clear(c.vals)
	c.vals = c.vals[:0]
	c.big = nil
}
