// Package snapstore takes and restores snapshots of the workspace.
//
// A snapshot is content-addressed: every file's content is stored once,
// under blobs/<sha256>, and a manifest lists every path with its kind,
// permissions and content hash. Manifests belong to a workspace id
// (workspaces/<id>/manifests/<time>.json, the manifest naming its id too),
// so a workspace only ever sees its own snapshots, while blobs are shared
// by every workspace in the bucket. The object workspaces/<id>/latest names
// the newest complete manifest and is written last, after the blobs and the
// manifest are durable, so a failed snapshot leaves the previous one
// current. Snapshots are incremental: a file whose size, times and inode
// match the previous snapshot is not read again, and a blob already in the
// bucket is not uploaded again, so a snapshot of an unchanged workspace
// uploads only a manifest.
//
// Taking a snapshot walks and reads the workspace through its fsroot.Dir
// (Tree and OpenNoFollow): no symbolic link is ever followed, a link is
// stored as a link, and a directory swapped for a link while the walk runs
// is not entered. Restoring is transactional: the whole manifest is
// checked first (it comes from storage and is not trusted), then the tree
// is built in an fsroot.Stage and swapped in; a failure before the swap
// leaves the workspace as it was.
//
// A Store runs one Take or Restore at a time (a mutex); its methods are
// safe for concurrent use.
package snapstore
