#!/usr/bin/env bash
# bench/mirror.sh: the mirror row of issue 6, section 5 ("pull of a cached tag through mirror mode: under
# 50 ms added per image over a direct pull"). Prints one Markdown table on stdout (progress, machine and
# load average go to stderr).
#
#   docker-registry holds a 20 MiB two-layer image; `xpkg serve --mirror` runs in front of it. The same
#   client (`xpkg pull` into a fresh, empty cache each run, so every blob moves) pulls the tag directly from
#   docker-registry and through the mirror by `ns` (a hosts.toml naming the mirror, as containerd is set up),
#   alternating. The mirror's cache is warmed first: the tag is cached and within its TTL (1h). A second
#   mirror with --mirror-ttl 0s measures the revalidating case (one HEAD upstream per tag request). Then the
#   same without the client's start-up: one curl fetching the manifest by tag and every blob, RUNS×5 times.
#
# Usage: bench/mirror.sh
# Environment: RUNS=5 (median of), MAKE_TEST_IMAGES, TMPDIR.
# Needs: docker-registry, skopeo, curl, jq, python3, GNU time, the .NET SDK.
# Servers listen on 127.0.0.1 only and are stopped by PID; no other network is used.
set -euo pipefail
export LC_ALL=C
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_begin docker-registry:docker-registry skopeo:skopeo curl:curl jq:jq python3:python3
REG_VERSION=$(docker-registry --version 2>/dev/null | awk '{ print $3 }' | sed 's/^v//')

say "making the 20 MiB test image under $WORK"
make_test_image 20
DIGEST=$(jq -r '.manifests[0].digest' "$IMG/big/index.json")

RP=$(free_port)
start_registry "$WORK/reg" "$RP" 0
R_PID=$REG_PID
push_image "$IMG/big:big" "127.0.0.1:$RP/bench/img:latest" --preserve-digests
UP="127.0.0.1:$RP"

# start_mirror NAME TTL: xpkg serve --mirror over its own cache; sets M_PORT and M_PID.
start_mirror() {
  M_PORT=$(free_port)
  "$XPKG_BIN" --cache-dir "$WORK/$1-cache" serve --addr "127.0.0.1:$M_PORT" --mirror --mirror-ttl "$2" --log-format none \
    >"$WORK/$1.log" 2>&1 &
  M_PID=$!
  SERVER_PIDS+=("$M_PID")
  wait_http "http://127.0.0.1:$M_PORT/v2/"
  mkdir -p "$WORK/$1-hosts/$UP"
  printf 'server = "http://%s"\n[host."http://127.0.0.1:%s"]\n  capabilities = ["pull", "resolve"]\n' "$UP" "$M_PORT" \
    >"$WORK/$1-hosts/$UP/hosts.toml"
}
start_mirror cached 1h; C_PORT=$M_PORT; C_PID=$M_PID
start_mirror revalidating 0s; V_PORT=$M_PORT; V_PID=$M_PID
say "docker-registry (pid $R_PID) on $UP; mirrors (pids $C_PID, $V_PID) on 127.0.0.1:$C_PORT (ttl 1h), 127.0.0.1:$V_PORT (ttl 0s)"

# pull WAY: one xpkg pull of the tag into a fresh cache, directly or through a mirror; sets T_WALL.
pull() {
  local hosts=() out
  [ "$1" = direct ] || hosts=(--hosts-dir "$WORK/$1-hosts")
  rm -rf "$WORK/client"
  timed "$WORK/pull.log" "$XPKG_BIN" --cache-dir "$WORK/client" pull "$UP/bench/img:latest" "${hosts[@]}" --explain
  out=$(cat "$WORK/pull.log")
  grep -q "$DIGEST" <<<"$out" || die "pull $1 did not give $DIGEST: $out"
  if [ "$1" != direct ]; then grep -q "(mirror)" <<<"$out" || die "pull $1 did not go through the mirror: $out"; fi
}

# fetch WAY: the tag's manifest and every blob with one curl (one connection), as a registry client does
# after it resolved the tag; directly or through a mirror by ns; sets T_WALL.
BLOBS=$(jq -r '.config.digest, .layers[].digest' "$IMG/big/blobs/sha256/${DIGEST#sha256:}")
fetch() {
  local port=$RP query="" urls=() b
  case "$1" in cached) port=$C_PORT; query="?ns=$UP" ;; revalidating) port=$V_PORT; query="?ns=$UP" ;; esac
  urls=(-H "Accept: application/vnd.oci.image.manifest.v1+json" "http://127.0.0.1:$port/v2/bench/img/manifests/latest$query")
  for b in $BLOBS; do urls+=("http://127.0.0.1:$port/v2/bench/img/blobs/$b$query"); done
  timed "$WORK/fetch.log" curl -sSf -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null "${urls[@]}"
}

say "warming both mirrors' caches (one pull through each)"
pull cached; pull revalidating
say "pull: $RUNS timed runs each, alternating direct, cached mirror, revalidating mirror"
dw=(); cw=(); vw=()
for ((i = 0; i < RUNS; i++)); do
  pull direct; dw+=("$T_WALL")
  pull cached; cw+=("$T_WALL")
  pull revalidating; vw+=("$T_WALL")
done
say "direct ${dw[*]} s; through the mirror (cached) ${cw[*]} s; (revalidating) ${vw[*]} s"
CURL_RUNS=$((RUNS * 5))
say "curl: manifest by tag and every blob, $CURL_RUNS timed runs each, alternating"
df=(); cf=(); vf=()
for ((i = 0; i < CURL_RUNS; i++)); do
  fetch direct; df+=("$T_WALL")
  fetch cached; cf+=("$T_WALL")
  fetch revalidating; vf+=("$T_WALL")
done
say "curl: direct ${df[*]} s; cached mirror ${cf[*]} s; revalidating mirror ${vf[*]} s"
d=$(median "${dw[@]}"); c=$(median "${cw[@]}"); v=$(median "${vw[@]}")
added() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.0f", (a - b) * 1000 }'; }
ca=$(added "$c" "$d"); va=$(added "$v" "$d")
row "pull of a cached tag through mirror mode (xpkg pull, fresh client cache, 20 MiB, 2 layers)" "wall, median of $RUNS" \
  "$(secs "$c") through the mirror" "$(secs "$d") direct" "$ca ms" "< 50 ms added" "$(met "$ca" "<" 50)"
row "same, tag older than --mirror-ttl (one HEAD upstream to revalidate)" "wall, median of $RUNS" \
  "$(secs "$v") through the mirror" "$(secs "$d") direct" "$va ms" "< 50 ms added" "$(met "$va" "<" 50)"
d=$(median "${df[@]}"); c=$(median "${cf[@]}"); v=$(median "${vf[@]}")
ca=$(added "$c" "$d"); va=$(added "$v" "$d")
row "manifest by tag + every blob with one curl (the server's share alone)" "wall, median of $CURL_RUNS" \
  "$(ms "$c") through the mirror" "$(ms "$d") direct" "$ca ms" "< 50 ms added" "$(met "$ca" "<" 50)"
row "same, tag older than --mirror-ttl" "wall, median of $CURL_RUNS" \
  "$(ms "$v") through the mirror" "$(ms "$d") direct" "$va ms" "< 50 ms added" "$(met "$va" "<" 50)"

stop_server "$C_PID"; stop_server "$V_PID"; stop_server "$R_PID"
say_load_at_end
print_table "| Benchmark | Metric | xpkg serve --mirror $XPKG_VERSION | docker-registry $REG_VERSION (direct) | added | Goal | Met |"
