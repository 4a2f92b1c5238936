// Package gcsfiles is the gcsfiles service: every file operation of the
// files service, with each change also persisted to object storage
// (package storage: file://, s3:// or gs://), plus persist (upload a path),
// persistMirror (also delete remote objects missing locally) and
// tryRemove.
//
// Object keys are workspace paths. Dotfiles at the workspace's top level
// and directories named in IgnoreDirs are never persisted, and
// persistMirror removes them from the bucket.
package gcsfiles
