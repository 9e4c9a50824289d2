#!/usr/bin/env bash
# Install everything (the exact pins of requirements.lock) and start the dashboard; on a first start the demo data set is
# generated (python -m etl sample) and loaded (python -m etl load) into data/warehouse.duckdb.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.lock
# The PDF report packs embed a Chinese TrueType font: Debian's fonts-wqy-zenhei (etl/packs/pdf.py says so when missing).
if [ ! -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei >/dev/null
    else
        echo "note: install Debian's fonts-wqy-zenhei (as root) for the PDF report packs" >&2
    fi
fi
.venv/bin/python -m etl demo
exec .venv/bin/python -m app.serve --server.headless true --browser.gatherUsageStats false "$@"
