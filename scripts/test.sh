#!/usr/bin/env bash
# One command to set up and run the whole test suite.
# The database under test is TEST_DATABASE_URL (default: a temporary SQLite file);
# CI runs this once with SQLite and once with PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
VENV="${VENV:-.venv}"
set +e
"$VENV/bin/python" -m pytest "$@"
status=$?
set -e
if [[ $status -eq 5 ]]; then
  echo "no tests were collected: treating as a failure" >&2
  exit 1
fi
exit $status
