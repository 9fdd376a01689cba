package scenarios

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"slices"

	"pgregory.net/rapid"
)

// boundarySizes are content sizes around the 512-byte sector and the
// 4 KiB page, where torn writes and partial pages hide.
var boundarySizes = []int{0, 1, 511, 512, 513, 1023, 1024, 1025, 4095, 4096, 4097, 8191, 8192, 8193}

// Size draws a content size from 0 to max: first a scale (up to 600 bytes,
// up to 8 KiB, or up to max, a third of the cases each, so that most cases
// stay cheap and some are large), then either a size at a boundary that
// straddles a 512-byte sector or a 4 KiB page (511, 512, 513, 4095, ...),
// where torn writes and partial pages hide, or any size. Both shrink
// directly: the boundary to a smaller boundary, the size towards 0, so a
// failure shrinks to the smallest size that shows it.
func Size(max int) *rapid.Generator[int] {
	return rapid.Custom(func(t *rapid.T) int {
		scales := []int{min(600, max), min(8193, max), max}
		top := scales[rapid.IntRange(0, len(scales)-1).Draw(t, "scale")]
		if rapid.Bool().Draw(t, "atBoundary") {
			n, _ := slices.BinarySearch(boundarySizes, top+1) // boundaries <= top
			return boundarySizes[rapid.IntRange(0, n-1).Draw(t, "boundary")]
		}
		return rapid.IntRange(0, top).Draw(t, "size")
	})
}

// Content draws a content of up to max bytes. Its bytes come from a small
// seed, so a 1 MiB content costs two draws, not a million, and shrinking
// spends no runs on bytes that rarely matter. tag makes two contents of one
// size and seed differ. A drawn Bytes is a []byte wherever one is wanted;
// rapid's log of the draw shows its size and first bytes.
func Content(max int, tag byte) *rapid.Generator[Bytes] {
	return rapid.Custom(func(t *rapid.T) Bytes {
		n := Size(max).Draw(t, "size")
		return fill(n, rapid.Uint64Range(0, 255).Draw(t, "seed"), tag)
	})
}

// Bytes is a drawn content. It converts to and from []byte freely (a
// Bytes can be passed wherever a []byte is); it exists for the way rapid
// prints a draw (%#v): as its size and first bytes, `12 bytes "new
// content\n"`, where a []byte would be dumped as a Go literal, byte by
// byte.
type Bytes []byte

// GoString describes b as reports describe contents: its size and its
// first 24 bytes, quoted.
func (b Bytes) GoString() string { return describeBytes(b[:min(len(b), prefixShown)], int64(len(b))) }

// prefixShown is how many leading bytes a report shows of a content.
const prefixShown = 24

// describeBytes describes a content of size bytes whose first bytes are
// prefix: `12 bytes "new content\n"`, with "..." when prefix is not all.
func describeBytes(prefix []byte, size int64) string {
	unit := "bytes"
	if size == 1 {
		unit = "byte"
	}
	s := fmt.Sprintf("%d %s %q", size, unit, prefix)
	if size > int64(len(prefix)) {
		s += "..."
	}
	return s
}

func fill(n int, seed uint64, tag byte) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, uint64(tag)))
	for i := 0; i < n; i += 8 {
		w := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(w >> (8 * j))
		}
	}
	if n > 0 {
		b[0] = tag // the same seed and size never give old == new
	}
	return b
}

// Perm draws a permission mode among the common ones, setuid and setgid
// included. rapid's log of the draw shows it in octal (mode: 4755).
func Perm() *rapid.Generator[Mode] {
	return rapid.SampledFrom([]Mode{0o644, 0o600, 0o640, 0o664, 0o755, 0o444, Mode(fs.ModeSetuid | 0o755), Mode(fs.ModeSetgid | 0o750)})
}

// Mode is a drawn file mode. It converts to and from fs.FileMode freely
// (fs.FileMode(m) wherever one is wanted); it exists for the way rapid
// prints a draw (%#v): in octal as reports print modes, 0644 or 4755,
// where an fs.FileMode would print as 0x1a4.
type Mode fs.FileMode

// String prints m as [Octal] does: 0644, 4755.
func (m Mode) String() string { return Octal(fs.FileMode(m)) }

// GoString prints m as [Mode.String] does, for rapid's log of a draw.
func (m Mode) GoString() string { return m.String() }
