package client_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/conman"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/services/chat"
)

// Two clients chat through the shared channel "chatter".
func Example() {
	hub := conman.New(conman.Config{
		Registry: services.NewRegistry(chat.Descriptor),
		Authenticate: func(token string) (services.User, error) {
			return services.User{ID: 1, Name: token}, nil // a real pid1 verifies a signed token
		},
	})
	srv := httptest.NewServer(hub.Handler())
	defer srv.Close()
	defer hub.Shutdown(context.Background())
	base := "ws" + strings.TrimPrefix(srv.URL, "http") + "/wsv2/"
	ctx := context.Background()

	alice, _ := client.Dial(ctx, base+"alice", nil)
	defer alice.Close()
	bob, _ := client.Dial(ctx, base+"bob", nil)
	defer bob.Close()

	a, _ := alice.Open(ctx, "chat", "chatter", api.OpenChannel_ATTACH_OR_CREATE)
	b, _ := bob.Open(ctx, "chat", "chatter", api.OpenChannel_ATTACH_OR_CREATE)
	fmt.Println(a.State, b.State, a.ID == b.ID)

	a.Send(ctx, &api.Command{Body: &api.Command_ChatMessage{ChatMessage: &api.ChatMessage{Text: "hi bob"}}})
	m := (<-b.Stream()).GetChatMessage()
	fmt.Printf("%s: %s\n", m.Username, m.Text)
	// Output:
	// CREATED ATTACHED true
	// alice: hi bob
}
