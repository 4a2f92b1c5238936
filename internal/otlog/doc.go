// Package otlog keeps a durable log of each linked ot buffer's unflushed
// edits in pid1's state directory, so that an edit acknowledged to a client
// survives pid1 being killed before the buffer is flushed to its file.
//
// A log file holds one base record (the file's path, the buffer's version,
// the text the buffer last read from or wrote to the file, and the
// buffer's text if different) and then one entry per committed version
// (its op and the CRC-32 of the text after it; a version that merged a
// change of the file on disk also holds that change). Each record is a
// frame: its length, its CRC-32C and its bytes, so a write cut short by
// SIGKILL leaves a torn last frame that Parse recognises; every complete
// frame before it is kept. Frames are written over zeros written ahead of
// them (128 KiB at a time), so that most fdatasyncs write only data, not a
// new file size. Starting the log over (a new base) writes a new file
// beside the old one and renames it over it, so a crash leaves one or the
// other, whole.
//
// Recovery (Open) runs at pid1's start, before any client can open a
// buffer: each log is replayed and compared with its file. A file that
// still holds the text the log began from (it is older than the log) gets
// the buffer's text; a file that already holds it is left alone; a file
// changed since by something else is merged with the buffer's edits as a
// change on disk is merged while the buffer is open; a missing file is
// written. The log is then removed. A log that cannot be used (not a log,
// its base damaged, its file not writable, damage before its tail) is
// moved to a set-aside directory with a log line, and never stops pid1
// from starting.
//
// Concurrency: a Store is safe for concurrent use. Each Log is fed by one
// goroutine and written by its own writer goroutine (Log.Run), which makes
// everything fed in meanwhile durable with one fsync and then reports the
// last record it covered (see Log).
package otlog
