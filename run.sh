#!/usr/bin/env bash
# Install everything (the exact pins of requirements.lock) and start the dashboard; on a first start the demo data set is
# generated (python -m etl sample) and loaded (python -m etl load) into data/warehouse.duckdb.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.lock
.venv/bin/python -m etl demo
exec .venv/bin/python -m app.serve --server.headless true --browser.gatherUsageStats false "$@"
