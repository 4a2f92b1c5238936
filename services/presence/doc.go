// Package presence tracks who is connected (well-known channel name
// "presencer", created when pid1 starts so that it can always be attached).
//
// On attach a session gets roster {user, files}: every attached session's
// user and the file each has open; the others get join {id, name, session}.
// On detach the others get part. Users are not de-duplicated: a user with
// two sessions joins twice.
//
// Takes: openFile {file} (the others get fileOpened {userId, file, session,
// timestamp}); followUser / unfollowUser {session} (forwarded to that
// session with session set to the follower); updateSessionTimestamp
// (everyone gets sessionTimestampUpdated {session, timestamp}).
//
// Concurrency: all state is touched only by the channel's actor.
package presence
