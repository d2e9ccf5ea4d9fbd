#!/usr/bin/env bash
# Installs the VS Code end-to-end harness: Debian's Chromium (and what code-server builds with),
# then code-server 4.100.3 (VS Code 1.100.3, the last on Node 20) and playwright-core into
# test/e2e/node_modules, kept out of the workspace users install. See ../shared/VSCODE_E2E.md.
set -euo pipefail
cd "$(dirname "$0")"

fail() {
  printf '\ntest/e2e/install.sh: %s\n' "$*" >&2
  exit 1
}

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v rg >/dev/null || missing+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    fail "missing Debian packages: ${missing[*]} (run: sudo apt-get install -y ${missing[*]})"
  fi
  echo "apt-get install ${missing[*]}"
  apt-get update -qq || fail "apt-get update failed: is Debian's package repository reachable?"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
    fail "apt-get install ${missing[*]} failed"
fi
command -v chromium >/dev/null || fail "Chromium is still missing after apt-get install chromium"

# @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable here; it takes a
# cached archive first, so give it Debian's rg under the names it looks for.
# (Versions pinned by code-server 4.100.3's shrinkwrap: @vscode/ripgrep 1.15.11 -> rg v13.0.0-10.)
cache_dir="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
mkdir -p "$cache_dir"
tar czf "$cache_dir/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(command -v rg)")" rg

# As root, code-server's postinstall stops without unsafe-perm; node-pty's `npx node-gyp` needs yes.
export npm_config_unsafe_perm=true npm_config_yes=true npm_config_fund=false npm_config_audit=false
npm ci --no-audit --no-fund || fail "npm ci of code-server 4.100.3 and playwright-core failed"

# npm 11 runs install scripts but warns it may stop: check that code-server's postinstall worked.
vscode_modules=node_modules/code-server/lib/vscode/node_modules
[[ -d $vscode_modules ]] || fail "code-server's postinstall did not run ($vscode_modules is missing)"
[[ -x $vscode_modules/@vscode/ripgrep/bin/rg ]] || fail "code-server's ripgrep is missing (the cache trick above failed)"
node node_modules/code-server/out/node/entry.js --version >/dev/null || fail "code-server does not start"
echo "e2e harness ready: $(node node_modules/code-server/out/node/entry.js --version | head -1), chromium $(chromium --version | awk '{print $2}')"
