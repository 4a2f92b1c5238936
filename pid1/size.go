package main

import (
	"fmt"
	"strconv"
	"strings"
)

// size is a flag of a number of bytes, written as README writes sizes:
// 16777216, 16MiB, 512KiB, 1GiB (or KB, MB, GB, K, M, G, the same powers
// of two).
type size int64

var units = []struct {
	suffix string
	shift  uint
}{{"gib", 30}, {"mib", 20}, {"kib", 10}, {"gb", 30}, {"mb", 20}, {"kb", 10}, {"g", 30}, {"m", 20}, {"k", 10}, {"b", 0}}

func (s *size) Set(v string) error {
	t := strings.ToLower(strings.TrimSpace(v))
	shift := uint(0)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, shift = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.shift
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)>>shift {
		return fmt.Errorf("%q is not a size: write bytes, or a number with KiB, MiB or GiB", v)
	}
	*s = size(n << shift)
	return nil
}

func (s *size) String() string {
	n := int64(*s)
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return strconv.FormatInt(n, 10)
}
