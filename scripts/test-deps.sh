#!/usr/bin/env bash
# Installs what `make test` needs on a fresh machine: Go modules, the npm
# packages of the Node tests (@replit/protocol, @replit/crosis, ws,
# @msgpack/msgpack, ShareDB for the ot benchmark's baseline, and verdaccio,
# the packager tests' local npm registry) and of the browser IDE (web/),
# Debian's Python packaging (venv, pip, setuptools, wheel: the packager's
# virtual environments and the wheels its tests build), the Debian packages
# the tests use (util-linux for unshare, procps, chromium and a font for
# ATO's example page and the IDE's browser tests, lame and oggenc for the
# audio tests) and the toolchains of the
# sandbox's runners, when running as root, and the warm Go build cache of
# the go runner. Idempotent and quiet when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

go mod download

# The tests start many interactive shells, which read the user's ~/.bashrc.
# Where that runs pyenv, each shell takes pyenv's rehash lock for a moment;
# a shell killed meanwhile (tests close shells at once) leaves the lock
# behind, and every later interactive shell then waits on it. Remove a
# lock that no rehash holds.
pyenv_lock="${PYENV_ROOT:-$HOME/.pyenv}/shims/.pyenv-shim"
if [ -e "$pyenv_lock" ] && ! pgrep -f 'pyenv-rehash|pyenv rehash' >/dev/null; then
  echo "test-deps: removing a stale pyenv rehash lock ($pyenv_lock)"
  rm -f "$pyenv_lock"
fi

need_apt=()
command -v unshare >/dev/null || need_apt+=(util-linux)
command -v node >/dev/null || need_apt+=(nodejs)
# Debian's npm is a package of its own: a machine with node need not have it.
command -v npm >/dev/null || need_apt+=(npm)
# The packager creates virtual environments with Debian's python3 -m venv
# and its tests build wheels with pip, setuptools and wheel.
/usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null || need_apt+=(python3-venv)
/usr/bin/python3 -m pip --version >/dev/null 2>&1 || need_apt+=(python3-pip)
/usr/bin/python3 -c 'import setuptools, wheel' 2>/dev/null || need_apt+=(python3-setuptools python3-wheel)
command -v ps >/dev/null || need_apt+=(procps)
command -v chromium >/dev/null || need_apt+=(chromium)
# The IDE's terminal asks for DejaVu Sans Mono; a bare image may have no
# font at all, and xterm.js measures its cells with one.
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || need_apt+=(fonts-dejavu-core)
need_toolchains=()
# The sandbox's language runners (runners/) use Debian's toolchains, found
# by absolute path (a python3 earlier in PATH, pyenv's, is not Debian's),
# and the sandbox benchmark compares with bubblewrap; the lsp service's
# tests run Debian's pylsp (with pyflakes for diagnostics) and clangd;
# the sandbox helper is C, linked statically against musl (musl-tools),
# whose start-up is cheaper per run than glibc's; the audio tests encode
# their MP3 and Ogg Vorbis inputs with lame and oggenc (vorbis-tools).
# About 3 minutes on a fresh machine, most of it asymptote's TeX Live.
for pkg in gcc:/usr/bin/gcc libc6-dev:/usr/include/stdlib.h musl-tools:/usr/bin/musl-gcc g++:/usr/bin/g++ python3:/usr/bin/python3 nodejs:/usr/bin/node \
  zsh:/usr/bin/zsh perl:/usr/bin/perl ruby:/usr/bin/ruby lua5.4:/usr/bin/lua5.4 php-cli:/usr/bin/php \
  rustc:/usr/bin/rustc default-jdk-headless:/usr/bin/java bubblewrap:/usr/bin/bwrap \
  asymptote:/usr/bin/asy dvisvgm:/usr/bin/dvisvgm ghostscript:/usr/bin/gs \
  python3-pylsp:/usr/bin/pylsp python3-pyflakes:/usr/lib/python3/dist-packages/pyflakes clangd:/usr/bin/clangd \
  lame:/usr/bin/lame vorbis-tools:/usr/bin/oggenc; do
  [ -x "${pkg#*:}" ] || need_toolchains+=("${pkg%%:*}")
done
if [ ${#need_toolchains[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_toolchains[@]}"
  else
    echo "test-deps: missing ${need_toolchains[*]}; install them (not root, so not doing it here)" >&2
  fi
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  else
    echo "test-deps: missing ${need_apt[*]}; install them (not root, so not doing it here)" >&2
  fi
fi

# The Node tests (test/node), the ShareDB baseline the bench tests check
# the Go workload against (bench/node), the packager tests' registry
# (test/registries) and the browser IDE (web: crosis, CodeMirror, xterm.js,
# esbuild; `make web` builds the bundle pid1 embeds).
for dir in test/node bench/node test/registries web; do
  [ -f "$dir/package-lock.json" ] || continue
  stamp=$dir/node_modules/.pid1-lock-stamp
  if ! cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null; then
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    cp "$dir/package-lock.json" "$stamp"
  fi
done

# The lsp service's Go language server, gopls, from the Go module proxy.
if ! command -v gopls >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    GOBIN=/usr/local/bin go install golang.org/x/tools/gopls@v0.23.0
  else
    go install golang.org/x/tools/gopls@v0.23.0
    command -v gopls >/dev/null || echo "test-deps: gopls installed in $(go env GOPATH)/bin; put it in PATH" >&2
  fi
fi

# The go runner compiles against a warm build cache (a cold build of hello
# world takes about a minute): fill it for the Go that runs it. A few
# seconds when it is already warm.
if [ "$(id -u)" = 0 ] && [ -x /usr/local/go/bin/go ]; then
  (cd / && CGO_ENABLED=0 GOCACHE=/var/cache/pid1/go-build GOFLAGS= GOTOOLCHAIN=local /usr/local/go/bin/go build std)
fi
