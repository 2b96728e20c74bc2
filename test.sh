#!/usr/bin/env bash
# Runs every test. Installs the Debian packages the tests use when they are missing (as root),
# otherwise says what to install. Ends with one line: "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

declare -A provides=([skopeo]=skopeo [docker-registry]=docker-registry [containerd]=containerd [ctr]=containerd
  [podman]=podman [umoci]=umoci [htpasswd]=apache2-utils [jq]=jq [openssl]=openssl [unshare]=util-linux)
missing=()
for cmd in "${!provides[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${provides[$cmd]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: installing $pkgs" >&2
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $pkgs >/dev/null
  else
    echo "test.sh: missing test dependencies; install them with:" >&2
    echo "  sudo apt-get install -y $pkgs" >&2
    exit 1
  fi
fi
command -v dotnet >/dev/null || { echo "test.sh: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Xpkg.slnx -c Release 2>&1 | tee "$log" || status=$?

# dotnet test prints one summary per test project; add them up into the one closing line CI reads.
read -r passed failed skipped < <(awk '
  /(Passed|Failed)! +- +Failed:/ {
    for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1));
      if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
  END { printf "%d %d %d\n", p, f, s }' "$log")
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
