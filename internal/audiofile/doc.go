// Package audiofile decodes audio files into what pid1's audio service
// plays: one channel of full-scale 32-bit PCM at 44,100 Hz.
//
// Open sniffs the format from the file's first bytes (not its name): WAV
// and AIFF/AIFF-C (8, 16, 24 or 32-bit integer PCM) through go-audio, MP3
// through hajimehoshi/go-mp3, FLAC through mewkiz/flac and Ogg Vorbis
// through jfreymuth/oggvorbis, all pure Go. A Stream decodes as it is
// read, so a long file is never held whole: every sample is scaled to
// the full 32-bit range, the channels are averaged into one, and the
// result is resampled (linear interpolation) to 44,100 Hz from whatever
// rate the file has.
//
// The files are the workspace user's and may be corrupt or hostile: a
// decoder that fails or panics ends the Stream with an error; nothing a
// file holds panics the process.
//
// # Concurrency
//
// A Stream is used by one goroutine at a time.
package audiofile
