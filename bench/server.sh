#!/usr/bin/env bash
# bench/server.sh: the benchmark of issue 6, section 5. Prints one Markdown table on stdout
# (progress, machine and load average go to stderr).
#
#   xpkg serve against docker-registry in the same run, both on free 127.0.0.1 ports, access logs off,
#   the same images pushed into both with skopeo: manifest GET and HEAD request rate and p99 latency
#   (wrk for GET, ab for HEAD, bounded duration); GET of a 1 GiB blob (curl, warm page cache); push of a 100 MiB image
#   with skopeo copy into a fresh, empty server per run. Mirror mode is measured by bench/mirror.sh.
#
# Usage: bench/server.sh
# Environment: RUNS=5 (median of), WRK_ARGS="-t1 -c16 -d10s", BIG_GIB=1 (0 skips the blob rows),
#              MAKE_TEST_IMAGES, TMPDIR.
# Needs: docker-registry, skopeo, wrk, ab (apache2-utils), curl, jq, python3, GNU time, openssl, tar, gzip, the .NET SDK.
# Servers listen on 127.0.0.1 only and are stopped by PID; no other network is used.
set -euo pipefail
export LC_ALL=C
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIG_GIB=${BIG_GIB:-1}
# One wrk thread and 16 connections: wrk and the server share the machine's 2 CPUs, so more threads or
# connections only measure the scheduler's queue.
WRK_ARGS=${WRK_ARGS:-"-t1 -c16 -d10s"}

bench_begin docker-registry:docker-registry skopeo:skopeo wrk:wrk apache2-utils:ab curl:curl jq:jq python3:python3 \
  openssl:openssl gzip:gzip tar:tar
REG_VERSION=$(docker-registry --version 2>/dev/null | awk '{ print $3 }' | sed 's/^v//')

say "making the 100 MiB test image under $WORK"
make_test_image 100
MANIFEST_DIGEST=$(jq -r '.manifests[0].digest' "$IMG/big/index.json")
ACCEPT='application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json'

# ---------- the two servers, with the same image ---------------------------------------------------
XP=$(free_port)
start_xpkg_serve "$WORK/xcache" "$XP" "$WORK/xserve.log"
X_PID=$SRV_PID
RP=$(free_port)
start_registry "$WORK/reg" "$RP" 0
R_PID=$REG_PID
say "xpkg serve (pid $X_PID) on 127.0.0.1:$XP; docker-registry (pid $R_PID) on 127.0.0.1:$RP"
for port in "$XP" "$RP"; do
  push_image "$IMG/big:big" "127.0.0.1:$port/bench/big:latest" --preserve-digests
  got=$(curl -sf -o /dev/null -w '%{http_code}' -H "Accept: $ACCEPT" "http://127.0.0.1:$port/v2/bench/big/manifests/latest")
  [ "$got" = 200 ] || die "127.0.0.1:$port does not serve bench/big:latest"
  got=$(curl -sfI -H "Accept: $ACCEPT" "http://127.0.0.1:$port/v2/bench/big/manifests/latest" | tr -d '\r' \
    | awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }')
  [ "$got" = "$MANIFEST_DIGEST" ] || die "127.0.0.1:$port: manifest digest $got, expected $MANIFEST_DIGEST"
done

# ---------- manifest GET and HEAD: wrk -----------------------------------------------------------
for method in GET; do
  cat >"$WORK/$method.lua" <<EOF
wrk.method = "$method"
wrk.headers["Accept"] = "$ACCEPT"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
EOF
done
TICK_US=$(awk -v t="$(getconf CLK_TCK)" 'BEGIN { print 1e6 / t }')
# per_request_us TICKS REQUESTS: server CPU per request in microseconds.
per_request_us() { awk -v t="$1" -v r="$2" -v u="$TICK_US" 'BEGIN { printf "%.0f", t * u / r }'; }

