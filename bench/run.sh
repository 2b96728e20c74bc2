#!/usr/bin/env bash
# bench/run.sh: the benchmark of issue 2, section 6. Prints one Markdown table on stdout
# (progress goes to stderr).
#
#   xpkg load of a 100 MiB docker-archive and oci-archive against skopeo copy of the same files
#   into an OCI layout (wall time, median of RUNS runs, fresh empty target per run; peak RSS);
#   peak memory of xpkg load of a 1 GiB archive; xpkg --version and xpkg images (1,000 references)
#   process time (user+sys) and wall time.
#
# Usage: bench/run.sh            (from anywhere; runs ./xpkg of this checkout)
# Environment:
#   RUNS=5                 timed runs per measurement (the median is reported)
#   BIG_GIB=1              0 skips the 1 GiB rows (they need about 5 GiB of free disk under TMPDIR)
#   MAKE_TEST_IMAGES=PATH  the shared make-test-images.sh (default: ../shared/tools/ next to the repo)
#   TMPDIR                 where the scratch directory goes; everything in it is removed at the end
#
# Needs: bash, coreutils, GNU time (/usr/bin/time), skopeo, jq, GNU tar, gzip, openssl, the .NET SDK.
# Run as root, it installs the missing Debian packages; otherwise it says what to install and stops.
# No network is used beyond that installation. Times come from bash's `time` keyword (ms resolution,
# user and sys from getrusage of the child); peak RSS from GNU time's %M (ru_maxrss). Both wrap the
# measured command, which adds about 1 ms of fork/exec to each number.
set -euo pipefail
export LC_ALL=C

BIG_GIB=${BIG_GIB:-1}
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ---------- build and test images -------------------------------------------------------------
bench_begin skopeo:skopeo jq:jq openssl:openssl gzip:gzip tar:tar coreutils:sha256sum
SKOPEO_VERSION=$(skopeo --version | awk '{ print $3 }')

# make_archives MIB DIR: a random MIB-MiB image as DIR/big-docker-archive.tar and DIR/big-oci-archive.tar
# (and the small test images); sets IMG to DIR.
make_archives() {
  make_test_image "$1" "$2" BIG_ARCHIVE=1
  forget_skopeo_cache
  skopeo copy -q "oci:$IMG/big:big" "oci-archive:$IMG/big-oci-archive.tar:big"
  rm -rf "$IMG/big" "$IMG/umoci"
}

say "making the 100 MiB test images under $WORK"
make_archives 100 "$WORK/img"
DOCKER_ARCHIVE="$IMG/big-docker-archive.tar"
OCI_ARCHIVE="$IMG/big-oci-archive.tar"

# ---------- load: xpkg against skopeo ---------------------------------------------------------
# bench_load LABEL ARCHIVE SKOPEO_TRANSPORT XPKG_EXTRA_ARGS...
bench_load() {
  local label=$1 archive=$2 transport=$3 i dir
  shift 3
  local -a xw=() xc=() xr=() sw=() sc=() sr=()
  local bytes
  bytes=$(stat -c %s "$archive")
  say "$label: warm-up, then $RUNS timed runs each (alternating)"
  for ((i = 0; i <= RUNS; i++)); do
    dir="$WORK/run"
    rm -rf "$dir"; mkdir -p "$dir/cache"; sync
    timed "$WORK/xpkg.log" "$XPKG" --cache-dir "$dir/cache" load "$archive" "$@"
    if [ "$i" = 0 ]; then
      # Check once that the load did what it should: one named image with all its content.
      "$XPKG" --cache-dir "$dir/cache" images -o json | jq -e 'length == 1 and (.[0].ref != null)' >/dev/null \
        || die "$label: xpkg load did not produce one named image"
      "$XPKG" --cache-dir "$dir/cache" cache verify >/dev/null 2>&1 || die "$label: xpkg cache verify failed after load"
    else
      xw+=("$T_WALL"); xc+=("$T_CPU"); xr+=("$T_RSS")
    fi
    rm -rf "$dir"; mkdir -p "$dir/oci"; sync
    forget_skopeo_cache
    timed "$WORK/skopeo.log" skopeo copy -q "$transport:$archive" "oci:$dir/oci:tag"
    if [ "$i" = 0 ]; then
      jq -e '.manifests | length == 1' "$dir/oci/index.json" >/dev/null || die "$label: skopeo wrote no image"
    else
      sw+=("$T_WALL"); sc+=("$T_CPU"); sr+=("$T_RSS")
    fi
  done
  rm -rf "$dir"
  local xm sm r
  xm=$(median "${xw[@]}"); sm=$(median "${sw[@]}"); r=$(ratio "$sm" "$xm")
  say "$label: xpkg ${xw[*]} s; skopeo ${sw[*]} s"
  row "$label" "wall, median of $RUNS" "$(secs "$xm") ($(mbps "$bytes" "$xm"))" "$(secs "$sm") ($(mbps "$bytes" "$sm"))" \
    "${r}×" "skopeo/xpkg ≥ 2×" "$(met "$r" ">=" 2)"
  row "$label" "user+sys, median of $RUNS" "$(secs "$(median "${xc[@]}")")" "$(secs "$(median "${sc[@]}")")" \
    "$(ratio "$(median "${sc[@]}")" "$(median "${xc[@]}")")×" "" ""
  row "$label" "peak RSS, max of $RUNS" "$(mib "$(maximum "${xr[@]}")")" "$(mib "$(maximum "${sr[@]}")")" "" "" ""
}

