#!/usr/bin/env bash
# Checks the Helm chart in deploy/pid1: `helm lint --strict` and `helm
# template` of both shapes (the engines Deployment + Service + HPA, the
# workspace StatefulSet with its volume and bucket), and that each renders
# what it should. Helm comes from the Go module proxy. `make test` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
helm() { go run helm.sh/helm/v4/cmd/helm@v4.3.2 "$@"; }
chart=deploy/pid1
ws=(--set workspace.enabled=true --set 'workspace.bucket=s3://snapshots?region=eu-west-1')

fail() { echo "check-chart: $*" >&2; exit 1; }
kinds() { grep -E '^kind: ' | sort | uniq -c | awk '{print $3 "×" $1}' | paste -sd' '; }
expect() { # expect WHAT WANT GOT
  [ "$2" = "$3" ] || fail "$1: rendered [$3], want [$2]"
}

helm lint --strict --quiet "$chart"
helm lint --strict --quiet "$chart" "${ws[@]}"

out=$(helm template t "$chart")
expect "engines shape" "Deployment×1 HorizontalPodAutoscaler×1 Service×1" "$(kinds <<<"$out")"
grep -q -- '- "engines"' <<<"$out" || fail "the engines Deployment does not run 'pid1 engines'"
grep -q 'replicas:' <<<"$out" && fail "with autoscaling the Deployment must leave replicas to the HPA"

out=$(helm template t "$chart" --set engines.autoscaling.enabled=false --set engines.replicas=3)
expect "engines without autoscaling" "Deployment×1 Service×1" "$(kinds <<<"$out")"
grep -q 'replicas: 3' <<<"$out" || fail "replicas not set without autoscaling"

out=$(helm template t "$chart" --set engines.enabled=false "${ws[@]}" --set 'workspace.command={bash,-c,sleep infinity}')
expect "workspace shape" "Service×1 StatefulSet×1" "$(kinds <<<"$out")"
for want in 'volumeClaimTemplates:' '"-storage=s3://snapshots?region=eu-west-1"' '"-restore=true"' 'mountPath: /workspace' '- "sleep infinity"'; do
  grep -qF -- "$want" <<<"$out" || fail "workspace shape lacks $want"
done

if err=$(helm template t "$chart" --set workspace.enabled=true 2>&1); then
  fail "a workspace without a bucket rendered"
fi
grep -q 'workspace.bucket is required' <<<"$err" || fail "a workspace without a bucket failed without saying why: $err"
echo "check-chart: deploy/pid1 lints and renders both shapes"
