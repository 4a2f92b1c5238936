// Package snapstore takes and restores snapshots of the workspace.
//
// A snapshot is content-addressed: every file's content is stored once,
// under blobs/<sha256>, and a manifest (manifests/<time>.json) lists every
// path with its kind, permissions and content hash. The object "latest"
// names the newest complete manifest and is written last, after the blobs
// and the manifest are durable, so a failed snapshot leaves the previous one
// current. Snapshots are incremental: a file whose size, times and inode
// match the previous snapshot is not read again, and a blob already in the
// bucket is not uploaded again, so a snapshot of an unchanged workspace
// uploads only a manifest.
package snapstore
