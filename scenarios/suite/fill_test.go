package suite

import "math/rand/v2"

// fill returns n bytes from seed, the first of them tag: fixed, readable
// inputs for the tests that need one case rather than drawn ones (the
// same bytes scenarios.Content draws for that size and seed).
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
		b[0] = tag
	}
	return b
}
