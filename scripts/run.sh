#!/usr/bin/env bash
# One command to set up and start the bot on the embedded SQLite database (or DATABASE_URL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
VENV="${VENV:-.venv}"
"$VENV/bin/greenbot" db upgrade
exec "$VENV/bin/greenbot" run "$@"
