#!/usr/bin/env bash
# Make sure the CJK font the acceptance receipt PDF embeds is installed (Debian's
# `fonts-wqy-microhei`: WenQuanYi Micro Hei, TrueType outlines, which reportlab can subset; the
# Noto CJK fonts are CFF-based OpenType, which reportlab cannot embed).
# Idempotent: does nothing when RECEIPT_FONT_PATH (default the package's file) already exists.
set -euo pipefail

FONT_PATH="${RECEIPT_FONT_PATH:-/usr/share/fonts/truetype/wqy/wqy-microhei.ttc}"

if [ -f "$FONT_PATH" ]; then
  echo "ensure_fonts: found $FONT_PATH"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_fonts: $FONT_PATH is missing and apt-get is not available;" >&2
  echo "install a TrueType CJK font and set RECEIPT_FONT_PATH to it." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "ensure_fonts: need root (or sudo) to install the fonts-wqy-microhei package." >&2
    exit 1
  fi
fi

echo "ensure_fonts: installing Debian's fonts-wqy-microhei package"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends fonts-wqy-microhei >/dev/null

if [ ! -f "$FONT_PATH" ]; then
  echo "ensure_fonts: fonts-wqy-microhei was installed but $FONT_PATH is missing;" >&2
  echo "set RECEIPT_FONT_PATH to a TrueType CJK font (.ttf or .ttc)." >&2
  exit 1
fi
echo "ensure_fonts: installed $FONT_PATH"
