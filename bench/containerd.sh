#!/usr/bin/env bash
# bench/containerd.sh: the benchmark of issue 7, section 5. Prints one Markdown table on stdout
# (progress, machine and load average go to stderr).
#
#   Resolving and reading a 100 MiB image from containerd (`xpkg pull REF --containerd-socket S` into an
#   empty cache; the image was `ctr images import`ed into a private containerd this script starts) against
#   pulling the same image from a local docker-registry over HTTP (`xpkg pull` into an empty cache), with
#   `skopeo copy docker://… oci:…` from the same registry as a reference column, and the containerd pull
#   with XPKG_CONTAINERD_CONTENT_FILES=0 (content over the Read API instead of from containerd's files).
#   Also the CPU time the server (containerd or docker-registry) spent per pull.
#
# Usage: bench/containerd.sh            (as root: containerd needs it)
# Environment: RUNS=5 (median of), MAKE_TEST_IMAGES, TMPDIR.
# Needs: containerd and ctr, docker-registry, skopeo, curl, jq, python3, GNU time, openssl, tar, gzip, the .NET SDK.
# containerd gets its own config, root, state and socket under the scratch directory (CRI plugin disabled,
# so it touches nothing of the machine's); servers listen on 127.0.0.1 or a unix socket and are stopped by PID.
set -euo pipefail
export LC_ALL=C
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ "$(id -u)" = 0 ] || die "containerd needs root; run as root"
bench_begin containerd:containerd containerd:ctr docker-registry:docker-registry skopeo:skopeo curl:curl jq:jq \
  python3:python3 openssl:openssl gzip:gzip tar:tar
SKOPEO_VERSION=$(skopeo --version | awk '{ print $3 }')
CONTAINERD_VERSION=$(containerd --version | awk '{ print $3 }')
NS=k8s.io
NAME=docker.io/bench/big:latest

# ---------- the image, in containerd and in docker-registry --------------------------------------------
say "making the 100 MiB test image under $WORK"
make_test_image 100
forget_skopeo_cache
skopeo copy -q "oci:$IMG/big:big" "oci-archive:$IMG/big.tar:latest"
DIGEST=$(jq -r '.manifests[0].digest' "$IMG/big/index.json")
BIG_BYTES=$(jq '[.layers[].size] | add' "$IMG/big/blobs/sha256/${DIGEST#sha256:}")

CTD="$WORK/containerd"
SOCK="$CTD/containerd.sock"
mkdir -p "$CTD"
cat >"$CTD/config.toml" <<EOF
version = 2
root = "$CTD/root"
state = "$CTD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
containerd --config "$CTD/config.toml" >"$CTD/containerd.log" 2>&1 &
CTD_PID=$!
SERVER_PIDS+=("$CTD_PID")
for ((i = 0; i < 200; i++)); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || die "containerd did not start (see $CTD/containerd.log)"
ctr --address "$SOCK" --namespace "$NS" images import --no-unpack --base-name docker.io/bench/big "$IMG/big.tar" >/dev/null
got=$(ctr --address "$SOCK" --namespace "$NS" images ls | awk -v n="$NAME" '$1 == n { print $3 }')
[ "$got" = "$DIGEST" ] || die "ctr images import gave $NAME digest '$got', expected $DIGEST"
say "containerd $CONTAINERD_VERSION (pid $CTD_PID) on $SOCK holds $NAME ($DIGEST)"

PORT=$(free_port)
REG="127.0.0.1:$PORT"
start_registry "$WORK/reg" "$PORT" 0
say "docker-registry (pid $REG_PID) on $REG"
push_image "$IMG/big:big" "$REG/bench/big:latest"
rm -rf "$IMG"

TICK=$(getconf CLK_TCK)

