#!/usr/bin/env bash
# Render a `jixiao summarize` HTML report to PNG in headless Chromium (no network, no GPU).
# Usage: scripts/screenshot_report.sh report/summary.html [report/summary.png] [1280,2400]
# Needs Debian's chromium: apt-get install -y chromium (and fonts-noto-cjk for Chinese glyphs).
set -euo pipefail

html="${1:?usage: $0 REPORT.html [OUT.png] [WIDTH,HEIGHT]}"
png="${2:-${html%.html}.png}"
size="${3:-1280,2400}"

chromium_bin="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [[ -z "$chromium_bin" ]]; then
  echo "E621: chromium not found; install it (apt-get install -y chromium) to take screenshots" >&2
  exit 1
fi
[[ -f "$html" ]] || { echo "E622: $html: no such report; run jixiao summarize first" >&2; exit 1; }

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
abs_html="$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
mkdir -p "$(dirname "$png")"
abs_png="$(cd "$(dirname "$png")" && pwd)/$(basename "$png")"
rm -f "$abs_png"

"$chromium_bin" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
  --user-data-dir="$profile" --screenshot="$abs_png" --window-size="$size" \
  "file://$abs_html" >/dev/null 2>&1 || true

if [[ ! -s "$abs_png" ]]; then
  echo "E622: chromium wrote no screenshot for $html" >&2
  exit 1
fi
echo "$abs_png"
