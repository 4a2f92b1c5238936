package conman

import (
	"fmt"
	"sync"
)

// budget bounds the bytes queued for clients across every session, and
// each user's share of them, so that clients that do not read (or read
// slowly) cannot make pid1 hold more memory than it may. Frames shared by
// several sessions are counted once per session: the count is an upper
// bound of what is held.
type budget struct {
	limit, userLimit int64

	mu    sync.Mutex
	total int64
	users map[uint32]int64
}

func newBudget(limit, userLimit int64) *budget {
	return &budget{limit: limit, userLimit: userLimit, users: make(map[uint32]int64)}
}

// reserve takes n bytes for user. Past the user's share it fails: the
// session asking is the one to cut off. Past the total it succeeds but
// reports over, so that the caller cuts off whoever holds the most (the
// budget is exceeded by at most a frame meanwhile).
func (b *budget) reserve(user uint32, n int64) (over bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if u := b.users[user]; u > 0 && u+n > b.userLimit {
		return false, fmt.Errorf("slow client: this user's sessions have %d MiB waiting to be read, over its share of pid1's memory (%d MiB)", u>>20, b.userLimit>>20)
	}
	b.users[user] += n
	b.total += n
	return b.total > b.limit, nil
}

// release gives back n bytes of user's.
func (b *budget) release(user uint32, n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.total -= n
	if b.users[user] -= n; b.users[user] <= 0 {
		delete(b.users, user)
	}
}
