# pid1 — run `make run` to start pid1 on ./workspace, `make test` to run every test.
SHELL := /bin/bash
GO ?= go
LANGUAGE ?= python3
FUZZTIME ?= 30s
BENCH_BASE ?= /tmp/pid1-bench-base
# protoc is pinned to Debian bookworm's protobuf-compiler; protoc-gen-go by the tool line in go.mod.
PROTOC_VERSION := 3.21.12

.PHONY: all web build run test test-go test-deps lint chart bench bench-record bench-compare fuzz fuzz-ci proto image conman-repl-run clean

all: build

## web: the browser IDE's bundle, which pid1 embeds (go:embed): npm ci in web/ when its lock
## file changed, then web/build.mjs (protobufjs messages from api/, a TypeScript check, esbuild).
## Without npm (and not root to install Debian's), pid1 is built without the IDE and serves a
## page saying how to add it.
web:
	@if ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; \
	  else echo "make web: npm is missing: building pid1 without the browser IDE (install nodejs and npm, then make web)"; exit 0; fi; \
	fi; \
	stamp=web/node_modules/.pid1-lock-stamp; cmp -s web/package-lock.json $$stamp 2>/dev/null || \
	  { npm ci --prefix web --no-audit --no-fund --loglevel=error && cp web/package-lock.json $$stamp; }; \
	cd web && node build.mjs

