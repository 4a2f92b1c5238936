#!/usr/bin/env bash
# Installs what `make test` needs on a fresh machine: Go modules, the npm
# packages of the Node tests (@replit/protocol, @replit/crosis, ws), and the
# Debian packages the init tests use (util-linux for unshare, procps), when
# running as root. Idempotent and quiet when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

go mod download

need_apt=()
command -v unshare >/dev/null || need_apt+=(util-linux)
command -v node >/dev/null || need_apt+=(nodejs npm)
command -v ps >/dev/null || need_apt+=(procps)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  else
    echo "test-deps: missing ${need_apt[*]}; install them (not root, so not doing it here)" >&2
  fi
fi

if [ -f test/node/package-lock.json ]; then
  stamp=test/node/node_modules/.pid1-lock-stamp
  if ! cmp -s test/node/package-lock.json "$stamp" 2>/dev/null; then
    npm ci --prefix test/node --no-audit --no-fund --loglevel=error
    cp test/node/package-lock.json "$stamp"
  fi
fi
