// Package registries starts local package registries on 127.0.0.1 for the
// packager's tests and benchmarks (there is no other network): verdaccio
// (from test/registries, installed by scripts/test-deps.sh) with tiny npm
// packages published to it by npm itself, a PEP 503 simple index served
// over wheels built with pip from tiny source packages, and a GOPROXY
// directory holding tiny modules, served as file:// and over HTTP.
//
// Start them once per test binary (they take seconds): in TestMain, or
// with Shared, which starts them on first use and stops them when Stop is
// called. Each test then takes a fresh HOME whose npm, pip and go
// configuration point at them (Home, Env), so caches and module caches do
// not leak between tests.
//
// The registries hold (name: versions, dependencies):
//
//	npm   tiny-a 1.0.0 (→ tiny-b ^1.0.0); tiny-b 1.0.0, 1.1.0;
//	      slow-install 1.0.0 (its install script waits until Release)
//	pip   tiny-pkg 0.9.0, 1.0.0 (→ tiny-dep); tiny-dep 1.0.0;
//	      slow-pkg 1.0.0 (its download waits until Release)
//	go    example.test/tiny v1.0.0, v1.1.0 (→ example.test/dep);
//	      example.test/dep v1.0.0; example.test/slow v1.0.0 (its zip
//	      waits until Release, over HTTP)
//
// A Set is safe for concurrent use.
package registries
