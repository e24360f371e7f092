#!/usr/bin/env bash
# Make sure SoftHSM2 is installed (Debian's `softhsm2`): the certificates' tests load the signing
# key from a PKCS#11 token, as production does from an HSM, and SoftHSM2 is that token.
# Idempotent: does nothing when softhsm2-util and SOFTHSM2_MODULE (default Debian's path) exist.
set -euo pipefail

SOFTHSM2_MODULE="${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}"

if command -v softhsm2-util >/dev/null 2>&1 && [ -f "$SOFTHSM2_MODULE" ]; then
  echo "ensure_softhsm: found $SOFTHSM2_MODULE"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_softhsm: SoftHSM2 is missing and apt-get is not available;" >&2
  echo "install SoftHSM2 and set SOFTHSM2_MODULE to its PKCS#11 module." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "ensure_softhsm: need root (or sudo) to install the softhsm2 package." >&2
    exit 1
  fi
fi

echo "ensure_softhsm: installing Debian's softhsm2 package"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends softhsm2 >/dev/null

if [ ! -f "$SOFTHSM2_MODULE" ]; then
  echo "ensure_softhsm: softhsm2 was installed but $SOFTHSM2_MODULE is missing;" >&2
  echo "set SOFTHSM2_MODULE to SoftHSM2's PKCS#11 module." >&2
  exit 1
fi
echo "ensure_softhsm: installed $SOFTHSM2_MODULE"
