package faultfs

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"io/fs"
	"math/bits"
	"sync"
	"unsafe"
)

// The hashes of the two key flavours (crash_key.go): a fast 128-bit mixer
// for identity keys, SHA-256 for content keys. Each node kind and each
// entry is hashed with a tag of its own, so that no two kinds of record
// can hash alike.

// entryKey is the hash of a directory entry: its name and the key of the
// node it names.
func (k *keyer) entryKey(name string, child treeKey) treeKey {
	if k.fl == identityKeys {
		h := newHasher()
		h.str(name)
		h.word(child[0])
		h.word(child[1])
		return h.sum128()
	}
	b := append(k.buf[:0], 'e')
	b = binary.LittleEndian.AppendUint64(b, uint64(len(name)))
	b = append(b, name...)
	b = appendKey(b, child)
	k.buf = b
	return keyOfSum(sha256.Sum256(b))
}

// dirKey is a directory's key: its attributes and the sum of its entries.
func (k *keyer) dirKey(mode fs.FileMode, uid, gid int, sum treeKey) treeKey {
	if k.fl == identityKeys {
		h := newHasher()
		h.word(uint64(mode) | 1<<40)
		h.word(ownerWord(uid, gid))
		h.word(sum[0])
		h.word(sum[1])
		return h.sum128()
	}
	b := appendAttrs(append(k.buf[:0], 'd'), mode, uid, gid)
	b = appendKey(b, sum)
	k.buf = b
	return keyOfSum(sha256.Sum256(b))
}

// linkKey is a symbolic link's key. Its identity key is its target alone
// (a crash state does not vary a link's attributes).
func (k *keyer) linkKey(mode fs.FileMode, uid, gid int, target string) treeKey {
	if k.fl == identityKeys {
		h := newHasher()
		h.word(2 << 40)
		h.str(target)
		return h.sum128()
	}
	b := appendAttrs(append(k.buf[:0], 'l'), mode, uid, gid)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(target)))
	b = append(b, target...)
	k.buf = b
	return keyOfSum(sha256.Sum256(b))
}

// fileKey is the key of any other inode (regular files, device nodes,
// FIFOs, sockets' names): mode (with the type), owner and content. Its
// identity key has the inode number and the runs of memory the content is
// made of; its content key, the bytes, as the hashes of 64 KiB blocks.
func (k *keyer) fileKey(ino uint64, mode fs.FileMode, uid, gid int, c Content) treeKey {
	if k.fl == identityKeys {
		h := newHasher()
		h.word(ino)
		h.word(uint64(mode) | 3<<40)
		h.word(ownerWord(uid, gid))
		h.word(uint64(c.size))
		for _, e := range c.ext {
			if e.data == nil {
				h.word(0)
				h.word(uint64(e.zeros))
			} else {
				h.word(uint64(uintptr(unsafe.Pointer(unsafe.SliceData(e.data)))))
				h.word(uint64(len(e.data)))
			}
		}
		return h.sum128()
	}
	b := appendAttrs(append(k.buf[:0], 'f'), mode, uid, gid)
	b = binary.LittleEndian.AppendUint64(b, uint64(c.size))
	b = k.h.keys.blocks.appendHashes(b, c)
	k.buf = b
	return keyOfSum(sha256.Sum256(b))
}

func ownerWord(uid, gid int) uint64 { return uint64(uid)<<32 | uint64(uint32(gid)) }

func appendAttrs(b []byte, mode fs.FileMode, uid, gid int) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(mode))
	return binary.LittleEndian.AppendUint64(b, ownerWord(uid, gid))
}

