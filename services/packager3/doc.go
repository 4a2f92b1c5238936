// Package packager3 is the packager3 service: package management for the
// workspace's Node.js, Python or Go code, driving npm, pip or the go
// command (see internal/packager for the backends and how one is chosen).
//
// `packageSearch { query }` answers `packageSearchResp { results }` and
// `packageInfo { pkg: { name } }` answers `packageInfoResp { pkg }`
// (description, version, URLs, author, license, dependencies, as far as
// the registry knows them); when a search was not what the user would
// assume (the registry has no search, so only the exact name was looked
// up; Python indexes list names only) a `hint` to the sender says so
// before the answer. Go has no search: its error says so.
// `packageListSpecfile {}` answers `packageListSpecfileResp { pkgs }`
// (name and spec).
//
// `packageAdd { pkgs }`, `packageRemove { pkgs }` and `packageInstall {}`
// change the workspace: every session attached gets `state: Running`,
// the tool's output as `output` (each command first, as "--> npm install
// x"), then `state: Stopped`; the sender gets `ok` (or, with
// useNewResponse, `packageAddResponse` / `packageInstallResponse` with
// the guessed packages and how long each step took) or an `error` that
// carries the tool's own message. packageInstall installs what the lock
// (or spec) file lists, then, unless disableGuess, adds what the code
// imports that is still missing. A failed or cancelled (channel closed)
// change leaves the spec and lock files byte-identical.
//
// One operation at a time per workspace, whatever channel or service it
// comes from: a second waits its turn. Read-only users may search, get
// info and list; not change. Channels are usually shared under the
// well-known name packager3.
package packager3
