#!/usr/bin/env bash
# Install everything (the exact pins of requirements-test.lock, and Debian's Chromium for the browser tests),
# check the code (ruff, mypy: see below) and run every test.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements-test.lock
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
    else
        echo "note: /usr/bin/chromium is missing and this is not root: the browser test will be skipped" >&2
    fi
fi
# The PDF packs embed Debian's fonts-wqy-zenhei (etl/packs/pdf.py); their tests read pages back with poppler-utils.
if [ ! -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || [ ! -x /usr/bin/pdftoppm ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei poppler-utils >/dev/null
    else
        echo "note: fonts-wqy-zenhei or poppler-utils is missing and this is not root: the PDF pack tests will fail" >&2
    fi
fi
# Lint, format and type checks before the tests (settings: pyproject.toml); any failing fails the command.
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# Three workers on two cores: a browser test spends half its time waiting for the server and Chromium, and the
# browser modules are spread over the workers (tests/conftest.py's scheduler: longest module first, loadfile).
exec .venv/bin/python -m pytest -q -n 3 --dist loadfile "$@"
