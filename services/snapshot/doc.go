// Package snapshot is the snapshot service: fsSnapshot {} takes a
// snapshot of the workspace (package snapshot) and answers ok only once
// it is durably stored, or an error, in which case the previous snapshot
// stays current.
package snapshot
