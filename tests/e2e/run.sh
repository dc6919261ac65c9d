#!/usr/bin/env bash
# End-to-end suite: builds (or reuses) etcd, kube-apiserver, kubectl and
# Gatekeeper, then runs tests/e2e in a private network namespace, so every
# server listens on a loopback nobody else sees.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

k8s_version=v1.36.2
gk_version=$(go list -m -f '{{.Version}}' github.com/open-policy-agent/gatekeeper/v3)
bin="$root/.cache/e2e/k8s-$k8s_version-gatekeeper-$gk_version"
mkdir -p "$bin"

ldflags="-X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=36 -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/component-base/version.buildDate=2026-01-01T00:00:00Z"
build_tool() { # name package
  if [ ! -x "$bin/$1" ]; then
    echo "e2e: building $1 ($k8s_version)"
    (cd tests/e2e/tools && go build -ldflags "$ldflags" -o "$bin/$1" "$2")
  fi
}
build_tool etcd ./etcd
build_tool kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
build_tool kubectl k8s.io/kubernetes/cmd/kubectl
if [ ! -x "$bin/gatekeeper" ]; then
  echo "e2e: building gatekeeper ($gk_version)"
  go build -o "$bin/gatekeeper" github.com/open-policy-agent/gatekeeper/v3
fi
echo "e2e: building the suite"
go test -c -tags e2e -o "$bin/e2e.test" ./tests/e2e
manifest="$(go list -m -f '{{.Dir}}' github.com/open-policy-agent/gatekeeper/v3)/deploy/gatekeeper.yaml"

command -v unshare >/dev/null && command -v ip >/dev/null || {
  echo "e2e: needs unshare (util-linux) and ip (iproute2)"; exit 2; }
export GATEWARDEN_E2E_BIN="$bin" GATEWARDEN_E2E_GATEKEEPER_MANIFEST="$manifest"
exec unshare --net -- sh -c 'ip link set lo up && cd tests/e2e && exec "$GATEWARDEN_E2E_BIN/e2e.test" -test.v -test.timeout 60m "$@"' e2e "$@"
