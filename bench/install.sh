#!/usr/bin/env bash
# bench/install.sh: the benchmark of issue 5, section 7. Prints one Markdown table on stdout (progress,
# machine and load average go to stderr).
#
#   xpkg install of 50 cached packages with dependencies (20 Configurations, each depending on one of
#   20 Functions and one of 10 Providers), IfNotPresent, into a fresh state directory: process time
#   (user+sys, goal < 500 ms) and proof of zero requests twice over: the timed runs execute inside a
#   network namespace with no interfaces (unshare -n), where any connection attempt fails the install,
#   and RUNS more runs outside it are counted in the docker-registry access log (goal 0).
#   Then bench/InstallResolveBench: PackageInstaller.ResolveAsync of a 200-node dependency graph from
#   the cache, in-process after warm-up (goal < 100 ms).
#
# No peer tool runs beside it: Crossplane's package manager installs only inside a cluster, and every
# IfNotPresent reconcile of a tag sends a HEAD there (see ../shared/docs/crossplane-packages.md §4.2).
#
# Usage: bench/install.sh
# Environment: RUNS=5 (median of), RESOLVE_HARNESS=1 (0 skips the in-process row), GRAPH_NODES=200, TMPDIR.
# Needs: GNU time, docker-registry, unshare (util-linux), curl, python3, the .NET SDK.
set -euo pipefail
export LC_ALL=C
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RESOLVE_HARNESS=${RESOLVE_HARNESS:-1}
GRAPH_NODES=${GRAPH_NODES:-200}

bench_begin docker-registry:docker-registry util-linux:unshare curl:curl python3:python3
unshare -n true 2>/dev/null || die "unshare -n needs root (or user namespaces); run as root"

# ---------- 50 packages in a local docker-registry -------------------------------------------------
PORT=$(free_port)
start_registry "$WORK/registry" "$PORT"
PKGS="127.0.0.1:$PORT/bench"
SEED="$WORK/seed-cache"

# package KIND NAME DEPENDS_ON_YAML: builds the package with xpkg build and pushes it as NAME:v1.0.0.
package() {
  local kind=$1 name=$2 deps=$3 root="$WORK/roots/$2"
  mkdir -p "$root"
  printf 'apiVersion: meta.pkg.crossplane.io/v1\nkind: %s\nmetadata:\n  name: %s\nspec:%s' "$kind" "$name" "$deps" >"$root/crossplane.yaml"
  "$XPKG_BIN" --cache-dir "$SEED" build --package-root "$root" --examples-root "$root/none" --package-file "$WORK/roots/$name.xpkg" >/dev/null 2>&1 \
    || die "xpkg build of $name failed"
  "$XPKG_BIN" --cache-dir "$SEED" push "$WORK/roots/$name.xpkg" "$PKGS/$name:v1.0.0" >/dev/null 2>&1 || die "xpkg push of $name failed"
}

