#!/usr/bin/env bash
# Sets up everything the bot needs on a fresh machine: virtualenv, packages, compiled catalogs.
# Usage: bash scripts/setup.sh [--dev]      (--dev adds the test tools)
# Needs Python 3.11+ with venv, and access to PyPI (or a mirror configured for pip).
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
  python="$(find_python)"
  if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
    echo "Thiếu gói venv của Python. Trên Debian/Ubuntu: sudo apt install python3-venv" >&2
    echo "Python's venv module is missing. On Debian/Ubuntu: sudo apt install python3-venv" >&2
    exit 1
  fi
  "$python" -m venv "$VENV"
fi

stamp="$VENV/.installed$extras"
fingerprint="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$fingerprint" ]]; then
  echo "Đang cài đặt các gói / installing packages..." >&2
  install_log="$(mktemp)"
  if ! { "$VENV/bin/python" -m pip install --upgrade pip && "$VENV/bin/python" -m pip install -e ".$extras"; } \
       >"$install_log" 2>&1; then
    cat "$install_log" >&2
    echo "Cài đặt thất bại (xem trên) / installation failed (see above)" >&2
    rm -f "$install_log"
    exit 1
  fi
  rm -f "$install_log"
  echo "$fingerprint" > "$stamp"
fi

if ! compile_log="$(PYTHON="$VENV/bin/python" bash scripts/i18n.sh compile 2>&1)"; then
  echo "$compile_log" >&2
  echo "Không biên dịch được bản dịch / could not compile the message catalogs" >&2
  exit 1
fi
