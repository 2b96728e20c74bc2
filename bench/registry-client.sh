#!/usr/bin/env bash
# bench/registry-client.sh: the benchmark of issue 3, section 7. Prints one Markdown table on stdout
# (progress, machine and load average go to stderr).
#
#   cold xpkg pull of a 100 MiB single-layer image from a local docker-registry into an empty cache
#   against skopeo copy docker://… oci:DIR:tag; xpkg push of the same image from the cache against
#   skopeo copy oci:… docker://… (a fresh, empty registry per push); pull of a 4-layer 200 MiB image
#   with --jobs 1 against --jobs 4; IfNotPresent pull of a cached tag (requests counted in the
#   registry's access log, process time); peak RSS of a 1 GiB pull.
#
# Usage: bench/registry-client.sh
# Environment: RUNS=5 (median of), BIG_GIB=1 (0 skips the 1 GiB row), MAKE_TEST_IMAGES, TMPDIR.
# Needs: docker-registry, skopeo, curl, jq, python3, GNU time, openssl, tar, gzip, the .NET SDK.
# Servers listen on 127.0.0.1 only and are stopped by PID; no other network is used.
set -euo pipefail
export LC_ALL=C
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIG_GIB=${BIG_GIB:-1}

bench_begin docker-registry:docker-registry skopeo:skopeo curl:curl jq:jq python3:python3 openssl:openssl \
  gzip:gzip tar:tar
SKOPEO_VERSION=$(skopeo --version | awk '{ print $3 }')

# ---------- images and the source registry -------------------------------------------------------
say "making the 100 MiB test image under $WORK"
make_test_image 100

# The 4-layer image: 4 random 50 MiB layers, stored as uncompressed tar layers (random bytes do not
# compress), pushed with --preserve-digests so the registry holds exactly these blobs.
say "making the 4-layer 200 MiB OCI layout"
L4="$WORK/four"
mkdir -p "$L4/blobs/sha256" "$WORK/l4src"
layers_json="[]"
for n in 1 2 3 4; do
  head -c $((50 * MIB)) /dev/zero \
    | openssl enc -aes-256-ctr -nosalt -pass "pass:bench-layer-$n" -pbkdf2 >"$WORK/l4src/layer$n.bin" 2>/dev/null
  tar -C "$WORK/l4src" --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$WORK/layer.tar" "layer$n.bin"
  rm -f "$WORK/l4src/layer$n.bin"
  d=$(sha256sum "$WORK/layer.tar" | cut -d' ' -f1)
  s=$(stat -c %s "$WORK/layer.tar")
  mv "$WORK/layer.tar" "$L4/blobs/sha256/$d"
  layers_json=$(jq -c --arg d "sha256:$d" --argjson s "$s" \
    '. + [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $d, size: $s}]' <<<"$layers_json")
  diff_ids=$(jq -c '[.[].digest]' <<<"$layers_json")
done
jq -nc --argjson ids "$diff_ids" \
  '{architecture: "amd64", os: "linux", config: {}, rootfs: {type: "layers", diff_ids: $ids}}' >"$WORK/config.json"
cd_=$(sha256sum "$WORK/config.json" | cut -d' ' -f1); cs=$(stat -c %s "$WORK/config.json")
mv "$WORK/config.json" "$L4/blobs/sha256/$cd_"
jq -nc --arg cd "sha256:$cd_" --argjson cs "$cs" --argjson layers "$layers_json" \
  '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs}, layers: $layers}' \
  >"$WORK/manifest.json"
md=$(sha256sum "$WORK/manifest.json" | cut -d' ' -f1); ms_=$(stat -c %s "$WORK/manifest.json")
mv "$WORK/manifest.json" "$L4/blobs/sha256/$md"
jq -nc --arg md "sha256:$md" --argjson ms "$ms_" \
  '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md,
    size: $ms, annotations: {"org.opencontainers.image.ref.name": "four"}}]}' >"$L4/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$L4/oci-layout"
FOUR_BYTES=$(jq '[.[].size] | add' <<<"$layers_json")

