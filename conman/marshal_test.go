package conman_test

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
)

func mustMarshal(t testing.TB, c *api.Command) []byte {
	t.Helper()
	b, err := proto.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
