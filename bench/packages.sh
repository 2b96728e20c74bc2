#!/usr/bin/env bash
# bench/packages.sh: the benchmark of issue 4, section 6. Prints one Markdown table on stdout
# (progress, machine and load average go to stderr).
#
#   xpkg build of a Provider package with 200 small CRDs (process time, goal < 1 s); parsing the 60 KB
#   fixture package: xpkg inspect -o json of it after xpkg load (process time of the whole command) and,
#   when the .NET SDK is there, bench/PackageParseBench, which times PackageParser.ParseAsync on the
#   extracted package.yaml in-process after warm-up (goal < 20 ms).
#
# Usage: bench/packages.sh
# Environment: RUNS=5 (median of), PARSE_HARNESS=1 (0 skips the in-process row), FIXTURE, TMPDIR.
# Needs: GNU time, jq, gzip, the .NET SDK. No network (the harness restores no packages from outside the
# machine's NuGet cache: it references only src/Xpkg.Packages).
set -euo pipefail
export LC_ALL=C
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PARSE_HARNESS=${PARSE_HARNESS:-1}
FIXTURE=${FIXTURE:-"$REPO/../shared/fixtures/crossplane/xpkg/function-conditional-patch-and-transform-9b3ddecdb8ff.xpkg"}

[ -f "$FIXTURE" ] || die "fixture package not found at $FIXTURE (set FIXTURE)"
bench_begin jq:jq gzip:gzip

# ---------- build: a Provider with 200 CRDs -------------------------------------------------------
say "generating a Provider package root with 200 CRDs"
PKG="$WORK/pkg"
mkdir -p "$PKG/crds"
cat >"$PKG/crossplane.yaml" <<'EOF'
apiVersion: meta.pkg.crossplane.io/v1
kind: Provider
metadata:
  name: provider-bench
spec:
  controller:
    image: example.com/bench/provider-bench-controller:v0.1.0
  crossplane:
    version: ">=v1.14.0"
EOF
for ((n = 1; n <= 200; n++)); do
  kind="Widget$n"; plural="widget${n}s"
  cat >"$PKG/crds/bench.example.org_$plural.yaml" <<EOF
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: $plural.bench.example.org
spec:
  group: bench.example.org
  names:
    kind: $kind
    listKind: ${kind}List
    plural: $plural
    singular: widget$n
    categories: [crossplane, managed, bench]
  scope: Cluster
  versions:
    - name: v1alpha1
      served: true
      storage: true
      subresources:
        status: {}
      schema:
        openAPIV3Schema:
          type: object
          description: $kind is a generated resource for the package build benchmark.
          properties:
            apiVersion: {type: string}
            kind: {type: string}
            metadata: {type: object}
            spec:
              type: object
              properties:
                forProvider:
                  type: object
                  properties:
                    region: {type: string, description: Region of the $kind.}
                    size: {type: integer, minimum: 1, maximum: 100}
                    tags:
                      type: object
                      additionalProperties: {type: string}
                  required: [region]
                deletionPolicy:
                  type: string
                  enum: [Orphan, Delete]
                  default: Delete
              required: [forProvider]
            status:
              type: object
              properties:
                atProvider:
                  type: object
                  properties:
                    id: {type: string}
                conditions:
                  type: array
                  items:
                    type: object
                    properties:
                      type: {type: string}
                      status: {type: string}
                      lastTransitionTime: {type: string, format: date-time}
