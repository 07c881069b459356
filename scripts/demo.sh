#!/usr/bin/env bash
# Set up Kakashi in ./.venv and run `kakashi demo`: the service against the
# simulated mountain village, web page on http://127.0.0.1:8080/ (it prints the
# demo user's password), data in ./var/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
make_venv "[sim]"
exec "$KAKASHI_VENV/bin/kakashi" demo "$@"
