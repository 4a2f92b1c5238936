// Package nodejs is the packager's backend for Node.js: package.json and
// package-lock.json, changed by the npm CLI (npm install, npm uninstall,
// npm ci), never by pid1.
//
// Search and info ask the registry npm is configured with (`npm config
// get registry`: the user's and the workspace's .npmrc, npm_config_*
// variables) over its HTTP API: /-/v1/search and the package document.
// Registries and mirrors without the search endpoint (it answers 404, 405
// or 501) get an exact-name lookup instead, and the result says so.
// Requests carry no credentials: a registry that needs a token to read is
// not searchable here, though npm itself still installs from it.
//
// Guess reads the require() and import statements of the workspace's
// JavaScript and TypeScript and lists the packages that node_modules does
// not hold, leaving out Node's built-in modules (as node itself lists them)
// and relative paths.
//
// The Backend holds no state and is safe for concurrent use.
package nodejs
