package literal

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// suggest offers the field name nearest to a mistyped key, or lists the
// fields of a small message.
func suggest(md protoreflect.MessageDescriptor, key string) string {
	fields := md.Fields()
	best, bestDist := "", len(key)/3+1
	var names []string
	for i := range fields.Len() {
		name := fields.Get(i).JSONName()
		names = append(names, name)
		if d := distance(strings.ToLower(key), strings.ToLower(name)); d < bestDist {
			best, bestDist = name, d
		}
	}
	switch {
	case best != "":
		return fmt.Sprintf("; did you mean %q?", best)
	case len(names) == 0:
		return " (it has no fields; write {})"
	case len(names) <= 8:
		return " (fields: " + strings.Join(names, ", ") + ")"
	}
	return ""
}

// distance is the Levenshtein edit distance between a and b.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20 // too long to be a typo worth suggesting for
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
