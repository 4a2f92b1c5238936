#!/usr/bin/env bash
# Installs what `make test` needs on a fresh machine: Go modules, the npm
# packages of the Node tests (@replit/protocol, @replit/crosis, ws,
# @msgpack/msgpack, and ShareDB for the ot benchmark's baseline), and the
# Debian packages the tests use (util-linux for unshare, procps, chromium
# for ATO's example page), when running as root. Idempotent and quiet when
# everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

go mod download

need_apt=()
command -v unshare >/dev/null || need_apt+=(util-linux)
command -v node >/dev/null || need_apt+=(nodejs npm)
command -v ps >/dev/null || need_apt+=(procps)
command -v chromium >/dev/null || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  else
    echo "test-deps: missing ${need_apt[*]}; install them (not root, so not doing it here)" >&2
  fi
fi

# The Node tests (test/node) and the ShareDB baseline the bench tests check
# the Go workload against (bench/node).
for dir in test/node bench/node; do
  [ -f "$dir/package-lock.json" ] || continue
  stamp=$dir/node_modules/.pid1-lock-stamp
  if ! cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null; then
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    cp "$dir/package-lock.json" "$stamp"
  fi
done