PORT=$(free_port)
REG="127.0.0.1:$PORT"
start_registry "$WORK/reg" "$PORT" 1
SRC_PID=$REG_PID
say "docker-registry (pid $SRC_PID) on $REG"
push_image "$IMG/big:big" "$REG/bench/big:latest"
push_image "$L4:four" "$REG/bench/four:latest" --preserve-digests
BIG_BYTES=$(jq '[.layers[].size] | add' "$IMG/big/blobs/sha256/$(jq -r '.manifests[0].digest' "$IMG/big/index.json" | cut -d: -f2)")

# ---------- cold pull: xpkg against skopeo ----------------------------------------------------------
say "cold pull 100 MiB: warm-up, then $RUNS timed runs each (alternating)"
xw=(); xc=(); xr=(); sw=(); sc=(); sr=()
for ((i = 0; i <= RUNS; i++)); do
  rm -rf "$WORK/run"; mkdir -p "$WORK/run/cache"; sync
  timed "$WORK/xpkg.log" "$XPKG_BIN" --cache-dir "$WORK/run/cache" pull "$REG/bench/big:latest"
  if [ "$i" = 0 ]; then
    "$XPKG_BIN" --cache-dir "$WORK/run/cache" cache verify >/dev/null 2>&1 || die "xpkg cache verify failed after pull"
  else xw+=("$T_WALL"); xc+=("$T_CPU"); xr+=("$T_RSS"); fi
  rm -rf "$WORK/run"; mkdir -p "$WORK/run"; sync
  forget_skopeo_cache
  timed "$WORK/skopeo.log" skopeo copy -q --src-tls-verify=false "docker://$REG/bench/big:latest" "oci:$WORK/run/oci:tag"
  if [ "$i" = 0 ]; then
    jq -e '.manifests | length == 1' "$WORK/run/oci/index.json" >/dev/null || die "skopeo pulled nothing"
  else sw+=("$T_WALL"); sc+=("$T_CPU"); sr+=("$T_RSS"); fi
done
rm -rf "$WORK/run"
say "cold pull: xpkg ${xw[*]} s; skopeo ${sw[*]} s"
xm=$(median "${xw[@]}"); sm=$(median "${sw[@]}"); r=$(ratio "$xm" "$sm")
row "cold pull 100 MiB, 1 layer" "wall, median of $RUNS" "$(secs "$xm") ($(mbps "$BIG_BYTES" "$xm"))" \
  "$(secs "$sm") ($(mbps "$BIG_BYTES" "$sm"))" "$r" "xpkg/skopeo ≤ 0.6" "$(met "$r" "<=" 0.6)"
row "cold pull 100 MiB, 1 layer" "user+sys, median of $RUNS" "$(secs "$(median "${xc[@]}")")" \
  "$(secs "$(median "${sc[@]}")")" "$(ratio "$(median "${xc[@]}")" "$(median "${sc[@]}")")" "" ""
row "cold pull 100 MiB, 1 layer" "peak RSS, max of $RUNS" "$(mib "$(maximum "${xr[@]}")")" "$(mib "$(maximum "${sr[@]}")")" "" "" ""

