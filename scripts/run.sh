#!/usr/bin/env bash
# One command to set up and start the bot: installs, then `greenbot run` checks the
# configuration, migrates the database (embedded SQLite by default, or DATABASE_URL) and
# starts long polling.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${VENV:-.venv}/bin/greenbot" run "$@"
