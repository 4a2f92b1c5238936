package middleware_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/conman"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/middleware"
	"github.com/pid1/pid1/services/chat"
	"github.com/pid1/pid1/test/kit/testutil"
)

// A chat wrapped in Log, driven through a real hub and client, leaves one
// record per event with the session, user and body.
func TestLogRecordsEvents(t *testing.T) {
	logs := &testutil.Buffer{}
	logged := chat.Descriptor
	logged.New = services.Chain(chat.New, middleware.Log)
	h := conman.New(conman.Config{
		Registry: services.NewRegistry(logged),
		Logger:   slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Authenticate: func(tok string) (services.User, error) {
			return services.User{ID: 7, Name: tok, CanWrite: true}, nil
		},
	})
	srv := httptest.NewServer(h.Handler())
	defer srv.Close()
	defer h.Shutdown(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/wsv2/ada", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ch, err := c.Open(ctx, "chat", "chatter", api.OpenChannel_CREATE)
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Send(ctx, &api.Command{Body: &api.Command_ChatMessage{ChatMessage: &api.ChatMessage{Text: "hi"}}}); err != nil {
		t.Fatal(err)
	}
	reply, err := ch.Request(ctx, &api.Command{Ref: "r9", Body: &api.Command_Exec{Exec: &api.Exec{}}})
	if err != nil || reply.GetError() == "" {
		t.Fatalf("exec on chat: %v %v", reply, err)
	}
	if _, err := ch.Close(ctx, api.CloseChannel_DISCONNECT); err != nil {
		t.Fatal(err)
	}

	want := []string{
		`level=DEBUG msg=attach channel=1 service=chat name=chatter from.session=2 from.user=ada`,
		`level=DEBUG msg=command channel=1 service=chat name=chatter from.session=2 from.user=ada body=chatMessage`,
		`level=INFO msg="command refused" channel=1 service=chat name=chatter from.session=2 from.user=ada body=exec ref=r9`,
		`err="chat takes chatMessage and chatTyping, not exec"`,
		`level=DEBUG msg=detach channel=1 service=chat name=chatter from.session=2 from.user=ada`,
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, w := range want {
		for !strings.Contains(logs.String(), w) {
			if time.Now().After(deadline) {
				t.Fatalf("no log line containing\n  %s\nin\n%s", w, logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