# ---------- push: xpkg (from the cache) against skopeo (from the OCI layout) -----------------------
CACHE="$WORK/cache"
"$XPKG_BIN" --cache-dir "$CACHE" pull "$REG/bench/big:latest" >/dev/null 2>&1 || die "could not pull into $CACHE"
say "push 100 MiB into a fresh registry per run: warm-up, then $RUNS timed runs each (alternating)"
# The registry's own floor: one bare monolithic PUT of the layer blob with curl (no manifest, no client
# start-up). No client can push faster than docker-registry takes to receive, hash and store the bytes.
LAYER_FILE="$IMG/big/blobs/sha256/$(ls -S "$IMG/big/blobs/sha256" | head -n 1)"
LAYER_DIGEST="sha256:$(basename "$LAYER_FILE")"
cat >"$WORK/curl-push.sh" <<'SH'
#!/bin/bash
set -euo pipefail
loc=$(curl -sf -D - -o /dev/null -X POST "http://$1/v2/bench/floor/blobs/uploads/" | tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')
case $loc in http*) ;; *) loc="http://$1$loc" ;; esac
case $loc in *\?*) sep='&' ;; *) sep='?' ;; esac
curl -sf -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' -T "$2" "$loc${sep}digest=$3"
SH
chmod +x "$WORK/curl-push.sh"
# The registry's CPU time during each push (utime + stime from /proc, in clock ticks) shows where the floor
# comes from: docker-registry hashes and stores at a few hundred MB/s, whoever sends.
TICK=$(getconf CLK_TCK)
xw=(); xc=(); xr=(); sw=(); sc=(); sr=(); cw=(); xg=(); sg=(); cg=()
for ((i = 0; i <= RUNS; i++)); do
  for tool in xpkg skopeo curl; do
    rm -rf "$WORK/preg"; P2=$(free_port)
    start_registry "$WORK/preg" "$P2" 0
    sync
    g0=$(cpu_ticks "$REG_PID")
    if [ "$tool" = xpkg ]; then
      timed "$WORK/xpkg.log" "$XPKG_BIN" --cache-dir "$CACHE" push "$REG/bench/big:latest" "127.0.0.1:$P2/bench/pushed:latest"
      [ "$i" = 0 ] || { xw+=("$T_WALL"); xc+=("$T_CPU"); xr+=("$T_RSS"); }
    elif [ "$tool" = skopeo ]; then
      forget_skopeo_cache
      timed "$WORK/skopeo.log" skopeo copy -q --dest-tls-verify=false "oci:$IMG/big:big" "docker://127.0.0.1:$P2/bench/pushed:latest"
      [ "$i" = 0 ] || { sw+=("$T_WALL"); sc+=("$T_CPU"); sr+=("$T_RSS"); }
    else
      timed "$WORK/curl.log" "$WORK/curl-push.sh" "127.0.0.1:$P2" "$LAYER_FILE" "$LAYER_DIGEST"
      [ "$i" = 0 ] || cw+=("$T_WALL")
    fi
    if [ "$i" = 0 ] && [ "$tool" != curl ]; then
      curl -sf -o /dev/null -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
        "http://127.0.0.1:$P2/v2/bench/pushed/manifests/latest" || die "$tool push left no manifest"
    fi
    g=$(awk -v a="$(cpu_ticks "$REG_PID")" -v b="$g0" -v t="$TICK" 'BEGIN { printf "%.3f", (a - b) / t }')
    if [ "$i" != 0 ]; then case $tool in xpkg) xg+=("$g") ;; skopeo) sg+=("$g") ;; curl) cg+=("$g") ;; esac; fi
    stop_server "$REG_PID"
  done
done
rm -rf "$WORK/preg"
say "push: xpkg ${xw[*]} s; skopeo ${sw[*]} s; bare curl PUT ${cw[*]} s"
xm=$(median "${xw[@]}"); sm=$(median "${sw[@]}"); r=$(ratio "$xm" "$sm")
row "push 100 MiB, 1 layer, empty registry" "wall, median of $RUNS" "$(secs "$xm") ($(mbps "$BIG_BYTES" "$xm"))" \
  "$(secs "$sm") ($(mbps "$BIG_BYTES" "$sm"))" "$r" "xpkg/skopeo ≤ 0.6" "$(met "$r" "<=" 0.6)"
row "push 100 MiB, 1 layer, empty registry" "user+sys, median of $RUNS" "$(secs "$(median "${xc[@]}")")" \
  "$(secs "$(median "${sc[@]}")")" "$(ratio "$(median "${xc[@]}")" "$(median "${sc[@]}")")" "" ""
row "push 100 MiB, 1 layer, empty registry" "peak RSS, max of $RUNS" "$(mib "$(maximum "${xr[@]}")")" "$(mib "$(maximum "${sr[@]}")")" "" "" ""
cm=$(median "${cw[@]}")
row "push floor: one bare \`curl -T\` PUT of the layer blob (in the xpkg column)" "wall, median of $RUNS" "$(secs "$cm")" \
  "$(secs "$sm")" "$(ratio "$cm" "$sm")" "" ""
