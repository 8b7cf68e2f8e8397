#!/usr/bin/env bash
# Compile the translation catalogues (*.po → *.mo, in the source tree; .mo files are not committed).
#
#   scripts/compilemessages.sh PYTHON_BIN_DIR
#
# Does nothing when every .mo is newer than its .po (so `make run` stays fast), uses
# `yinli compilemessages` (GNU gettext's msgfmt) when msgfmt is installed, and otherwise compiles
# with polib (pure Python, a dev dependency) so that a laptop without gettext still gets a
# Chinese UI.
set -euo pipefail

bin=${1:-.venv/bin}
bin=$(cd "$bin" && pwd)
cd "$(dirname "$0")/.."

mapfile -t catalogues < <(find src/yinli -path '*/locale/*/LC_MESSAGES/*.po' -type f | sort)
if [[ ${#catalogues[@]} -eq 0 ]]; then
    echo "messages: no .po catalogue yet, nothing to compile"
    exit 0
fi

stale=()
for po in "${catalogues[@]}"; do
    mo=${po%.po}.mo
    [[ "$mo" -nt "$po" ]] || stale+=("$po")
done
if [[ ${#stale[@]} -eq 0 ]]; then
    exit 0
fi

if command -v msgfmt >/dev/null 2>&1; then
    # Run from the package so that Django's walk for locale/ dirs stays out of .venv and node_modules.
    (cd src/yinli && "$bin/yinli" compilemessages --verbosity 1)
else
    echo "messages: msgfmt (GNU gettext) not found; compiling ${#stale[@]} catalogue(s) with polib"
    "$bin/python" - "${stale[@]}" <<'PY'
import sys

import polib

for po in sys.argv[1:]:
    polib.pofile(po).save_as_mofile(po[:-3] + ".mo")
    print(f"compiled {po}")
PY
fi