# run_wrk METHOD PORT PID: sets W_RPS, W_P50_MS, W_P99_MS, W_CPU_US (server CPU per request), W_LOAD;
# fails when a request failed.
run_wrk() {
  local out t0
  t0=$(cpu_ticks "$3")
  # shellcheck disable=SC2086
  out=$(wrk $WRK_ARGS --timeout 5s -s "$WORK/$1.lua" "http://127.0.0.1:$2/v2/bench/big/manifests/latest" | grep '^BENCH ')
  W_LOAD=$(cut -d' ' -f1 /proc/loadavg)
  read -r _ reqs dur p50 p99 errs <<<"$out"
  [ "$errs" = 0 ] || die "wrk $1 on 127.0.0.1:$2: $errs errors (or non-2xx answers) in $reqs requests"
  W_CPU_US=$(per_request_us $(($(cpu_ticks "$3") - t0)) "$reqs")
  W_RPS=$(awk -v r="$reqs" -v d="$dur" 'BEGIN { printf "%.0f", r / d * 1e6 }')
  W_P50_MS=$(awk -v u="$p50" 'BEGIN { printf "%.2f", u / 1000 }')
  W_P99_MS=$(awk -v u="$p99" 'BEGIN { printf "%.2f", u / 1000 }')
}
# wrk 4.1.0 cannot measure HEAD: its HTTP parser is not told that a response answers a HEAD request, so
# it waits for the Content-Length bytes of a body that never comes (0 requests complete). HEAD goes
# through ab (apache2-utils) instead, with keep-alive, the same concurrency and the same duration.
WRK_C=$(sed -n 's/.*-c *\([0-9]\+\).*/\1/p' <<<"$WRK_ARGS"); WRK_C=${WRK_C:-16}
WRK_D=$(sed -n 's/.*-d *\([0-9]\+\)s.*/\1/p' <<<"$WRK_ARGS"); WRK_D=${WRK_D:-10}
run_ab() {
  local out reqs fails non2xx t0
  t0=$(cpu_ticks "$3")
  out=$(ab -q -k -i -c "$WRK_C" -t "$WRK_D" -n 10000000 -H "Accept: $ACCEPT" \
    "http://127.0.0.1:$2/v2/bench/big/manifests/latest" 2>&1) || die "ab failed: $out"
  W_LOAD=$(cut -d' ' -f1 /proc/loadavg)
  reqs=$(awk '/^Complete requests:/ { print $3 }' <<<"$out")
  W_CPU_US=$(per_request_us $(($(cpu_ticks "$3") - t0)) "$reqs")
  fails=$(awk '/^Failed requests:/ { print $3 }' <<<"$out")
  non2xx=$(awk '/^Non-2xx responses:/ { print $3 }' <<<"$out"); non2xx=${non2xx:-0}
  [ "$fails" = 0 ] && [ "$non2xx" = 0 ] || die "ab HEAD on 127.0.0.1:$2: $fails failed, $non2xx non-2xx of $reqs"
  W_RPS=$(awk '/^Requests per second:/ { printf "%.0f", $4 }' <<<"$out")
  W_P50_MS=$(awk '$1 == "50%" { printf "%.2f", $2 }' <<<"$out")
  W_P99_MS=$(awk '$1 == "99%" { printf "%.2f", $2 }' <<<"$out")
}
for method in GET HEAD; do
  if [ "$method" = GET ]; then tool="wrk $WRK_ARGS"; run=run_wrk; else tool="ab -k -i -c $WRK_C -t $WRK_D"; run=run_ab; fi
  # Two runs each, in the order xpkg, docker-registry, docker-registry, xpkg, so that load from other
  # users of the machine hits both alike; requests/s is the mean of the two, p99 the worse of the two.
  say "manifest $method: $tool, 2 runs each (xpkg, docker-registry, docker-registry, xpkg)"
  $run "$method" "$XP" "$X_PID"; x1=$W_RPS; xa=$W_P99_MS; xb50=$W_P50_MS; xc1=$W_CPU_US; l1=$W_LOAD
  $run "$method" "$RP" "$R_PID"; r1=$W_RPS; ra=$W_P99_MS; rb50=$W_P50_MS; rc1=$W_CPU_US; l2=$W_LOAD
  $run "$method" "$RP" "$R_PID"; r2=$W_RPS; rb=$W_P99_MS; rc2=$W_CPU_US; l3=$W_LOAD
  $run "$method" "$XP" "$X_PID"; x2=$W_RPS; xb=$W_P99_MS; xc2=$W_CPU_US; l4=$W_LOAD
  say "manifest $method: xpkg $x1, $x2 req/s (p99 $xa, $xb ms; $xc1, $xc2 µs CPU/request; load $l1, $l4);" \
    "docker-registry $r1, $r2 req/s (p99 $ra, $rb ms; $rc1, $rc2 µs CPU/request; load $l2, $l3)"
  xr=$(( (x1 + x2) / 2 )); rr=$(( (r1 + r2) / 2 ))
  xp99=$(maximum "$xa" "$xb"); rp99=$(maximum "$ra" "$rb")
  r=$(ratio "$xr" "$rr")
  row "manifest $method ($tool)" "requests/s, mean of 2" "$xr" "$rr" "${r}×" "≥ 5×" "$(met "$r" ">=" 5)"
  row "manifest $method ($tool)" "p99 latency, worse of 2 (p50 of the first run)" "$xp99 ms ($xb50 ms)" "$rp99 ms ($rb50 ms)" "" "< 5 ms" "$(met "$xp99" "<" 5)"
  row "manifest $method ($tool)" "server CPU per request, mean of 2" "$(( (xc1 + xc2) / 2 )) µs" "$(( (rc1 + rc2) / 2 )) µs" "" "" ""
  row "manifest $method ($tool)" "1-min load average after each run (xpkg; docker-registry)" "$l1, $l4" "$l2, $l3" "" "" ""
done

