// Command pid1 is the init process of a development container and the
// server its clients drive it through.
//
// Usage:
//
//	pid1 [-listen ADDR] [-workspace DIR] [flags] [-- CMD ARGS]   serve (default 127.0.0.1:8283)
//	pid1 token [-user NAME] [-read-only] [-ttl D] [-signing-key FILE]  print a token for this pid1
//	pid1 keygen [-out FILE]                       write a key pair (FILE, FILE.pub) for -token-public-key
//
// As PID 1 (or with -subreaper) it reaps every zombie through the reaper
// package, the single owner of wait statuses. SIGTERM and SIGINT are
// forwarded to every child process group and start a graceful shutdown:
// stop accepting, close channels (services flush), close clients with 1001,
// SIGTERM what is left, SIGKILL it after -grace; pid1 then exits with
// 128+signal. SIGHUP, SIGUSR1 and SIGUSR2 are forwarded and nothing else
// happens.
//
// After --, a startup command runs as a child in the workspace (in its own
// process group, reaped like any other); its exit status is logged and does
// not stop pid1.
//
// Every flag can also be set from the environment as PID1_<NAME>, with
// dashes as underscores (PID1_LISTEN, PID1_STATE_DIR, ...).
package main
