// Package msgpack reads and writes the small part of MessagePack that the
// execution engines' wire protocols use.
//
// Reader is strict and meant for untrusted input: it never allocates
// more than the input holds (a header that claims more elements than
// bytes remain is an error), nests at most MaxDepth deep when skipping,
// and names what it found and what it wanted in every error. The Append
// functions write the shortest encoding of each value, as other
// MessagePack libraries do.
//
// A Reader is not safe for concurrent use; the Append functions are pure.
package msgpack
