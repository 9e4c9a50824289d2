#!/usr/bin/env bash
# Install everything (Python packages, and Debian's Chromium for the browser test) and run every test.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements-test.txt
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
    else
        echo "note: /usr/bin/chromium is missing and this is not root: the browser test will be skipped" >&2
    fi
fi
exec .venv/bin/python -m pytest -q -n 2 --dist loadfile "$@"
