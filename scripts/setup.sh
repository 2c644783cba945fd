#!/usr/bin/env bash
# Sets up everything the bot needs on a fresh machine: virtualenv, packages, compiled catalogs.
# Usage: bash scripts/setup.sh [--dev]      (--dev adds the test tools)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-.venv}"
extras=""
if [[ "${1:-}" == "--dev" ]]; then extras="[dev]"; fi

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [[ -n "$candidate" ]] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Cần Python 3.11 trở lên / Python 3.11 or newer is required" >&2
  return 1
}

if [[ ! -x "$VENV/bin/python" ]]; then
  "$(find_python)" -m venv "$VENV"
fi
stamp="$VENV/.installed$extras"
fingerprint="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$fingerprint" ]]; then
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e ".$extras"
  echo "$fingerprint" > "$stamp"
fi
if ! compile_log="$(PYTHON="$VENV/bin/python" bash scripts/i18n.sh compile 2>&1)"; then
  echo "$compile_log" >&2
  echo "Không biên dịch được bản dịch / could not compile the message catalogs" >&2
  exit 1
fi
