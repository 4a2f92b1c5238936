// Package files is the files service (also served as "file"): read, write,
// remove, tryRemove, move, mkdir, readdir and stat on the workspace, and
// chunked uploads (transferStart, transferChunk, transferComplete,
// transferCancel) for files larger than one frame.
//
// Every path goes through a [fsroot.Dir], so nothing outside the
// workspace can be reached; writes are atomic. A session whose token does
// not allow writing gets the read-only variant: every change is refused.
// Replies carry the request's ref. gcsfiles builds on [Handler] with a
// [Mirror] that persists each change.
package files
