#!/usr/bin/env bash
# JMH micro-benchmarks with -prof gc: every selector's pick (3, 100, 10,000 backends; 1 and 2 threads; while
# another thread changes the pool; a pick with its lease), and the HTTP head parser and rewrite. Writes the tables,
# with the command, date and machine, into the micro-benchmark section of lb-benchmarks/RESULTS.md.
#
#   lb-benchmarks/jmh.sh [--quick] [JMH options...]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
JAR="$ROOT/lb-benchmarks/target/benchmarks.jar"
WARMUP=(-wi 3 -w 1)
MEASURE=(-i 4 -r 1)
if [ "${1:-}" = --quick ]; then
  WARMUP=(-wi 1 -w 1); MEASURE=(-i 2 -r 1); shift
fi
[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -ntp -q -DskipTests package)
WORK="$(mktemp -d /tmp/jlb-jmh.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
START=$(date +%s)

echo "running SelectorBenchmark (about 17 minutes) and HttpHeadBenchmark (about 1 minute)" >&2
java -jar "$JAR" SelectorBenchmark "${WARMUP[@]}" "${MEASURE[@]}" -prof gc -rf csv -rff "$WORK/selectors.csv" "$@" >&2
java -jar "$JAR" HttpHeadBenchmark "${WARMUP[@]}" "${MEASURE[@]}" -prof gc -rf csv -rff "$WORK/http.csv" "$@" >&2

REPORT="$WORK/report.md"
{
  echo "## Micro-benchmarks (JMH)"
  echo
  echo "Run on $(date -u '+%Y-%m-%d %H:%M UTC') by \`lb-benchmarks/jmh.sh\` (warm-up ${WARMUP[*]}, measurement ${MEASURE[*]}," \
       "\`-prof gc\`) in $(( $(date +%s) - START )) s on $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo))," \
       "$(java -version 2>&1 | head -1). Times are averages in ns per operation (noisy on this shared machine);" \
       "allocation (B/op) is exact. Targets: round-robin and weighted ≤ 30 ns, least-connections and P2C ≤ 60 ns," \
       "consistent hashing ≤ 100 ns, 0 B/op for every pick."
  echo
  echo "### Selector pick (\`SelectorBenchmark\`)"
  echo
  echo "| algorithm | backends | 1 thread ns | 2 threads ns | pick B/op | pick while pool changes ns | pick + lease ns | pick + lease B/op |"
  echo "|---|---|---|---|---|---|---|---|"
  awk -F',' '
    { sub(/\r$/, "") }   # JMH writes CRLF
    NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); col[h] = i } next }
    { for (i = 1; i <= NF; i++) gsub(/"/, "", $i)
      name = $col["Benchmark"]; algo = $col["Param: algorithm"]; n = $col["Param: backends"]; score = $col["Score"]
      key = algo SUBSEP n; seen[key] = 1; order[algo] = 1; sizes[n] = 1
      if (name ~ /pick1Thread$/) t1[key] = score
      else if (name ~ /pick2Threads$/) t2[key] = score
      else if (name ~ /pick1Thread:gc.alloc.rate.norm$/) b1[key] = score
      else if (name ~ /churn:pickWhilePoolChanges$/) churn[key] = score
      else if (name ~ /acquireAndClose$/) lease[key] = score
      else if (name ~ /acquireAndClose:gc.alloc.rate.norm$/) leaseB[key] = score }
    END {
      split("round-robin weighted least-connections random p2c peak-ewma ring-hash maglev ring-hash-bounded maglev-bounded", algos, " ")
      split("3 100 10000", ns, " ")
      for (a = 1; a <= 10; a++) for (s = 1; s <= 3; s++) { key = algos[a] SUBSEP ns[s]; if (!(key in seen)) continue
        printf "| %s | %s | %.1f | %.1f | %.0f | %.1f | %.1f | %.0f |\n", algos[a], ns[s], t1[key], t2[key], b1[key], churn[key], lease[key], leaseB[key] }
    }' "$WORK/selectors.csv"
  echo
  echo "A pick with its lease allocates the lease (24 bytes): one per connection or request, not per pick."
  echo
  echo "### HTTP request head (\`HttpHeadBenchmark\`)"
  echo
  echo "| request | parse ns | parse B/op | parse + rewrite ns | parse + rewrite B/op |"
  echo "|---|---|---|---|---|"
  awk -F',' '
    { sub(/\r$/, "") }   # JMH writes CRLF
    NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); col[h] = i } next }
    { for (i = 1; i <= NF; i++) gsub(/"/, "", $i)
      name = $col["Benchmark"]; r = $col["Param: request"]; score = $col["Score"]; seen[r] = 1
      if (name ~ /\.parse$/) p[r] = score
      else if (name ~ /\.parse:gc.alloc.rate.norm$/) pb[r] = score
      else if (name ~ /parseAndRewrite$/) w[r] = score
      else if (name ~ /parseAndRewrite:gc.alloc.rate.norm$/) wb[r] = score }
    END { split("browser api headers40", rs, " ")
      for (i = 1; i <= 3; i++) if (rs[i] in seen) printf "| %s | %.0f | %.0f | %.0f | %.0f |\n", rs[i], p[rs[i]], pb[rs[i]], w[rs[i]], wb[rs[i]] }' "$WORK/http.csv"
  echo
  echo "\`browser\`: a 14-field Chrome navigation request (620 bytes); \`api\`: a 5-field POST; \`headers40\`: 40 fields." \
       "The rewrite drops hop-by-hop fields and adds X-Forwarded-For/-Proto/-Host, Forwarded and Via."
  echo
} > "$REPORT"
cat "$REPORT"
RESULTS_MD="$HERE/RESULTS.md"
if grep -q '<!-- jmh:begin -->' "$RESULTS_MD"; then
  awk -v report="$REPORT" '
    /<!-- jmh:begin -->/ { print; while ((getline line < report) > 0) print line; skip = 1; next }
    /<!-- jmh:end -->/ { skip = 0 }
    !skip { print }' "$RESULTS_MD" > "$WORK/RESULTS.md" && cp "$WORK/RESULTS.md" "$RESULTS_MD"
  echo "updated $RESULTS_MD" >&2
fi
