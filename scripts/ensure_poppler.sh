#!/usr/bin/env bash
# Make sure Poppler's `pdfsig` is installed (Debian's `poppler-utils`): the certificates' tests
# check that an ordinary PDF reader's library finds their PAdES signature valid.
# Idempotent: does nothing when pdfsig is on the PATH.
set -euo pipefail

if command -v pdfsig >/dev/null 2>&1; then
  echo "ensure_poppler: found $(command -v pdfsig)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_poppler: pdfsig is missing and apt-get is not available; install Poppler's utilities." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "ensure_poppler: need root (or sudo) to install the poppler-utils package." >&2
    exit 1
  fi
fi

echo "ensure_poppler: installing Debian's poppler-utils package"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends poppler-utils >/dev/null

if ! command -v pdfsig >/dev/null 2>&1; then
  echo "ensure_poppler: poppler-utils was installed but pdfsig is not on the PATH." >&2
  exit 1
fi
echo "ensure_poppler: installed $(command -v pdfsig)"
