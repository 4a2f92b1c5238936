package asy

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
)

// Hash is a file's SHA-256.
type Hash [sha256.Size]byte

// ParseHash reads a hash in hex (either case).
func ParseHash(s string) (Hash, error) {
	var h Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("hash %q is not a SHA-256 in hex (64 digits)", s)
	}
	copy(h[:], b)
	return h, nil
}

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// Cache keeps the contents of recently seen files by hash, for clients
// that restore them instead of sending them again. It holds at most its
// size in bytes, forgetting the least recently used first. It is safe
// for concurrent use.
type Cache struct {
	max int64

	mu    sync.Mutex
	size  int64
	order *list.List // of *cached, most recent first
	byKey map[Hash]*list.Element
}

type cached struct {
	hash Hash
	data []byte
}

// NewCache makes a cache of at most max bytes.
func NewCache(max int64) *Cache {
	return &Cache{max: max, order: list.New(), byKey: map[Hash]*list.Element{}}
}

// Put remembers data under its hash (which the caller has checked).
// Data larger than the whole cache is not kept.
func (c *Cache) Put(h Hash, data []byte) {
	if int64(len(data)) > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[h]; ok {
		c.order.MoveToFront(e)
		return
	}
	c.byKey[h] = c.order.PushFront(&cached{h, data})
	c.size += int64(len(data))
	for c.size > c.max {
		last := c.order.Back()
		x := last.Value.(*cached)
		c.order.Remove(last)
		delete(c.byKey, x.hash)
		c.size -= int64(len(x.data))
	}
}

// Get returns the contents of hash, if they are still there. The caller
// must not change them.
func (c *Cache) Get(h Hash) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[h]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cached).data, true
}

// Len and Size are how many files, and bytes, the cache holds.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byKey)
}

func (c *Cache) Size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

// hashOf is data's hash.
func hashOf(data []byte) Hash { return sha256.Sum256(data) }

// CheckHash says whether data is what hash (hex) names.
func CheckHash(hash string, data []byte) (Hash, error) {
	h, err := ParseHash(hash)
	if err != nil {
		return h, err
	}
	if got := hashOf(data); got != h {
		return h, fmt.Errorf("the contents' SHA-256 is %s, not %s", got, strings.ToLower(hash))
	}
	return h, nil
}
