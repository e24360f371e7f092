#!/usr/bin/env bash
# Make sure the tools the certificate tests use are installed: Debian's `poppler-utils` (pdfsig,
# which checks the PAdES signature as an ordinary PDF reader does) and `softhsm2` (a PKCS#11 token
# to test loading the signing key from a hardware module, as production does).
# Idempotent: does nothing when both are already there.
set -euo pipefail

SOFTHSM2_MODULE="${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}"

missing=()
command -v pdfsig >/dev/null 2>&1 || missing+=(poppler-utils)
{ command -v softhsm2-util >/dev/null 2>&1 && [ -f "$SOFTHSM2_MODULE" ]; } || missing+=(softhsm2)

if [ ${#missing[@]} -eq 0 ]; then
  echo "ensure_pdf_tools: found pdfsig and SoftHSM2 ($SOFTHSM2_MODULE)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_pdf_tools: ${missing[*]} missing and apt-get is not available;" >&2
  echo "install pdfsig (Poppler) and SoftHSM2 and set SOFTHSM2_MODULE to its PKCS#11 module." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "ensure_pdf_tools: need root (or sudo) to install ${missing[*]}." >&2
    exit 1
  fi
fi

echo "ensure_pdf_tools: installing Debian's ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

if ! command -v pdfsig >/dev/null 2>&1 || [ ! -f "$SOFTHSM2_MODULE" ]; then
  echo "ensure_pdf_tools: installed ${missing[*]} but pdfsig or $SOFTHSM2_MODULE is missing;" >&2
  echo "set SOFTHSM2_MODULE to SoftHSM2's PKCS#11 module." >&2
  exit 1
fi
echo "ensure_pdf_tools: installed ${missing[*]}"