bench_load "load 100 MiB docker-archive" "$DOCKER_ARCHIVE" docker-archive
bench_load "load 100 MiB oci-archive" "$OCI_ARCHIVE" oci-archive --tag example.com/bench/big:latest

# ---------- xpkg --version ----------------------------------------------------------------------
# bench_cli's rows leave the skopeo and ratio columns empty.
PEER_CELLS=2
say "xpkg --version"
bench_cli '`./xpkg --version`' "" "$XPKG" --version
bench_cli '`.build/xpkg/xpkg --version` (no launcher script)' "" "$XPKG_BIN" --version

# ---------- xpkg images with 1,000 references -----------------------------------------------
say "xpkg images with 1,000 references"
CACHE="$WORK/refs-cache"
"$XPKG" --cache-dir "$CACHE" load "$IMG/tiny-oci-archive.tar" --tag example.com/bench/img:tag0000 >/dev/null 2>&1 \
  || die "could not load the tiny image"
# The cache is an OCI layout: copy its one real index.json entry 1,000 times under new names.
jq -c '.manifests[0] as $e | .manifests = [range(1; 1001) as $i
        | $e | .annotations["org.opencontainers.image.ref.name"] = ("example.com/bench/img:tag" + ($i | tostring | ("000" + .)[-4:]))]' \
  "$CACHE/index.json" >"$WORK/index.json"
mv "$WORK/index.json" "$CACHE/index.json"
n=$("$XPKG" --cache-dir "$CACHE" images -o json | jq 'length')
[ "$n" = 1000 ] || die "expected 1000 references, xpkg images lists $n"
bench_cli '`./xpkg images`, 1,000 refs' 0.150 "$XPKG" --cache-dir "$CACHE" images
bench_cli '`./xpkg images -o json`, 1,000 refs' 0.150 "$XPKG" --cache-dir "$CACHE" images -o json
bench_cli '`.build/xpkg/xpkg images` (no launcher script), 1,000 refs' 0.150 "$XPKG_BIN" --cache-dir "$CACHE" images
rm -rf "$CACHE"

# ---------- 1 GiB: peak memory of xpkg load ------------------------------------------------------
rm -rf "$IMG"
if [ "$BIG_GIB" = 1 ]; then
  if disk_below_gib 6; then
    say "skipping the 1 GiB rows: less than 6 GiB free under $WORK"
    row "load 1 GiB archive" "peak RSS" "skipped: less than 6 GiB of free disk" "" "" "< 100 MiB" ""
  else
    say "making the 1 GiB test images (about a minute)"
    make_archives 1024 "$WORK/img1g"
    for kind in docker oci; do
      archive="$IMG/big-$kind-archive.tar"
      bytes=$(stat -c %s "$archive")
      extra=()
      [ "$kind" = oci ] && extra=(--tag example.com/bench/big1g:latest)
      rm -rf "$WORK/run"; mkdir -p "$WORK/run/cache"; sync
      say "load 1 GiB $kind-archive (one run)"
      timed "$WORK/xpkg.log" "$XPKG" --cache-dir "$WORK/run/cache" load "$archive" "${extra[@]}"
      row "load 1 GiB $kind-archive" "peak RSS, 1 run" "$(mib "$T_RSS")" "" "" "< 100 MiB" "$(met "$T_RSS" "<" 102400)"
      row "load 1 GiB $kind-archive" "wall / user+sys, 1 run" "$(secs "$T_WALL") ($(mbps "$bytes" "$T_WALL")) / $(secs "$T_CPU")" "" "" "" ""
      rm -rf "$WORK/run" "$archive"
    done
    rm -rf "$IMG"
  fi
fi

machine_info

# ---------- the table -------------------------------------------------------------------------
print_table "| Benchmark | Metric | xpkg $XPKG_VERSION | skopeo $SKOPEO_VERSION | skopeo / xpkg | Goal | Met |"