## build: the binaries as the image ships them (static, no symbol tables) in bin/; the sandbox helper is a C program,
## linked against musl (musl-tools, installed here as root) whose static start-up costs a run about 0.7 ms less than glibc's.
HELPER_C := $(wildcard sandbox/cmd/pid1-sandbox-helper/*.c)
build: web
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w" -o bin/pid1 ./pid1
	@if ! command -v musl-gcc >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends musl-tools; \
	  else echo "make: no musl-gcc (Debian's musl-tools): the sandbox helper links glibc, about 0.7 ms slower per run" >&2; fi; \
	fi
	cc=$$(command -v musl-gcc || command -v cc); $${cc:-false} -static -O2 -s -DP1_STANDALONE -o bin/pid1-sandbox-helper $(HELPER_C) || { \
	  echo "make: no C toolchain (gcc, libc6-dev): the sandbox helper is built in Go, about 3x slower per run" >&2; \
	  CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w" -o bin/pid1-sandbox-helper ./sandbox/cmd/pid1-sandbox-helper; }
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w" -o bin/conman-repl ./conman-repl

## run: build the IDE and the binaries (pid1 finds its sandbox helper beside it), start pid1 on ./workspace; prints
## the IDE's URL (token in its fragment).
run: build
	bin/pid1 -workspace ./workspace

## test: install what the tests need, check the Helm chart, then run every test with the race
## detector (the storage package also as built with -tags gcs), and the fuzzers of what parses hostile input for a
## bounded time.
test: test-deps web lint chart
	$(GO) test -race -count=1 -timeout 30m ./...
	$(GO) test -race -count=1 -tags gcs ./internal/storage
	@$(MAKE) --no-print-directory fuzz-ci

## fuzz-ci: the fuzzers of what arrives from outside: paths, tokens, frames, REPL input, OT ops and the op log, msgpack, the
## engines' requests (ATO's msgpack, ranna's JSON ops, asyonline's verb frames), language servers' LSP frames and the input
## framer, audio requests, /proc/net port tables, the packager's rewriting of pyproject.toml and requirements.txt and the
## storage's escaping of object keys, FUZZCI
## seconds each (from their committed corpora).
FUZZCI ?= 10s
fuzz-ci:
	@set -e; for t in "./internal/fsroot FuzzPaths" "./internal/auth FuzzVerify" "./conman FuzzFrames" "./engines/ato FuzzDecodeRequest" \
	  "./engines/ranna FuzzDecodeOp" "./engines/asy FuzzMessages" \
	  "./conman-repl/literal FuzzParse" "./internal/textot FuzzOp" "./internal/otlog FuzzParse" "./internal/msgpack FuzzSkip" \
	  "./services/lsp FuzzReadMessage" "./services/lsp FuzzInputFramer" "./services/audio FuzzSplitter" "./internal/ports FuzzParseTable" \
	  "./internal/packager/python FuzzPyproject" "./internal/packager/python FuzzRequirements" "./internal/storage FuzzEscape"; do \
	  set -- $$t; echo "== fuzz $$2 ($(FUZZCI))"; \
	  if $(GO) test -run '^$$' -fuzz "^$$2$$" -fuzztime $(FUZZCI) $$1 > /tmp/pid1-fuzz.out 2>&1; then cat /tmp/pid1-fuzz.out; \
	  else cat /tmp/pid1-fuzz.out; \
	    if grep -q 'context deadline exceeded' /tmp/pid1-fuzz.out && ! grep -q 'Failing input written' /tmp/pid1-fuzz.out; then \
	      echo "== fuzz $$2: Go's fuzzing coordinator hit its own deadline (golang/go#75804, fixed in Go 1.27), no input failed; once more"; \
	      $(GO) test -run '^$$' -fuzz "^$$2$$" -fuzztime $(FUZZCI) $$1; \
	    else exit 1; fi; \
	  fi; \
	done

test-deps:
	@bash scripts/test-deps.sh

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go') | grep -v '\.pb\.go$$' || true); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

## chart: helm lint and helm template of deploy/pid1, both shapes (helm from the Go module proxy).
chart:
	@bash scripts/check-chart.sh

## bench: benchmarks with their baselines (the IDE's bundle built first); the report goes to
## bench/results/latest.md (untracked).
bench: web
	$(GO) run ./bench/cmd/benchreport

## bench-record: the same, written to the tracked bench/results.md.
bench-record: web
	$(GO) run ./bench/cmd/benchreport -out bench/results.md

## bench-compare: the report at BASE (a git revision) and at the working tree, measured one
## after the other on this machine, side by side in bench/results/compare.md.
bench-compare: web
	@test -n "$(BASE)" || { echo "usage: make bench-compare BASE=<git revision>" >&2; exit 2; }
	@mkdir -p bench/results
	rm -rf $(BENCH_BASE) && git worktree prune && git worktree add --detach $(BENCH_BASE) $(BASE)
	npm ci --prefix $(BENCH_BASE)/bench/node --no-audit --no-fund --loglevel=error
	@if [ -f $(BENCH_BASE)/web/package.json ]; then $(MAKE) --no-print-directory -C $(BENCH_BASE) web; fi
	cd $(BENCH_BASE) && $(GO) run ./bench/cmd/benchreport -out $(CURDIR)/bench/results/before.md
	$(GO) run ./bench/cmd/benchreport -out bench/results/after.md
	$(GO) run ./bench/cmd/benchdiff -out bench/results/compare.md bench/results/before.md bench/results/after.md
	git worktree remove --force $(BENCH_BASE)
	@echo "written: bench/results/compare.md"

## fuzz: run every fuzz target for FUZZTIME each.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; done

## proto: regenerate api/*.pb.go with the pinned protoc and protoc-gen-go.
proto:
	@command -v protoc >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq protobuf-compiler; }
	@protoc --version | grep -q "$(PROTOC_VERSION)" || { echo "need protoc $(PROTOC_VERSION), have $$(protoc --version)"; exit 1; }
	protoc --plugin=protoc-gen-go="$$($(GO) tool -n protoc-gen-go)" --go_out=. --go_opt=module=github.com/pid1/pid1 \
	  -I api -I /usr/include api/goval.proto api/token.proto

## image: the container image; the IDE's bundle is built here and copied in with the sources.
image: web
	docker build -t pid1 .

## conman-repl-run: the REPL against an in-process pid1 on a temporary workspace.
conman-repl-run:
	$(GO) run ./conman-repl -language $(LANGUAGE)

clean:
	rm -rf bin
