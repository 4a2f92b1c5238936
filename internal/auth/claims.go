package auth

import (
	"hash/fnv"
	"time"
)

// Claims is what a token says about its bearer.
type Claims struct {
	UserID   uint32
	UserName string
	CanWrite bool
	IssuedAt time.Time
	Expires  time.Time
}

// UserIDFor derives a stable, nonzero user id from a user name, so tokens
// minted for the same name on any machine carry the same id.
func UserIDFor(name string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(name))
	if id := h.Sum32(); id != 0 {
		return id
	}
	return 1
}
