// Package e2e tests a built pid1 from the outside, with the public goval
// client @replit/crosis running in Node (test/node/crosis.test.mjs).
package e2e
