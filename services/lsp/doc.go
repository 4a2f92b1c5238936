// Package lsp is the lsp service: a language server for the workspace,
// relayed over a channel.
//
// Creating an lsp channel starts the workspace's server: the one its
// .replit names ([languages.ID.languageServer] start), else the one pid1
// knows for its language (pylsp for Python, gopls for Go,
// typescript-language-server for JavaScript and TypeScript, clangd for
// C). `startLSP { language, languageServerId }` picks one explicitly,
// replacing a different one. The server runs in the workspace as the
// workspace's user, through the reaper.
//
// The server's stdout is read message by message (base protocol:
// headers, a blank line, Content-Length bytes) and each message is
// broadcast as one `output`, header included and intact, in order. What a
// client sends as `input` goes to the server's stdin: a message's JSON
// content alone is framed with a Content-Length header; raw protocol
// bytes (a header, then content, cut anywhere) pass through as they are.
// An input with a ref is answered `ok`. The server's stderr is logged.
//
// When the server starts, the channel gets `state: Running`; when it
// ends, `state: Stopped`; a session that joins gets the current state. A server that dies (rather than exiting after
// the client's exit notification) is started again after a delay that
// doubles while it keeps dying young; a fresh server needs the client's
// initialize again. Closing the channel kills it.
//
// # Concurrency
//
// The service's fields are used on the channel's actor. Each server has
// three goroutines the channel owns: one relays its messages (posting
// each to the actor and waiting, so output keeps its order and a flood is
// paced), one logs its stderr and one writes its input.
package lsp
