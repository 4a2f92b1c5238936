// Command conman-repl is an interactive client for trying pid1's services by
// hand, with the transcript syntax of the services document:
//
//	> chat { chatMessage: { username: "replbot", text: "hi" } }
//	upserted channel named chat
//	> .attach chat from listener
//	created new client named listener
//	(chat -> listener) { chatMessage: { username: "replbot", text: "hi" } }
//
// `SERVICE { ... }` sends a command on the channel named SERVICE, opening it
// with ATTACH_OR_CREATE first; `SERVICE from CLIENT { ... }` does the same as
// another client (a separate connection, created on first use). `.open`,
// `.attach`, `.close`, `.sleep` and `.help` manage channels. Incoming
// commands print as `(chat) { ... }` for the default client and
// `(chat -> listener) { ... }` for the others.
//
// With -url it connects to a running pid1; without, it starts pid1 in
// process on a temporary workspace. Interactive on a terminal (line editing
// and history), scripted otherwise or with -script.
package main