# one_pull SIDE I: one run of one side into an empty target; appends to that side's arrays after the warm-up.
declare -A W C R S
one_pull() {
  local side=$1 i=$2 before after server
  rm -rf "$WORK/run"; mkdir -p "$WORK/run"; sync
  case $side in
    containerd)
      server=$CTD_PID; before=$(cpu_ticks "$server")
      timed "$WORK/$side.log" "$XPKG_BIN" --cache-dir "$WORK/run/cache" --offline -o json \
        --containerd-socket "$SOCK" --containerd-namespace "$NS" pull "$NAME" $([ "$i" = 0 ] && echo --explain) ;;
    containerd-api)
      server=$CTD_PID; before=$(cpu_ticks "$server")
      XPKG_CONTAINERD_CONTENT_FILES=0 timed "$WORK/$side.log" "$XPKG_BIN" --cache-dir "$WORK/run/cache" --offline -o json \
        --containerd-socket "$SOCK" --containerd-namespace "$NS" pull "$NAME" $([ "$i" = 0 ] && echo --explain) ;;
    registry)
      server=$REG_PID; before=$(cpu_ticks "$server")
      timed "$WORK/$side.log" "$XPKG_BIN" --cache-dir "$WORK/run/cache" -o json --insecure-registry "$REG" \
        pull "$REG/bench/big:latest" ;;
    skopeo)
      forget_skopeo_cache
      server=$REG_PID; before=$(cpu_ticks "$server")
      timed "$WORK/$side.log" skopeo copy -q --src-tls-verify=false "docker://$REG/bench/big:latest" "oci:$WORK/run/oci:tag" ;;
  esac
  after=$(cpu_ticks "$server")
  if [ "$i" = 0 ]; then
    # Check once that each side did what it should: the right image, all of it, from the right place.
    if [ "$side" = skopeo ]; then
      [ "$(jq -r '.manifests[0].digest' "$WORK/run/oci/index.json")" = "$DIGEST" ] || die "skopeo pulled another image"
    else
      sed -n '/^{/,/^}/p' "$WORK/$side.log" | jq -e --arg d "$DIGEST" --arg s "${side%-api}" '.digest == $d and .source == $s' >/dev/null \
        || die "xpkg pull did not answer $DIGEST from the $side: $(cat "$WORK/$side.log")"
      "$XPKG_BIN" --cache-dir "$WORK/run/cache" cache verify >/dev/null 2>&1 || die "xpkg cache verify failed after the $side pull"
      case $side in
        containerd) expect="containerd: reading content files under $CTD/root/io.containerd.content.v1.content" ;;
        containerd-api) expect="containerd: reading content over the Read API" ;;
        *) expect="" ;;
      esac
      grep -qF "$expect" "$WORK/$side.log" || die "xpkg did not read containerd's content the $side way: $(cat "$WORK/$side.log")"
    fi
  else
    W[$side]+="$T_WALL "; C[$side]+="$T_CPU "; R[$side]+="$T_RSS "
    S[$side]+="$(awk -v t="$((after - before))" -v hz="$TICK" 'BEGIN { printf "%.3f", t / hz }') "
  fi
}

say "pull 100 MiB: warm-up, then $RUNS timed runs of each side (alternating)"
for ((i = 0; i <= RUNS; i++)); do
  for side in containerd containerd-api registry skopeo; do one_pull "$side" "$i"; done
done
rm -rf "$WORK/run"

# shellcheck disable=SC2086
med() { median ${1}; }
# shellcheck disable=SC2086
most() { maximum ${1}; }
for side in containerd containerd-api registry skopeo; do say "$side: wall ${W[$side]}s; server CPU ${S[$side]}s"; done
cw=$(med "${W[containerd]}"); aw=$(med "${W[containerd-api]}"); rw=$(med "${W[registry]}"); sw=$(med "${W[skopeo]}")
r=$(ratio "$rw" "$cw")
row "pull 100 MiB, empty cache" "wall, median of $RUNS" "$(secs "$cw") ($(mbps "$BIG_BYTES" "$cw"))" "$(secs "$aw") ($(mbps "$BIG_BYTES" "$aw"))" \
  "$(secs "$rw") ($(mbps "$BIG_BYTES" "$rw"))" "$(secs "$sw") ($(mbps "$BIG_BYTES" "$sw"))" "${r}×" \
  "containerd faster (> 1×)" "$(met "$r" ">=" 1.0001)"
row "pull 100 MiB, empty cache" "user+sys of the client, median of $RUNS" "$(secs "$(med "${C[containerd]}")")" "$(secs "$(med "${C[containerd-api]}")")" \
  "$(secs "$(med "${C[registry]}")")" "$(secs "$(med "${C[skopeo]}")")" \
  "$(ratio "$(med "${C[registry]}")" "$(med "${C[containerd]}")")×" "" ""
row "pull 100 MiB, empty cache" "CPU of the server (containerd / docker-registry), median of $RUNS" \
  "$(secs "$(med "${S[containerd]}")")" "$(secs "$(med "${S[containerd-api]}")")" "$(secs "$(med "${S[registry]}")")" "$(secs "$(med "${S[skopeo]}")")" "" "" ""
row "pull 100 MiB, empty cache" "peak RSS of the client, max of $RUNS" "$(mib "$(most "${R[containerd]}")")" "$(mib "$(most "${R[containerd-api]}")")" \
  "$(mib "$(most "${R[registry]}")")" "$(mib "$(most "${R[skopeo]}")")" "" "" ""

machine_info
print_table "| Benchmark | Metric | xpkg $XPKG_VERSION from containerd $CONTAINERD_VERSION (content files) | xpkg from containerd, Read API (XPKG_CONTAINERD_CONTENT_FILES=0) | xpkg from docker-registry | skopeo $SKOPEO_VERSION from docker-registry | registry / containerd (xpkg) | Goal | Met |"
