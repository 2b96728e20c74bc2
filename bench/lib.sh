# bench/lib.sh: helpers shared by every bench/*.sh script (sourced, not run). One measuring convention:
# bash's `time` keyword for wall and user+sys (ms resolution), GNU time's %M for peak RSS, medians of RUNS
# runs, one scratch directory.
# shellcheck shell=bash

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS=${RUNS:-5}
MAKE_TEST_IMAGES=${MAKE_TEST_IMAGES:-"$REPO/../shared/tools/make-test-images.sh"}
XPKG="$REPO/xpkg"
XPKG_BIN="$REPO/.build/xpkg/xpkg"
GNU_TIME=/usr/bin/time
SKOPEO_BLOB_INFO_CACHE=/var/lib/containers/cache/blob-info-cache-v1.boltdb
MIB=$((1024 * 1024))

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

case "$RUNS" in '' | *[!0-9]*) die "RUNS must be a positive integer" ;; esac
[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 50 ] || die "RUNS must be between 1 and 50"

# need_tools DEBIAN_PKG:COMMAND...: installs what is missing when root, else stops with a hint.
need_tools() {
  local missing=() c
  "$GNU_TIME" --version 2>&1 | grep -q 'GNU' || missing+=(time)
  for c in "$@"; do command -v "${c#*:}" >/dev/null || missing+=("${c%%:*}"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 \
      || die "could not install ${missing[*]}; run: apt-get update && apt-get install -y ${missing[*]}"
  else
    die "missing packages: ${missing[*]}; install them with: apt-get install -y ${missing[*]}"
  fi
}

# PIDS of servers this script started; stopped by PID at exit.
SERVER_PIDS=()
WORK=$(mktemp -d "${TMPDIR:-/tmp}/xpkg-bench.XXXXXX")
cleanup() {
  local p
  for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${SERVER_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

machine_info() {
  say "machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, kernel $(uname -r)"
  say "load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(date -u +%H:%M:%S) UTC)"
}

# say_load_at_end: the load average when the measuring is over, on stderr.
say_load_at_end() { say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) ($(date -u +%H:%M:%S) UTC)"; }

build_xpkg() {
  say "building xpkg if needed"
  command -v dotnet >/dev/null || [ -x "$XPKG_BIN" ] || die "the .NET 10 SDK is needed to build xpkg"
  "$XPKG" --version >/dev/null || die "./xpkg --version failed"
  [ -x "$XPKG_BIN" ] || die "expected the published CLI at $XPKG_BIN"
  XPKG_VERSION=$("$XPKG_BIN" --version)
}

# bench_begin DEBIAN_PKG:COMMAND...: the opening every script shares: its tools, the machine, the CLI.
bench_begin() {
  need_tools "$@"
  machine_info
  build_xpkg
}

# make_test_image MIB [DIR [VAR=VALUE...]]: the shared make-test-images.sh with a random MIB-MiB image (the
# OCI layout DIR/big, tag big) among its small ones; VAR=VALUE are more of its settings (BIG_ARCHIVE=1).
# DIR defaults to $WORK/img; sets IMG to it.
make_test_image() {
  [ -f "$MAKE_TEST_IMAGES" ] || die "make-test-images.sh not found at $MAKE_TEST_IMAGES (set MAKE_TEST_IMAGES)"
  IMG=${2:-"$WORK/img"}
  env BIG=1 BIG_MIB="$1" "${@:3}" bash "$MAKE_TEST_IMAGES" "$IMG" >/dev/null
}

# push_image LAYOUT:TAG HOST:PORT/REPO:TAG [SKOPEO_ARGS...]: skopeo copy of an OCI layout's image into a
# plain-HTTP registry, from a cold skopeo cache (untimed: it fills the servers the scripts measure).
push_image() {
  local src=$1 dest=$2
  shift 2
  forget_skopeo_cache
  skopeo copy -q "$@" --dest-tls-verify=false "oci:$src" "docker://$dest"
}

# disk_below_gib GIB: true when the scratch directory's file system has less than GIB GiB free.
disk_below_gib() { [ "$(df -Pk "$WORK" | awk 'NR == 2 { print $4 }')" -lt $(($1 * 1024 * 1024)) ]; }

# timed LOG CMD...: runs CMD once with stdout+stderr to LOG; sets T_WALL T_CPU (seconds, 3 decimals;
# CPU is user+sys) and T_RSS (KiB). Fails loudly, with the log, when CMD fails.
timed() {
  local log=$1 status=0 tf real user sys
  shift
  tf="$WORK/time.out"
  TIMEFORMAT='%3R %3U %3S'
  { time "$GNU_TIME" -f '%M' -o "$WORK/rss.out" "$@" >"$log" 2>&1; } 2>"$tf" || status=$?
  if [ "$status" != 0 ]; then
    say "command failed (exit $status): $*"
    sed 's/^/  | /' "$log" >&2
    exit 1
  fi
  read -r real user sys <"$tf"
  T_WALL=$real
  T_CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')
  T_RSS=$(tail -n 1 "$WORK/rss.out")
}

# bench_cli LABEL GOAL_CPU_SECONDS CMD...: user+sys, wall and peak RSS of CMD, medians (the maximum for
# RSS) of RUNS runs after one warm-up, as three rows: LABEL, metric, value, PEER_CELLS empty cells for the
# table's peer columns, goal, met.
PEER_CELLS=0
bench_cli() {
  local label=$1 goal=$2 i
  shift 2
  local -a w=() c=() r=() peers=()
  for ((i = 0; i < PEER_CELLS; i++)); do peers+=(""); done
  timed "$WORK/cli.log" "$@"
  for ((i = 1; i <= RUNS; i++)); do
    timed "$WORK/cli.log" "$@"
    w+=("$T_WALL"); c+=("$T_CPU"); r+=("$T_RSS")
  done
  local cm
  cm=$(median "${c[@]}")
  say "$label: wall ${w[*]} s; user+sys ${c[*]} s"
  if [ -n "$goal" ]; then
    row "$label" "user+sys, median of $RUNS" "$(ms "$cm")" "${peers[@]}" "< $(ms "$goal")" "$(met "$cm" "<" "$goal")"
  else
    row "$label" "user+sys, median of $RUNS" "$(ms "$cm")" "${peers[@]}" "" ""
  fi
  row "$label" "wall, median of $RUNS" "$(ms "$(median "${w[@]}")")" "${peers[@]}" "" ""
  row "$label" "peak RSS, max of $RUNS" "$(mib "$(maximum "${r[@]}")")" "${peers[@]}" "" ""
}

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
maximum() { printf '%s\n' "$@" | sort -g | tail -n 1; }
ms() { awk -v s="$1" 'BEGIN { printf "%.0f ms", s * 1000 }'; }
secs() { awk -v s="$1" 'BEGIN { printf "%.3f s", s }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f MB/s", b / s / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# met A OP B, OP one of >=, < and <=: "yes" or a bold "no".
met() {
  awk -v a="$1" -v op="$2" -v b="$3" \
    'BEGIN { ok = (op == ">=") ? (a + 0 >= b + 0) : (op == "<=") ? (a + 0 <= b + 0) : (a + 0 < b + 0); print (ok ? "yes" : "**no**") }'
}

forget_skopeo_cache() { rm -f "$SKOPEO_BLOB_INFO_CACHE"; }

ROWS=()
row() {
  local line="|" cell
  for cell in "$@"; do line+=" $cell |"; done
  ROWS+=("$line")
}
print_table() {
  local header=$1
  echo "$header"
  echo "$header" | sed 's/[^|]\+/---/g'
  printf '%s\n' "${ROWS[@]}"
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL: waits (at most 20 s) until URL answers at all.
wait_http() {
  local i
  for ((i = 0; i < 200; i++)); do
    curl -s -o /dev/null --max-time 1 "$1" && return 0
    sleep 0.1
  done
  die "nothing answers at $1"
}

# start_registry DIR PORT [ACCESS_LOG=1]: docker-registry on 127.0.0.1:PORT with storage in DIR/data
# and its log in DIR/registry.log; sets REG_PID.
start_registry() {
  local dir=$1 port=$2 access=${3:-1}
  mkdir -p "$dir/data"
  cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: $([ "$access" = 1 ] && echo info || echo warn)
  accesslog:
    disabled: $([ "$access" = 1 ] && echo false || echo true)
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: 127.0.0.1:$port
EOF
  docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
  REG_PID=$!
  SERVER_PIDS+=("$REG_PID")
  wait_http "http://127.0.0.1:$port/v2/"
}

# start_xpkg_serve CACHE PORT LOG: xpkg serve over CACHE on 127.0.0.1:PORT, no access log; sets SRV_PID.
start_xpkg_serve() {
  local cache=$1 port=$2 log=$3
  "$XPKG_BIN" --cache-dir "$cache" serve --addr "127.0.0.1:$port" --log-format none >"$log" 2>&1 &
  SRV_PID=$!
  SERVER_PIDS+=("$SRV_PID")
  wait_http "http://127.0.0.1:$port/v2/"
}

# stop_server PID: stops one server this script started, by its PID.
stop_server() {
  local p=$1 q keep=()
  kill "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  for q in "${SERVER_PIDS[@]}"; do [ "$q" = "$p" ] || keep+=("$q"); done
  SERVER_PIDS=("${keep[@]}")
}

# cpu_ticks PID: user+system clock ticks a process has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# access_count LOG: HTTP requests to /v2/ in a docker-registry access log.
access_count() { grep -cE '"(GET|HEAD|POST|PUT|PATCH|DELETE) /v2/' "$1" || true; }
