#!/usr/bin/env bash
# The macOS disk image: make-dmg.sh APP DMG
#
# APP is the bundle packaging/build.py made (dist/NetRaven Desktop.app); DMG the image to
# write. The image opens on the app and a link to /Applications, to drag it across.
# packaging/build.py runs this on macOS; hdiutil ships with macOS.
set -euo pipefail

die() {
    echo "make-dmg.sh: error: $*" >&2
    exit 1
}

[[ $# -eq 2 ]] || die "usage: $0 APP DMG"
app=$1
dmg=$2
[[ -d "$app" ]] || die "no app bundle at $app (run packaging/build.py first)"
command -v hdiutil >/dev/null 2>&1 || die "hdiutil not found (a .dmg is built on macOS only)"

stage=$(mktemp -d "${TMPDIR:-/tmp}/netraven-dmg.XXXXXX")
trap 'rm -rf "$stage"' EXIT
# ditto keeps the bundle's symlinks, permissions and code signature intact.
ditto "$app" "$stage/$(basename "$app")"
ln -s /Applications "$stage/Applications"
rm -f "$dmg"
hdiutil create -volname "NetRaven Desktop" -srcfolder "$stage" -fs HFS+ -format UDZO \
    -ov "$dmg" >/dev/null
echo "make-dmg.sh: wrote $dmg"
