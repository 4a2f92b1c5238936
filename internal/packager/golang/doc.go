// Package golang is the packager's backend for Go: go.mod and go.sum,
// changed by the go command (go mod init, go get, go get PATH@none, go mod
// tidy, go mod download), never by pid1. Modules go to the go command's
// module cache, from the proxy GOPROXY names (the workspace's environment
// or `go env -w`).
//
// The module proxy protocol has no search, so Search fails with an error
// that says so (not an empty list that would read as "nothing found").
// Info asks the go command for the module's latest version (`go list -m
// -json PATH@latest`, which honours GOPROXY, GONOSUMDB, GOPRIVATE and
// GOFLAGS as a build would) and reads its go.mod for the dependencies;
// its documentation is on pkg.go.dev.
//
// Guess reads the imports of the workspace's .go files (go/parser) and
// lists those that neither the standard library (no dot in the first path
// element), nor the workspace's own module, nor a module go.mod requires
// provides. `go get` takes a package path and finds its module.
//
// The Backend holds no state and is safe for concurrent use.
package golang
