#!/usr/bin/env bash
# Regenerate the lock files from the files people edit (README, "Set-up"):
#   requirements.txt      -> requirements.lock       (run.sh installs it)
#   requirements-test.txt -> requirements-test.lock  (test.sh installs it: the runtime's pins plus the tests')
# Exact pins of the whole dependency tree, for Python 3.11 on Linux, without hashes. The test lock is
# resolved under the runtime lock's pins, so both install the same version of every package they share.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
[ -x .venv/bin/uv ] || .venv/bin/pip install --quiet --disable-pip-version-check uv==0.13.8
compile() {
    .venv/bin/uv pip compile --quiet --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
        --no-annotate --custom-compile-command "bash lock.sh" "$@"
}
compile requirements.txt -o requirements.lock
compile requirements.txt requirements-test.txt -c requirements.lock -o requirements-test.lock