func appendKey(b []byte, k treeKey) []byte {
	for _, w := range k {
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	return b
}

func keyOfSum(s [sha256.Size]byte) treeKey {
	var k treeKey
	for i := range k {
		k[i] = binary.LittleEndian.Uint64(s[8*i:])
	}
	return k
}

// newHasher returns a hasher (crash_enum.go) at its fixed seed.
func newHasher() hasher { return hasher{a: 0x243f6a8885a308d3, b: 0x13198a2e03707344} }

// sum128 finishes a hash: each lane through a finaliser that makes every
// bit depend on every input bit, so that sums of entry hashes behave as
// sums of random values.
func (h *hasher) sum128() treeKey {
	a := fmix64(h.a ^ bits.RotateLeft64(h.b, 32))
	b := fmix64(h.b + a)
	return treeKey{a, b}
}

// fmix64 is MurmurHash3's 64-bit finaliser.
func fmix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// contentBlock is the size of the blocks a file's content key hashes.
const contentBlock = 64 << 10

// blockHashes caches the SHA-256 of content blocks by the memory they are
// made of. A history's file data is immutable and lives as long as the
// history (the snapshot's and the logged writes'), so the address and
// length of a run name its bytes for good: each block is hashed once per
// history, however many states hold it.
type blockHashes struct {
	mu    sync.Mutex
	one   map[blockRun][sha256.Size]byte // a block of one run (p 0: zeros)
	many  map[string][sha256.Size]byte   // a block of several runs: their blockRuns
	sha   hash.Hash
	parts []extent
	key   []byte
}

type blockRun struct {
	p uintptr
	n int64
}

func runOf(e extent) blockRun {
	if e.data == nil {
		return blockRun{n: e.zeros}
	}
	return blockRun{p: uintptr(unsafe.Pointer(unsafe.SliceData(e.data))), n: int64(len(e.data))}
}

var zeroBlock [contentBlock]byte

// appendHashes appends the hash of each contentBlock-sized block of c, at
// file offsets 0, contentBlock, ..., to b.
func (bh *blockHashes) appendHashes(b []byte, c Content) []byte {
	bh.mu.Lock()
	defer bh.mu.Unlock()
	i, off := 0, int64(0) // the run the next block starts in, and where in it
	for lo := int64(0); lo < c.size; lo += contentBlock {
		hi := min(lo+contentBlock, c.size)
		bh.parts = bh.parts[:0]
		for pos := lo; pos < hi; {
			e := c.ext[i]
			n := min(e.len()-off, hi-pos)
			if n > 0 {
				bh.parts = append(bh.parts, e.slice(off, off+n))
			}
			off += n
			pos += n
			if off == e.len() {
				i, off = i+1, 0
			}
		}
		sum := bh.block(bh.parts)
		b = append(b, sum[:]...)
	}
	return b
}

// block returns the hash of the bytes of parts, from the cache if it can.
func (bh *blockHashes) block(parts []extent) [sha256.Size]byte {
	if len(parts) == 1 {
		r := runOf(parts[0])
		if s, ok := bh.one[r]; ok {
			return s
		}
		s := bh.hash(parts)
		if bh.one == nil {
			bh.one = map[blockRun][sha256.Size]byte{}
		}
		bh.one[r] = s
		return s
	}
	bh.key = bh.key[:0]
	for _, e := range parts {
		r := runOf(e)
		bh.key = binary.LittleEndian.AppendUint64(bh.key, uint64(r.p))
		bh.key = binary.LittleEndian.AppendUint64(bh.key, uint64(r.n))
	}
	if s, ok := bh.many[string(bh.key)]; ok {
		return s
	}
	s := bh.hash(parts)
	if bh.many == nil {
		bh.many = map[string][sha256.Size]byte{}
	}
	bh.many[string(bh.key)] = s
	return s
}

func (bh *blockHashes) hash(parts []extent) [sha256.Size]byte {
	if bh.sha == nil {
		bh.sha = sha256.New()
	}
	bh.sha.Reset()
	for _, e := range parts {
		if e.data != nil {
			bh.sha.Write(e.data)
		} else {
			bh.sha.Write(zeroBlock[:e.zeros])
		}
	}
	var s [sha256.Size]byte
	bh.sha.Sum(s[:0])
	return s
}
