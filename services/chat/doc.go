// Package chat is the multiplayer chat service (well-known channel name
// "chatter").
//
// Takes: chatMessage {username, text} and chatTyping {username, typing}.
// Both are relayed to every other attached session, never echoed to the
// sender. The username is always the sender's authenticated user name, so
// nobody can speak for someone else. The last 100 messages are kept and
// replayed, one chatMessage each, to every session that attaches.
//
// Concurrency: all state is touched only by the channel's actor.
package chat