say "building and pushing 50 packages to docker-registry on 127.0.0.1:$PORT"
MANIFESTS="$WORK/install.yaml"
: >"$MANIFESTS"
for i in $(seq 0 9); do package Provider "provider-p0$i" $' {}\n'; done
for i in $(seq -w 0 19); do package Function "function-f$i" $' {}\n'; done
for i in $(seq -w 0 19); do
  p=$(printf '%02d' $((10#$i % 10)))
  package Configuration "configuration-c$i" "
  dependsOn:
  - {apiVersion: pkg.crossplane.io/v1, kind: Function, package: $PKGS/function-f$i, version: \">=v1.0.0\"}
  - {apiVersion: pkg.crossplane.io/v1, kind: Provider, package: $PKGS/provider-p$p, version: \">=v1.0.0\"}
"
  printf -- '---\napiVersion: pkg.crossplane.io/v1\nkind: Configuration\nmetadata:\n  name: c%s\nspec:\n  package: %s/configuration-c%s:v1.0.0\n  packagePullPolicy: IfNotPresent\n' \
    "$i" "$PKGS" "$i" >>"$MANIFESTS"
done

CACHE="$WORK/cache"
say "first install: fills an empty cache from the registry"
timed "$WORK/first.log" "$XPKG_BIN" --cache-dir "$CACHE" install -f "$MANIFESTS" --state-dir "$WORK/state-first"
PACKAGES=$(find "$WORK/state-first/packages" -name '*.yaml' | wc -l)
[ "$PACKAGES" = 50 ] || die "expected 50 packages in the state directory, found $PACKAGES"
say "first install (from the registry): wall $T_WALL s, user+sys $T_CPU s"

# install_fresh LOG [PREFIX...]: one install into an empty state directory.
install_fresh() {
  local log=$1
  shift
  rm -rf "$WORK/state"
  timed "$log" "$@" "$XPKG_BIN" --cache-dir "$CACHE" install -f "$MANIFESTS" --state-dir "$WORK/state"
}

# ---------- timed: inside a network namespace with no interfaces ----------------------------------
install_fresh "$WORK/warm.log" unshare -n
w=(); c=(); r=()
for ((i = 1; i <= RUNS; i++)); do
  install_fresh "$WORK/isolated.log" unshare -n
  w+=("$T_WALL"); c+=("$T_CPU"); r+=("$T_RSS")
done
say "install, fresh state, unshare -n: wall ${w[*]} s; user+sys ${c[*]} s"
CM=$(median "${c[@]}")
LABEL="install 50 cached packages, IfNotPresent, fresh state"
row "$LABEL" "user+sys, median of $RUNS (unshare -n)" "$(ms "$CM")" "< 500 ms" "$(met "$CM" "<" 0.5)"
row "$LABEL" "wall, median of $RUNS (unshare -n)" "$(ms "$(median "${w[@]}")")" "" ""
row "$LABEL" "peak RSS, max of $RUNS" "$(mib "$(maximum "${r[@]}")")" "" ""

w=(); c=()
for ((i = 1; i <= RUNS; i++)); do
  timed "$WORK/rerun.log" unshare -n "$XPKG_BIN" --cache-dir "$CACHE" install -f "$MANIFESTS" --state-dir "$WORK/state"
  grep -q 'is up to date' "$WORK/rerun.log" || die "a re-run changed the state: $(cat "$WORK/rerun.log")"
  w+=("$T_WALL"); c+=("$T_CPU")
done
say "re-run, state up to date: wall ${w[*]} s; user+sys ${c[*]} s"
row "re-run of the same install, state up to date" "user+sys, median of $RUNS (unshare -n)" "$(ms "$(median "${c[@]}")")" "" ""

# ---------- counted: outside the namespace, in the registry's access log --------------------------
BEFORE=$(access_count "$WORK/registry/registry.log")
for ((i = 1; i <= RUNS; i++)); do install_fresh "$WORK/counted.log"; done
REQUESTS=$(( $(access_count "$WORK/registry/registry.log") - BEFORE ))
say "registry requests during $RUNS installs with network: $REQUESTS"
row "$LABEL" "registry requests, $RUNS installs with network (access log)" "$REQUESTS" "0" "$(met "$REQUESTS" "<=" 0)"

# ---------- in-process: resolution of a 200-node graph ---------------------------------------------
if [ "$RESOLVE_HARNESS" = 1 ]; then
  say "building bench/InstallResolveBench"
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet build -c Release -v quiet -nologo "$REPO/bench/InstallResolveBench" >"$WORK/harness-build.log" 2>&1 \
    || { sed 's/^/  | /' "$WORK/harness-build.log" >&2; die "building the harness failed"; }
  dotnet "$REPO/bench/InstallResolveBench/bin/Release/net10.0/InstallResolveBench.dll" "$WORK/graph" "$GRAPH_NODES" 20 30 >"$WORK/resolve.out"
  say "resolution: $(tr '\n' ' ' <"$WORK/resolve.out")"
  NODES=$(awk '$1 == "nodes" { print $2 }' "$WORK/resolve.out")
  MEDIAN=$(awk '$1 == "median_ms" { print $2 }' "$WORK/resolve.out")
  row "resolve a $NODES-node dependency graph (in-process, after warm-up)" "wall, median of 30" "$(awk -v m="$MEDIAN" 'BEGIN { printf "%.1f ms", m }')" "< 100 ms" "$(met "$MEDIAN" "<" 100)"
  CPU=$(awk '$1 == "cpu_ms" { print $2 }' "$WORK/resolve.out")
  row "resolve a $NODES-node dependency graph (in-process, after warm-up)" "process user+sys per resolution, mean of 30" "$(awk -v m="$CPU" 'BEGIN { printf "%.1f ms", m }')" "< 100 ms" "$(met "$CPU" "<" 100)"
  row "resolve a $NODES-node dependency graph" "first (cold) run" "$(awk '$1 == "first_ms" { printf "%.0f ms", $2 }' "$WORK/resolve.out")" "" ""
fi

say "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
print_table "| Benchmark | Metric | xpkg $XPKG_VERSION | Goal | Met |"
