#!/usr/bin/env bash
# Install everything the tests need, then run ruff, mypy and pytest.
# Debian packages (mosquitto, socat, chromium, mbpoll, gcc, gcc-arm-none-eabi,
# fonts-ipafont-gothic)
# are installed when missing;
# Python packages go into ./.venv. Tests that need a broker or a browser fail,
# never skip, when one is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

missing=()
[ -x /usr/sbin/mosquitto ] || command -v mosquitto >/dev/null 2>&1 || missing+=(mosquitto)
command -v socat >/dev/null 2>&1 || missing+=(socat)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v mbpoll >/dev/null 2>&1 || missing+=(mbpoll)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
# The firmware's Cortex-M0+ cross-build (newlib for its C library).
command -v arm-none-eabi-gcc >/dev/null 2>&1 || missing+=(gcc-arm-none-eabi libnewlib-arm-none-eabi)
# A Japanese font, so the browser tests' screenshots show the Japanese UI as text.
[ -e /usr/share/fonts/opentype/ipafont-gothic/ipag.ttf ] || missing+=(fonts-ipafont-gothic)
if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
fi
make_venv "[test,sim,train]"

bin="$KAKASHI_VENV/bin"
echo "== ruff" >&2
"$bin/ruff" check .
"$bin/ruff" format --check .
echo "== mypy" >&2
"$bin/mypy"
echo "== pytest" >&2
# pytest exits 5 when it collects nothing; with set -e that fails the run too.
exec "$bin/pytest" "$@"
