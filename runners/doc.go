// Package runners describes the languages the code-execution engines
// offer, as data keyed by Attempt This Online's runner ids: each Runner
// has ATO's metadata (name, url, sbcs, se_class), the version its
// toolchain reports, a hello world with its output, and how a request
// reaches the toolchain. Runner.Spec turns a Request (code, options for
// the compiler or interpreter, arguments for the program, standard input)
// into a sandbox.Spec: interpreters run directly with the options before
// the code file and the arguments after it; compiled languages compile
// into /tmp and exec the program in the same run, the compiler's messages
// on stderr and its status when it fails.
//
// Toolchains are Debian's (looked up by absolute path: a python3 earlier
// in PATH is not used). Default probes every installed one in the sandbox;
// one that is missing or does not start is listed as unavailable, with
// the reason, and its Spec fails with ErrUnavailable.
//
// A Set is read-only once built and safe for concurrent use; Default
// returns after every probe has ended.
package runners