say "push: docker-registry CPU: xpkg ${xg[*]} s; skopeo ${sg[*]} s; curl ${cg[*]} s"
row "push 100 MiB: docker-registry's own CPU during the push" "user+sys, median of $RUNS (xpkg / skopeo / bare curl)" \
  "$(secs "$(median "${xg[@]}")") / $(secs "$(median "${cg[@]}")") (curl)" "$(secs "$(median "${sg[@]}")")" \
  "registry CPU / skopeo wall: $(ratio "$(median "${cg[@]}")" "$sm")" "" ""

# ---------- push into xpkg serve: the same two clients where the registry is not the bottleneck ----
say "push 100 MiB into a fresh xpkg serve per run: warm-up, then $RUNS timed runs each (alternating)"
xw=(); sw=(); xc=(); sc=()
for ((i = 0; i <= RUNS; i++)); do
  for tool in xpkg skopeo; do
    rm -rf "$WORK/pserve"; mkdir -p "$WORK/pserve"; P2=$(free_port)
    start_xpkg_serve "$WORK/pserve/cache" "$P2" "$WORK/pserve/serve.log"
    sync
    if [ "$tool" = xpkg ]; then
      timed "$WORK/xpkg.log" "$XPKG_BIN" --cache-dir "$CACHE" push "$REG/bench/big:latest" "127.0.0.1:$P2/bench/pushed:latest"
      [ "$i" = 0 ] || { xw+=("$T_WALL"); xc+=("$T_CPU"); }
    else
      forget_skopeo_cache
      timed "$WORK/skopeo.log" skopeo copy -q --dest-tls-verify=false "oci:$IMG/big:big" "docker://127.0.0.1:$P2/bench/pushed:latest"
      [ "$i" = 0 ] || { sw+=("$T_WALL"); sc+=("$T_CPU"); }
    fi
    if [ "$i" = 0 ]; then
      curl -sf -o /dev/null -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
        "http://127.0.0.1:$P2/v2/bench/pushed/manifests/latest" || die "$tool push into xpkg serve left no manifest"
    fi
    stop_server "$SRV_PID"
  done
done
rm -rf "$WORK/pserve"
say "push into xpkg serve: xpkg ${xw[*]} s; skopeo ${sw[*]} s"
xm=$(median "${xw[@]}"); sm=$(median "${sw[@]}"); r=$(ratio "$xm" "$sm")
row "push 100 MiB, 1 layer, into an empty \`xpkg serve\`" "wall, median of $RUNS" "$(secs "$xm") ($(mbps "$BIG_BYTES" "$xm"))" \
  "$(secs "$sm") ($(mbps "$BIG_BYTES" "$sm"))" "$r" "(xpkg/skopeo ≤ 0.6)" "$(met "$r" "<=" 0.6)"
row "push 100 MiB, 1 layer, into an empty \`xpkg serve\`" "user+sys, median of $RUNS" "$(secs "$(median "${xc[@]}")")" \
  "$(secs "$(median "${sc[@]}")")" "$(ratio "$(median "${xc[@]}")" "$(median "${sc[@]}")")" "" ""

# ---------- 4 layers: --jobs 1 against --jobs 4 -----------------------------------------------------
say "pull 4 × 50 MiB: warm-up, then $RUNS timed runs each of --jobs 1 and --jobs 4 (alternating)"
j1=(); j4=(); c1=(); c4=()
for ((i = 0; i <= RUNS; i++)); do
  for j in 1 4; do
    rm -rf "$WORK/run"; mkdir -p "$WORK/run/cache"; sync
    timed "$WORK/xpkg.log" "$XPKG_BIN" --cache-dir "$WORK/run/cache" pull "$REG/bench/four:latest" --jobs "$j"
    [ "$i" = 0 ] && continue
    if [ "$j" = 1 ]; then j1+=("$T_WALL"); c1+=("$T_CPU"); else j4+=("$T_WALL"); c4+=("$T_CPU"); fi
  done
