// Package audio is the audio service: the workspace's programs ask pid1
// to play sound files by writing JSON requests to a named pipe, and every
// session attached to an audio channel hears the mix as `audio` commands.
//
// One Player serves the whole workspace. Start creates the pipe (/tmp/audio
// by default; only the workspace's user and pid1 may use it) and reads
// requests from it: {"File": path, "Volume", "DoesLoop", "LoopCount"}
// plays a file (WAV, AIFF, MP3, FLAC or Ogg Vorbis, decoded by
// internal/audiofile to mono at 44,100 Hz), {"ID": n, ...} changes the
// volume, pause or loop of source n, and the older library form
// {"Type": "tone", "Args": {"Pitch", "Seconds", "WaveType"}} plays a tone.
// A request that is not valid JSON, names a file that is missing, the
// user may not read, or is not audio, is ignored and logged.
//
// While any source plays, the player mixes one chunk of every unpaused
// source (summed wide and clipped, never wrapped), sends it, and waits
// for the chunk's duration less the time the work took: late, it sends at
// once. It sends one extra chunk when playback starts, so a listener
// always holds between one and two chunks. The schedule is kept against
// the start time rather than by adding up sleeps, so timer overshoot does
// not accumulate into a slower rate. When no source is left the loop
// stops until the next request; when all are paused it sends nothing.
//
// The status file beside the pipe (audioStatus.json) is rewritten
// atomically (a temporary file renamed over it) on every change, and a
// few times a second while sound plays.
//
// # Concurrency
//
// The player's goroutines (the pipe reader and the playback loop) are its
// own, not a channel's: they live from Start to Close. Its state is
// guarded by one mutex; channels subscribe and unsubscribe under another,
// which the loop holds while it sends, so a channel that has unsubscribed
// (its service's Close) is sent nothing more.
package audio