EOF
done
PKG_BYTES=$(cat "$PKG/crossplane.yaml" "$PKG"/crds/*.yaml | wc -c)
say "package root: 201 files, $PKG_BYTES bytes of YAML"
# A first build, checked: the package file exists and holds 201 objects.
"$XPKG_BIN" --cache-dir "$WORK/cache" build --package-root "$PKG" --examples-root "$WORK/no-examples" \
  --package-file "$WORK/provider-bench.xpkg" >"$WORK/build.log" 2>&1 \
  || { sed 's/^/  | /' "$WORK/build.log" >&2; die "xpkg build failed"; }
[ -s "$WORK/provider-bench.xpkg" ] || die "xpkg build wrote no package file"
"$XPKG_BIN" --cache-dir "$WORK/cache" load "$WORK/provider-bench.xpkg" --tag example.com/bench/provider-bench:v0.1.0 >/dev/null 2>&1 \
  || die "could not load the built package"
objects=$("$XPKG_BIN" --cache-dir "$WORK/cache" inspect example.com/bench/provider-bench:v0.1.0 -o json \
  | jq '[.. | objects | select(has("kind") and (.kind == "CustomResourceDefinition"))] | length' 2>/dev/null || echo '?')
say "the built package holds $objects CRDs (as xpkg inspect -o json shows them)"
rm -rf "$WORK/cache" "$WORK/provider-bench.xpkg"
bench_cli "\`xpkg build\`, Provider with 200 CRDs ($((PKG_BYTES / 1024)) KiB of YAML)" 1.0 \
  "$XPKG_BIN" --cache-dir "$WORK/cache" build --package-root "$PKG" --examples-root "$WORK/no-examples" \
  --package-file "$WORK/provider-bench.xpkg"

# ---------- parse: the 60 KB fixture package -------------------------------------------------------
say "loading the fixture package $(basename "$FIXTURE") ($(stat -c %s "$FIXTURE") bytes)"
CACHE="$WORK/fcache"
REF=example.com/bench/function-conditional-patch-and-transform:fixture
"$XPKG_BIN" --cache-dir "$CACHE" load "$FIXTURE" --tag "$REF" >"$WORK/load.log" 2>&1 \
  || { sed 's/^/  | /' "$WORK/load.log" >&2; die "xpkg load of the fixture failed"; }
"$XPKG_BIN" --cache-dir "$CACHE" inspect "$REF" -o json >"$WORK/inspect.json" || die "xpkg inspect failed"
jq -e . "$WORK/inspect.json" >/dev/null || die "xpkg inspect -o json printed no JSON"
"$XPKG_BIN" --cache-dir "$CACHE" package extract "$REF" --file "$WORK/fixture.yaml.gz" >/dev/null 2>&1 \
  || die "xpkg package extract failed"
YAML_BYTES=$(gzip -dc "$WORK/fixture.yaml.gz" | wc -c)
say "its package.yaml: $YAML_BYTES bytes"
bench_cli "\`xpkg inspect -o json\`, fixture package ($YAML_BYTES B package.yaml; whole process, no goal)" "" \
  "$XPKG_BIN" --cache-dir "$CACHE" inspect "$REF" -o json

if [ "$PARSE_HARNESS" = 1 ] && command -v dotnet >/dev/null; then
  "$XPKG_BIN" --cache-dir "$CACHE" package extract "$REF" --file "$WORK/package.yaml.gz" >/dev/null 2>&1 \
    || die "xpkg package extract failed"
  gunzip -f "$WORK/package.yaml.gz"
  say "package.yaml: $(stat -c %s "$WORK/package.yaml") bytes; building bench/PackageParseBench (Release)"
  HARNESS="$REPO/bench/PackageParseBench"
  dotnet build -c Release -v q -nologo -o "$WORK/harness" "$HARNESS/PackageParseBench.csproj" >"$WORK/harness.log" 2>&1 \
    || { sed 's/^/  | /' "$WORK/harness.log" >&2; die "building the harness failed"; }
  out=$(dotnet "$WORK/harness/PackageParseBench.dll" "$WORK/package.yaml" 200 1000)
  say "harness: $out"
  median_ms=$(awk '/^median_ms/ { print $2 }' <<<"$out")
  p99_ms=$(awk '/^p99_ms/ { print $2 }' <<<"$out")
  first_ms=$(awk '/^first_ms/ { print $2 }' <<<"$out")
  row "\`PackageParser.ParseAsync\`, fixture package.yaml, in-process" "median of 1,000 after 200 warm-up" "$median_ms ms" "< 20 ms" \
    "$(met "$median_ms" "<" 20)"
  row "\`PackageParser.ParseAsync\`, fixture package.yaml, in-process" "p99 of 1,000 / first (cold) call" "$p99_ms ms / $first_ms ms" "" ""
fi

say_load_at_end
print_table "| Benchmark | Metric | xpkg $XPKG_VERSION | Goal | Met |"