done
rm -rf "$WORK/run"
say "4 layers: --jobs 1 ${j1[*]} s; --jobs 4 ${j4[*]} s"
m1=$(median "${j1[@]}"); m4=$(median "${j4[@]}")
row "cold pull 200 MiB, 4 layers, \`--jobs 1\`" "wall, median of $RUNS" "$(secs "$m1") ($(mbps "$FOUR_BYTES" "$m1"))" "" "" "" ""
row "cold pull 200 MiB, 4 layers, \`--jobs 4\`" "wall, median of $RUNS" "$(secs "$m4") ($(mbps "$FOUR_BYTES" "$m4"))" "" \
  "jobs 1 / jobs 4: $(ratio "$m1" "$m4")×" "a parallel gain (> 1×)" "$(met "$(ratio "$m1" "$m4")" ">=" 1.0001)"
row "cold pull 200 MiB, 4 layers" "user+sys, median of $RUNS (jobs 1 / jobs 4)" "$(secs "$(median "${c1[@]}")") / $(secs "$(median "${c4[@]}")")" "" "" "" ""

# ---------- IfNotPresent pull of a cached tag --------------------------------------------------------
say "IfNotPresent pull of a cached tag: $RUNS timed runs after one warm-up"
before=$(access_count "$WORK/reg/registry.log")
w=(); c=(); r_=()
for ((i = 0; i <= RUNS; i++)); do
  timed "$WORK/xpkg.log" "$XPKG_BIN" --cache-dir "$CACHE" pull "$REG/bench/big:latest" --policy IfNotPresent
  [ "$i" = 0 ] || { w+=("$T_WALL"); c+=("$T_CPU"); r_+=("$T_RSS"); }
done
sleep 0.5
after=$(access_count "$WORK/reg/registry.log")
requests=$((after - before))
cm=$(median "${c[@]}")
say "IfNotPresent: user+sys ${c[*]} s; wall ${w[*]} s; registry requests $before -> $after"
row "\`pull --policy IfNotPresent\`, cached tag" "registry requests, $((RUNS + 1)) pulls" "$requests" "" "" "0" "$(met "$requests" "<=" 0)"
row "\`pull --policy IfNotPresent\`, cached tag" "user+sys, median of $RUNS" "$(ms "$cm")" "" "" "< 100 ms" "$(met "$cm" "<" 0.100)"
row "\`pull --policy IfNotPresent\`, cached tag" "wall, median of $RUNS" "$(ms "$(median "${w[@]}")")" "" "" "" ""
rm -rf "$CACHE"

# ---------- 1 GiB pull: peak RSS ---------------------------------------------------------------------
if [ "$BIG_GIB" = 1 ]; then
  if disk_below_gib 4; then
    say "skipping the 1 GiB row: less than 4 GiB free under $WORK"
    row "cold pull 1 GiB" "peak RSS" "skipped: less than 4 GiB of free disk" "" "" "< 150 MiB" ""
  else
    say "making the 1 GiB test image (about a minute)"
    rm -rf "$IMG"
    make_test_image 1024 "$IMG"
    push_image "$IMG/big:big" "$REG/bench/big1g:latest"
    bytes=$(jq '[.layers[].size] | add' "$IMG/big/blobs/sha256/$(jq -r '.manifests[0].digest' "$IMG/big/index.json" | cut -d: -f2)")
    rm -rf "$IMG"
    rm -rf "$WORK/run"; mkdir -p "$WORK/run/cache"; sync
    say "cold pull 1 GiB (one run)"
    timed "$WORK/xpkg.log" "$XPKG_BIN" --cache-dir "$WORK/run/cache" pull "$REG/bench/big1g:latest"
    row "cold pull 1 GiB, 1 layer" "peak RSS, 1 run" "$(mib "$T_RSS")" "" "" "< 150 MiB" "$(met "$T_RSS" "<" 153600)"
    row "cold pull 1 GiB, 1 layer" "wall / user+sys, 1 run" "$(secs "$T_WALL") ($(mbps "$bytes" "$T_WALL")) / $(secs "$T_CPU")" "" "" "" ""
    rm -rf "$WORK/run"
  fi
fi

stop_server "$SRC_PID"
say_load_at_end
print_table "| Benchmark | Metric | xpkg $XPKG_VERSION | skopeo $SKOPEO_VERSION | xpkg / skopeo | Goal | Met |"
