#!/usr/bin/env bash
# Make sure a Chromium the browser tests can drive is installed (Debian's `chromium` package).
# Idempotent: does nothing when CHROMIUM_PATH (default /usr/bin/chromium) is already executable.
# Playwright's own `playwright install` cannot download browsers here, so the distribution
# package is used instead.
set -euo pipefail

CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$CHROMIUM_PATH" ]; then
  echo "ensure_chromium: found $CHROMIUM_PATH ($("$CHROMIUM_PATH" --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_chromium: $CHROMIUM_PATH is missing and apt-get is not available;" >&2
  echo "install Chromium and set CHROMIUM_PATH to its executable." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "ensure_chromium: need root (or sudo) to install the chromium package." >&2
    exit 1
  fi
fi

echo "ensure_chromium: installing Debian's chromium package"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null

if [ ! -x "$CHROMIUM_PATH" ]; then
  echo "ensure_chromium: chromium was installed but $CHROMIUM_PATH is not executable;" >&2
  echo "set CHROMIUM_PATH to the Chromium executable." >&2
  exit 1
fi
echo "ensure_chromium: installed $("$CHROMIUM_PATH" --version 2>/dev/null || echo "$CHROMIUM_PATH")"
