package scenarios

import (
	"io/fs"
	"math/rand/v2"

	"pgregory.net/rapid"
)

// boundarySizes are content sizes around the 512-byte sector and the
// 4 KiB page, where torn writes and partial pages hide.
var boundarySizes = []int{0, 1, 511, 512, 513, 1023, 1024, 1025, 4095, 4096, 4097, 8191, 8192, 8193}

// Size draws a content size from 0 to max, favouring sizes that straddle
// 512-byte and 4 KiB boundaries; it shrinks towards 0.
func Size(max int) *rapid.Generator[int] {
	var near []int
	for _, s := range boundarySizes {
		if s <= max {
			near = append(near, s)
		}
	}
	return rapid.OneOf(
		rapid.IntRange(0, min(max, 600)),
		rapid.SampledFrom(near),
		rapid.IntRange(0, max),
	)
}

// Content draws a content of up to max bytes. Its bytes come from a seeded
// generator, so a 1 MiB content costs one draw, not a million, and shrinks
// by size and seed. tag makes two contents of one size differ.
func Content(max int, tag byte) *rapid.Generator[[]byte] {
	return rapid.Custom(func(t *rapid.T) []byte {
		n := Size(max).Draw(t, "size")
		seed := rapid.Uint64().Draw(t, "seed")
		return fill(n, seed, tag)
	})
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

// Perm draws a permission mode among the common ones.
func Perm() *rapid.Generator[fs.FileMode] {
	return rapid.SampledFrom([]fs.FileMode{0o644, 0o600, 0o640, 0o664, 0o755, 0o444, 0o4755})
}