# ---------- push of 100 MiB with skopeo into a fresh server per run ---------------------------------
say "push 100 MiB with skopeo into a fresh server per run: warm-up, then $RUNS timed runs each (alternating)"
xw=(); rw=()
for ((i = 0; i <= RUNS; i++)); do
  for target in xpkg registry; do
    rm -rf "$WORK/p"; mkdir -p "$WORK/p"; p=$(free_port)
    if [ "$target" = xpkg ]; then start_xpkg_serve "$WORK/p/cache" "$p" "$WORK/p/serve.log"; pid=$SRV_PID
    else start_registry "$WORK/p/reg" "$p" 0; pid=$REG_PID; fi
    sync
    forget_skopeo_cache
    timed "$WORK/skopeo.log" skopeo copy -q --dest-tls-verify=false "oci:$IMG/big:big" "docker://127.0.0.1:$p/bench/pushed:latest"
    if [ "$i" = 0 ]; then
      curl -sf -o /dev/null -H "Accept: $ACCEPT" "http://127.0.0.1:$p/v2/bench/pushed/manifests/latest" \
        || die "push into $target left no manifest"
    elif [ "$target" = xpkg ]; then xw+=("$T_WALL"); else rw+=("$T_WALL"); fi
    stop_server "$pid"
  done
done
rm -rf "$WORK/p"
say "push: into xpkg serve ${xw[*]} s; into docker-registry ${rw[*]} s"
BIG_BYTES=$(jq '[.layers[].size] | add' "$IMG/big/blobs/sha256/${MANIFEST_DIGEST#sha256:}")
xm=$(median "${xw[@]}"); rm_=$(median "${rw[@]}"); r=$(ratio "$rm_" "$xm")
row "push 100 MiB with \`skopeo copy\`, empty server" "wall, median of $RUNS" "$(secs "$xm") ($(mbps "$BIG_BYTES" "$xm"))" \
  "$(secs "$rm_") ($(mbps "$BIG_BYTES" "$rm_"))" "${r}×" "> 1× (faster into xpkg serve)" "$(met "$r" ">=" 1.0001)"

# ---------- GET of a 1 GiB blob, warm -----------------------------------------------------------------
if [ "$BIG_GIB" = 1 ]; then
  if disk_below_gib 5; then
    say "skipping the 1 GiB blob rows: less than 5 GiB free under $WORK"
    row "blob GET 1 GiB" "" "skipped: less than 5 GiB of free disk" "" "" "≥ 1.0 GB/s" ""
  else
    say "making the 1 GiB test image (about a minute)"
    rm -rf "$IMG"
    make_test_image 1024 "$IMG"
    md=$(jq -r '.manifests[0].digest' "$IMG/big/index.json")
    layer=$(jq -r '.layers[0].digest' "$IMG/big/blobs/sha256/${md#sha256:}")
    lbytes=$(jq -r '.layers[0].size' "$IMG/big/blobs/sha256/${md#sha256:}")
    for port in "$XP" "$RP"; do push_image "$IMG/big:big" "127.0.0.1:$port/bench/big1g:latest" --preserve-digests; done
    rm -rf "$IMG"
    say "blob GET 1 GiB: one warm-up each, then $RUNS timed runs each (alternating)"
    xs=(); rs=()
    for ((i = 0; i <= RUNS; i++)); do
      for port in "$XP" "$RP"; do
        out=$(curl -sSf -o /dev/null -w '%{size_download} %{time_total}' "http://127.0.0.1:$port/v2/bench/big1g/blobs/$layer")
        read -r got t <<<"$out"
        [ "$got" = "$lbytes" ] || die "blob GET on 127.0.0.1:$port: $got bytes, expected $lbytes"
        [ "$i" = 0 ] && continue
        gbs=$(awk -v b="$got" -v t="$t" 'BEGIN { printf "%.3f", b / t / 1e9 }')
        if [ "$port" = "$XP" ]; then xs+=("$gbs"); else rs+=("$gbs"); fi
      done
    done
    say "blob GET: xpkg serve ${xs[*]} GB/s; docker-registry ${rs[*]} GB/s"
    xm=$(median "${xs[@]}"); rm_=$(median "${rs[@]}"); r=$(ratio "$xm" "$rm_")
    row "blob GET 1 GiB (curl, warm)" "GB/s, median of $RUNS" "$xm GB/s" "$rm_ GB/s" "${r}×" "≥ 1.0 GB/s and ≥ 1×" \
      "$(met "$xm" ">=" 1.0) / $(met "$r" ">=" 1)"
  fi
fi

row "pull of a cached tag through mirror mode" "added time per image" "measured by bench/mirror.sh" "" "" "< 50 ms" "see there"

stop_server "$X_PID"
stop_server "$R_PID"
say_load_at_end
print_table "| Benchmark | Metric | xpkg serve $XPKG_VERSION | docker-registry $REG_VERSION | xpkg / docker-registry | Goal | Met |"
