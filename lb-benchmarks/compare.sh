#!/usr/bin/env bash
# Side-by-side comparison of jlb with HAProxy and NGINX on this machine, in one run.
#
#   lb-benchmarks/compare.sh [--rounds N] [--seconds S] [--warmup N] [--quick] [--only REGEX] [--jdk17 JAVA] [--jdk25 JAVA]
#
# --only runs the workloads whose key matches (e.g. 'http-' or 'redis-get') and skips the memory test: for
# development; a run that updates RESULTS.md should run everything.
#
# jlb runs as users run it: `java -jar lb.jar tcp|http ...` with the product's defaults and no JVM flags, one
# process per listener, on JDK 17 (contender jlb-17) and JDK 25 (jlb-25, when installed at
# /usr/lib/jvm/temurin-25-jdk-amd64 or given with --jdk25).
#
# Installs what is missing (haproxy, nginx, wrk, iperf3, redis), starts the same loopback backends for every
# contender (iperf3, redis-server without persistence, two NGINX instances serving a short body and a 1 MiB body:
# HTTP is balanced over both), then runs each workload against: backend A directly, HAProxy, NGINX and jlb, in
# alternation, for several rounds, and prints one table per workload (median, min-max, p50/p99, proxy CPU) plus
# memory after start and per idle connection. The tables, with date, machine, versions and settings, replace the
# end-to-end section of lb-benchmarks/RESULTS.md. Everything stays on 127.0.0.1; every process started here is
# stopped on exit.
set -euo pipefail

ROUNDS=5
SECONDS_PER_RUN=3
WARMUP=3
JDK17="$(command -v java)"
JDK25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
IDLE_CONNECTIONS=10000
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --seconds) SECONDS_PER_RUN="$2"; shift 2 ;;
    --quick) ROUNDS=1; SECONDS_PER_RUN=2; WARMUP=1; IDLE_CONNECTIONS=2000; shift ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --jdk17) JDK17="$2"; shift 2 ;;
    --jdk25) JDK25="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option '$1' (expected: --rounds N, --seconds S, --warmup N, --quick, --only REGEX, --jdk17 JAVA, --jdk25 JAVA)" >&2; exit 2 ;;
  esac
done

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
WORK="$(mktemp -d /tmp/jlb-compare.XXXXXX)"
PIDS=()
START_TIME=$(date +%s)

cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for f in "$WORK"/nginx-backend-*/nginx.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  [ -f "$WORK/nginx-proxy/nginx.pid" ] && kill "$(cat "$WORK/nginx-proxy/nginx.pid")" 2>/dev/null || true
  sleep 0.5
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---- tools ----
need=()
command -v haproxy >/dev/null || need+=(haproxy)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
[ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || need+=(libnginx-mod-stream)
command -v wrk >/dev/null || need+=(wrk)
command -v h2load >/dev/null || need+=(nghttp2-client)
command -v iperf3 >/dev/null || need+=(iperf3)
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-benchmark >/dev/null || need+=(redis-tools)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
# Open files: as many as the hard limit allows. A proxy holds two per proxied connection, so the idle-connection
# test uses at most (limit - 1000) / 2 connections (the issue asks for 10,000; some sandboxes cap files at 20,000).
FD_LIMIT=$(ulimit -Hn)
[ "$FD_LIMIT" = unlimited ] && FD_LIMIT=1048576
ulimit -n "$FD_LIMIT"
MAX_IDLE=$(( (FD_LIMIT - 1000) / 2 ))
IDLE_CAPPED=0
if [ "$IDLE_CONNECTIONS" -gt "$MAX_IDLE" ]; then IDLE_CONNECTIONS=$MAX_IDLE; IDLE_CAPPED=1; fi
PROXY_MAXCONN=$(( (FD_LIMIT - 200) / 2 ))

JAR="$ROOT/lb-examples/target/lb.jar"
BENCH_JAR="$ROOT/lb-benchmarks/target/benchmarks.jar"
if [ ! -f "$JAR" ] || [ ! -f "$BENCH_JAR" ]; then
  log "building lb.jar and benchmarks.jar"
  (cd "$ROOT" && mvn -B -ntp -q -DskipTests package)
fi

# ---- ports (loopback only) ----
IPERF=15201; REDIS=16379; WEB=18080; WEB_B=18081
# Every port below the ephemeral range (32768-60999 on Linux): a proxy's own connection to a backend could
# otherwise leave a TIME_WAIT socket on a port a listener needs on the next run.
JLBS=(jlb-17)
[ -x "$JDK25" ] && JLBS+=(jlb-25)
declare -A JAVA_OF=([jlb-17]="$JDK17" [jlb-25]="$JDK25")
declare -A PORT_IPERF=([direct]=$IPERF [haproxy]=25201 [nginx]=21201 [jlb-17]=31201 [jlb-25]=32201)
declare -A PORT_REDIS=([direct]=$REDIS [haproxy]=26379 [nginx]=21379 [jlb-17]=31379 [jlb-25]=32379)
declare -A PORT_WEB=([direct]=$WEB [haproxy]=28080 [nginx]=21080 [jlb-17]=31080 [jlb-25]=32080)
declare -A PORT_TLS=([haproxy]=28443 [nginx]=21443 [jlb-17]=31443 [jlb-25]=32443)   # HTTPS: no 'direct'
# HTTP/2 with prior knowledge: HAProxy and jlb take it on their HTTP/1.1 port (they tell the preface apart); NGINX
# 1.22 needs a port of its own. Over TLS, the HTTPS ports (ALPN h2 and http/1.1 on all three).
declare -A PORT_H2C=([haproxy]=28080 [nginx]=21082 [jlb-17]=31080 [jlb-25]=32080)
CONTENDERS=(direct haproxy nginx "${JLBS[@]}")
PROXIES=(haproxy nginx "${JLBS[@]}")
declare -A PID_OF   # haproxy, nginx: one process; jlb: one process per listener, as "jlb-17:web"
pid_for() { # CONTENDER PORTVAR -> the process doing that work
  local kind=${2#PORT_}
  [ "$kind" = H2C ] && kind=WEB   # jlb takes HTTP/2 with prior knowledge on its HTTP/1.1 listener
  if [[ "$1" == jlb-* ]]; then echo "${PID_OF[$1:${kind,,}]}"; else echo "${PID_OF[$1]:-}"; fi
}

wait_port() { # wait until 127.0.0.1:$1 accepts
  for _ in $(seq 200); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "compare.sh: nothing listens on 127.0.0.1:$1" >&2
  exit 1
}

# ---- backends ----
log "starting backends"
iperf3 -s -B 127.0.0.1 -p $IPERF >/dev/null 2>&1 &
PIDS+=($!)
redis-server --bind 127.0.0.1 --port $REDIS --save "" --appendonly no --maxclients $(( FD_LIMIT - 100 )) --daemonize no \
  --loglevel warning >/dev/null 2>&1 &
PIDS+=($!)
mkdir -p "$WORK/www" "$WORK/nginx-proxy"
head -c 1048576 /dev/urandom > "$WORK/www/1m"
chmod -R a+rX "$WORK"   # NGINX workers run unprivileged and must read the 1 MiB file
for b in a b; do
  port=$WEB; [ $b = b ] && port=$WEB_B
  mkdir -p "$WORK/nginx-backend-$b"
  cat > "$WORK/nginx-backend-$b/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx-backend-$b/nginx.pid;
error_log $WORK/nginx-backend-$b/error.log error;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-backend-$b; proxy_temp_path $WORK/nginx-backend-$b;
  fastcgi_temp_path $WORK/nginx-backend-$b; uwsgi_temp_path $WORK/nginx-backend-$b; scgi_temp_path $WORK/nginx-backend-$b;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port;
    location = /small { default_type text/plain; return 200 "hello from the backend\n"; }
    location = /1m { root $WORK/www; }
  }
}
EOF
  "$NGINX" -c "$WORK/nginx-backend-$b/nginx.conf" -p "$WORK/nginx-backend-$b" -g 'daemon on;'
done
wait_port $IPERF; wait_port $REDIS; wait_port $WEB; wait_port $WEB_B

# ---- one certificate for every TLS listener: EC P-256, as most sites serve ----
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$WORK/tls.key" -out "$WORK/tls.pem" 2>/dev/null
cat "$WORK/tls.pem" "$WORK/tls.key" > "$WORK/tls-haproxy.pem"
chmod a+r "$WORK"/tls*

# ---- contenders: 2 worker threads/processes each, upstream keep-alive for all ----
log "starting HAProxy, NGINX and jlb"
cat > "$WORK/haproxy.cfg" <<EOF
global
  nbthread 2
  maxconn $PROXY_MAXCONN
  ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256
defaults
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend iperf
  mode tcp
  bind 127.0.0.1:${PORT_IPERF[haproxy]}
  default_backend iperf
backend iperf
  mode tcp
  server s1 127.0.0.1:$IPERF
frontend redis
  mode tcp
  bind 127.0.0.1:${PORT_REDIS[haproxy]}
  default_backend redis
backend redis
  mode tcp
  server s1 127.0.0.1:$REDIS
frontend web
  mode http
  option forwardfor
  bind 127.0.0.1:${PORT_WEB[haproxy]}
  default_backend web
frontend web-tls
  mode http
  option forwardfor
  bind 127.0.0.1:${PORT_TLS[haproxy]} ssl crt $WORK/tls-haproxy.pem ssl-min-ver TLSv1.3 alpn h2,http/1.1
  default_backend web
backend web
  mode http
  balance roundrobin
  http-reuse always
  server a 127.0.0.1:$WEB
  server b 127.0.0.1:$WEB_B
EOF
haproxy -f "$WORK/haproxy.cfg" -db >/dev/null 2>&1 &
PID_OF[haproxy]=$!; PIDS+=($!)

cat > "$WORK/nginx-proxy/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 2;
worker_rlimit_nofile $FD_LIMIT;
pid $WORK/nginx-proxy/nginx.pid;
error_log $WORK/nginx-proxy/error.log error;
events { worker_connections $(( FD_LIMIT - 100 )); }
stream {
  server { listen 127.0.0.1:${PORT_IPERF[nginx]}; proxy_pass 127.0.0.1:$IPERF; }
  server { listen 127.0.0.1:${PORT_REDIS[nginx]}; proxy_pass 127.0.0.1:$REDIS; }
}
http {
  access_log off;
  client_body_temp_path $WORK/nginx-proxy; proxy_temp_path $WORK/nginx-proxy;
  fastcgi_temp_path $WORK/nginx-proxy; uwsgi_temp_path $WORK/nginx-proxy; scgi_temp_path $WORK/nginx-proxy;
  keepalive_requests 1000000;
  upstream web { server 127.0.0.1:$WEB; server 127.0.0.1:$WEB_B; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${PORT_WEB[nginx]};
    location / {
      proxy_pass http://web;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
  server {
    listen 127.0.0.1:${PORT_H2C[nginx]} http2;
    location / {
      proxy_pass http://web;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
  server {
    listen 127.0.0.1:${PORT_TLS[nginx]} ssl http2;
    ssl_certificate $WORK/tls.pem;
    ssl_certificate_key $WORK/tls.key;
    ssl_protocols TLSv1.3;
    ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;
    location / {
      proxy_pass http://web;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
EOF
"$NGINX" -c "$WORK/nginx-proxy/nginx.conf" -p "$WORK/nginx-proxy" -g 'daemon on;'
sleep 0.3
PID_OF[nginx]="$(cat "$WORK/nginx-proxy/nginx.pid")"

# jlb as a user runs it: the command with its defaults, no JVM flags, one process per listener.
start_jlb() { # CONTENDER KIND ARGS...
  local c=$1 kind=$2; shift 2
  "${JAVA_OF[$c]}" -jar "$JAR" "$@" > "$WORK/$c-$kind.log" 2>&1 &
  PID_OF[$c:$kind]=$!; PIDS+=($!)
}
# The optional TLS provider (Conscrypt, from Maven Central) for the HTTPS rows: contenders jlb-17+conscrypt and
# jlb-25+conscrypt, when the jar can be had.
CONSCRYPT_JAR="$WORK/conscrypt-openjdk-uber-2.5.2.jar"
curl -sfL -o "$CONSCRYPT_JAR" \
  https://repo1.maven.org/maven2/org/conscrypt/conscrypt-openjdk-uber/2.5.2/conscrypt-openjdk-uber-2.5.2.jar || rm -f "$CONSCRYPT_JAR"
TLS_EXTRA=()
if [ -f "$CONSCRYPT_JAR" ]; then
  i=0
  for c in "${JLBS[@]}"; do
    TLS_EXTRA+=("$c+conscrypt"); JAVA_OF[$c+conscrypt]="${JAVA_OF[$c]}"; PORT_TLS[$c+conscrypt]=$((33443 + i)); i=$((i + 1))
  done
fi
for c in "${TLS_EXTRA[@]}"; do
  start_jlb "$c" tls http --listen "127.0.0.1:${PORT_TLS[$c]}" --backend "127.0.0.1:$WEB" --backend "127.0.0.1:$WEB_B" \
    --tls "cert=$WORK/tls.pem,key=$WORK/tls.key" --tls-protocols TLSv1.3 --tls-provider "conscrypt,jar=$CONSCRYPT_JAR"
  CONTENDERS+=("$c")
done
for c in "${TLS_EXTRA[@]}"; do wait_port "${PORT_TLS[$c]}"; done
for c in "${JLBS[@]}"; do
  start_jlb "$c" iperf tcp --listen "127.0.0.1:${PORT_IPERF[$c]}" --backend "127.0.0.1:$IPERF"
  start_jlb "$c" redis tcp --listen "127.0.0.1:${PORT_REDIS[$c]}" --backend "127.0.0.1:$REDIS"
  start_jlb "$c" web http --listen "127.0.0.1:${PORT_WEB[$c]}" --backend "127.0.0.1:$WEB" --backend "127.0.0.1:$WEB_B"
  start_jlb "$c" tls http --listen "127.0.0.1:${PORT_TLS[$c]}" --backend "127.0.0.1:$WEB" --backend "127.0.0.1:$WEB_B" \
    --tls "cert=$WORK/tls.pem,key=$WORK/tls.key" --tls-protocols TLSv1.3
done
for c in "${PROXIES[@]}"; do
  wait_port "${PORT_IPERF[$c]}"; wait_port "${PORT_REDIS[$c]}"; wait_port "${PORT_WEB[$c]}"; wait_port "${PORT_TLS[$c]}"
  wait_port "${PORT_H2C[$c]}"
done

# ---- measurement helpers ----
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { # total utime+stime of a process and its children processes (NGINX workers)
  local pid=$1 total=0 p
  for p in $pid $(pgrep -P "$pid" 2>/dev/null || true); do
    [ -r "/proc/$p/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo $total
}
rss_kb() {
  local pid=$1 total=0 p
  for p in $pid $(pgrep -P "$pid" 2>/dev/null || true); do
    [ -r "/proc/$p/status" ] && total=$((total + $(awk '/VmRSS/ {print $2}' "/proc/$p/status")))
  done
  echo $total
}
to_ms() { # wrk latency value with unit -> milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}

RESULTS="$WORK/results.tsv"   # workload contender round throughput unit p50 p99 cpu_seconds work_units
: > "$RESULTS"

record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RESULTS"; }

measure() { # measure WORKLOAD CONTENDER PID ROUND COMMAND... ; the command prints "throughput unit p50 p99 work"
  local workload=$1 contender=$2 pid=$3 round=$4; shift 4
  local before=0 after=0 out
  [ "$contender" != direct ] && before=$(cpu_ticks "$pid")
  out=$("$@")
  [ "$contender" != direct ] && after=$(cpu_ticks "$pid")
  local cpu
  cpu=$(awk -v a="$after" -v b="$before" -v t="$CLK_TCK" 'BEGIN { printf "%.3f", (a - b) / t }')
  # shellcheck disable=SC2086
  record "$workload" "$contender" "$round" $out "$cpu"
}

run_iperf() { # PORT STREAMS -> Gbit/s
  local out gbps
  out=$(iperf3 -c 127.0.0.1 -p "$1" -t "$SECONDS_PER_RUN" -P "$2" -f g 2>&1)
  if [ "$2" -gt 1 ]; then
    gbps=$(echo "$out" | awk '/\[SUM\].*receiver/ {print $6}')
  else
    gbps=$(echo "$out" | awk '/receiver/ {print $7}')
  fi
  # work unit: GB moved, for CPU per GB
  echo "$gbps Gbit/s - - $(awk -v g="$gbps" -v s="$SECONDS_PER_RUN" 'BEGIN { printf "%.3f", g * s / 8 }')"
}

run_redis() { # PORT TEST PIPELINE -> req/s p50 p99 requests
  local n=$(( 45000 * SECONDS_PER_RUN )); [ "$3" -gt 1 ] && n=$(( 400000 * SECONDS_PER_RUN ))
  local line
  line=$(redis-benchmark -h 127.0.0.1 -p "$1" -c 50 -n "$n" -t "$2" -P "$3" --csv 2>/dev/null | grep -v '^"test"' | head -1)
  # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  echo "$line" | awk -F'","' -v n="$n" '{ gsub(/"/, "", $0); split($0, f, ","); printf "%s req/s %s %s %d\n", f[2], f[5], f[7], n }'
}

run_wrk() { # PORT PATH CONNECTIONS [close] [https] -> req/s p50 p99 requests
  local extra=() scheme=http
  [ "${4:-}" = close ] && extra=(-H "Connection: close")
  [ "${5:-}" = https ] && scheme=https
  local out rps p50 p99 total
  out=$(wrk -t2 -c"$3" -d"${SECONDS_PER_RUN}s" --latency "${extra[@]}" "$scheme://127.0.0.1:$1$2" 2>&1)
  rps=$(echo "$out" | awk '/Requests\/sec:/ {print $2}')
  p50=$(to_ms "$(echo "$out" | awk '$1 == "50%" {print $2}')")
  p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" {print $2}')")
  total=$(echo "$out" | awk '/requests in/ {print $1}')
  if echo "$out" | grep -q "Non-2xx\|Socket errors"; then
    echo "$out" | grep "Non-2xx\|Socket errors" | sed 's/^/  wrk: /' >&2
  fi
  echo "$rps req/s $p50 $p99 $total"
}

run_h2load() { # PORT PATH CONNECTIONS STREAMS [https] -> req/s p50 p99 requests (h2load, 2 threads)
  local scheme=http
  [ "${5:-}" = https ] && scheme=https
  local out rps total lat="$WORK/h2load-latency.log"
  rm -f "$lat"
  out=$(h2load -t2 -c"$3" -m"$4" -D"$SECONDS_PER_RUN" --log-file="$lat" "$scheme://127.0.0.1:$1$2" 2>&1)
  rps=$(echo "$out" | awk '/^finished in/ {print $4}')
  total=$(echo "$out" | awk '/^requests:/ {print $8}')   # succeeded
  if ! echo "$out" | grep -q " 0 failed, 0 errored"; then
    echo "$out" | grep "^requests:" | sed 's/^/  h2load: /' >&2
  fi
  # the log: start time, status, duration in microseconds, one line per request
  read -r p50 p99 < <(awk '{print $3}' "$lat" | sort -n | awk '{v[NR] = $1} END {
    if (NR == 0) { print "- -"; exit }
    printf "%.3f %.3f\n", v[int(NR * 0.50) + (NR * 0.50 > int(NR * 0.50))] / 1000, v[int(NR * 0.99) + (NR * 0.99 > int(NR * 0.99))] / 1000 }')
  echo "$rps req/s $p50 $p99 $total"
}

WORKLOADS=(
  "l4-bulk-1|L4 bulk, iperf3, 1 stream|run_iperf PORT_IPERF 1"
  "l4-bulk-4|L4 bulk, iperf3, 4 streams|run_iperf PORT_IPERF 4"
  "redis-ping|L4 small, redis-benchmark PING, 50 connections|run_redis PORT_REDIS ping 1"
  "redis-set|L4 small, redis-benchmark SET, 50 connections|run_redis PORT_REDIS set 1"
  "redis-get|L4 small, redis-benchmark GET, 50 connections|run_redis PORT_REDIS get 1"
  "redis-ping-p16|L4 small, redis-benchmark PING, 50 connections, -P 16|run_redis PORT_REDIS ping 16"
  "redis-set-p16|L4 small, redis-benchmark SET, 50 connections, -P 16|run_redis PORT_REDIS set 16"
  "redis-get-p16|L4 small, redis-benchmark GET, 50 connections, -P 16|run_redis PORT_REDIS get 16"
  "http-keepalive|L7 small responses, wrk -t2 -c64, keep-alive|run_wrk PORT_WEB /small 64"
  "http-close|L7 small responses, wrk -t2 -c64, Connection: close|run_wrk PORT_WEB /small 64 close"
  "http-1m|L7 1 MiB responses, wrk -t2 -c16|run_wrk PORT_WEB /1m 16"
  "https-keepalive|HTTPS (TLS 1.3, AES-128-GCM, P-256) small responses, wrk -t2 -c64, keep-alive|run_wrk PORT_TLS /small 64 keep https"
  "h2c-multiplexed|HTTP/2 with prior knowledge, small responses, h2load -t2 -c16 -m32 (many streams on few connections)|run_h2load PORT_H2C /small 16 32"
  "h2c-single|HTTP/2 with prior knowledge, small responses, h2load -t2 -c64 -m1 (one stream at a time per connection)|run_h2load PORT_H2C /small 64 1"
  "h2-tls-multiplexed|HTTP/2 over TLS 1.3 (ALPN h2), small responses, h2load -t2 -c16 -m32|run_h2load PORT_TLS /small 16 32 https"
  "h2-tls-single|HTTP/2 over TLS 1.3 (ALPN h2), small responses, h2load -t2 -c64 -m1|run_h2load PORT_TLS /small 64 1 https"
  "https-handshakes|HTTPS handshakes: a new TLS 1.3 connection per request, wrk -t2 -c64 (req/s = handshakes/s; wrk resumes its session, so each is PSK with an X25519 exchange)|run_wrk PORT_TLS /small 64 close https"
)

# ---- memory right after start, before any traffic ----
declare -A START_RSS
sleep 1
for c in "${PROXIES[@]}"; do START_RSS[$c]=$(rss_kb "$(pid_for "$c" PORT_REDIS)"); done

if [ -n "$ONLY" ]; then
  selected=()
  for entry in "${WORKLOADS[@]}"; do
    [[ "${entry%%|*}" =~ $ONLY ]] && selected+=("$entry")
  done
  WORKLOADS=("${selected[@]}")
  IDLE_CONNECTIONS=0
fi

# Warm-up: every contender gets each workload WARMUP times (connections opened and closed each time) before
# anything is measured, so that jlb is measured after its JIT has compiled the paths in use, as a proxy that has run
# for a minute is; the others get the same traffic. The first seconds of a fresh JVM are slower (compilation takes
# CPU from the loops and raises the p99): README's performance section says by how much.
log "warming up ($WARMUP runs of every workload per contender)"
for c in "${PROXIES[@]}" "${TLS_EXTRA[@]}"; do
  for _ in $(seq "$WARMUP"); do
    for entry in "${WORKLOADS[@]}"; do
      IFS='|' read -r key title cmd <<< "$entry"
      read -r fn portvar rest <<< "$cmd"
      declare -n ports="$portvar"
      # shellcheck disable=SC2086
      [ -n "${ports[$c]:-}" ] && "$fn" "${ports[$c]}" $rest >/dev/null 2>&1 || true
      unset -n ports
    done
  done
done

# ---- the runs, contenders in alternation, rotating who goes first ----

for round in $(seq "$ROUNDS"); do
  for entry in "${WORKLOADS[@]}"; do
    IFS='|' read -r key title cmd <<< "$entry"
    order=("${CONTENDERS[@]}")
    shift_by=$(( (round - 1) % ${#order[@]} ))
    order=("${order[@]:$shift_by}" "${order[@]:0:$shift_by}")
    for c in "${order[@]}"; do
      read -r fn portvar rest <<< "$cmd"
      declare -n ports="$portvar"
      if [ -z "${ports[$c]:-}" ]; then unset -n ports; continue; fi   # no such listener for this contender
      log "round $round/$ROUNDS: $key on $c"
      # shellcheck disable=SC2086
      measure "$key" "$c" "$(pid_for "$c" "$portvar")" "$round" "$fn" "${ports[$c]}" $rest
      unset -n ports
    done
  done
done

# ---- memory per idle proxied connection ----
MEMORY="$WORK/memory.tsv"
: > "$MEMORY"
[ "$IDLE_CONNECTIONS" -gt 0 ] && log "memory: $IDLE_CONNECTIONS idle connections through each proxy"
for c in "${PROXIES[@]}"; do
  [ "$IDLE_CONNECTIONS" -gt 0 ] || break
  pid=$(pid_for "$c" PORT_REDIS)
  if [[ "$c" == jlb-* ]]; then jcmd "$pid" GC.run >/dev/null 2>&1 || true; sleep 1; fi
  rss_before=$(rss_kb "$pid")
  heap_before=0
  [[ "$c" == jlb-* ]] && heap_before=$(jcmd "$pid" GC.heap_info 2>/dev/null | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i+1); gsub(/K/, "", v); s += v}} END {print s + 0}')
  coproc HOLD { java -cp "$BENCH_JAR" io.jlb.benchmarks.IdleConnections 127.0.0.1 "${PORT_REDIS[$c]}" "$IDLE_CONNECTIONS" 2>&1; }
  read -r ready <&"${HOLD[0]}" || true
  sleep 2
  rss_after=$(rss_kb "$pid")
  heap_after=0
  if [[ "$c" == jlb-* ]]; then
    jcmd "$pid" GC.run >/dev/null 2>&1 || true; sleep 1
    rss_after=$(rss_kb "$pid")
    heap_after=$(jcmd "$pid" GC.heap_info 2>/dev/null | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i+1); gsub(/K/, "", v); s += v}} END {print s + 0}')
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$ready" "$rss_before" "$rss_after" "$heap_before" "$heap_after" "${START_RSS[$c]}" >> "$MEMORY"
  exec {HOLD[1]}>&-
  wait "$HOLD_PID" 2>/dev/null || true
  sleep 1
done

# ---- report ----
END_TIME=$(date +%s)
REPORT="$WORK/report.md"
{
  echo "## End-to-end comparison"
  echo
  echo "Run on $(date -u '+%Y-%m-%d %H:%M UTC') by \`lb-benchmarks/compare.sh --rounds $ROUNDS --seconds $SECONDS_PER_RUN\`" \
       "in $(( END_TIME - START_TIME )) s."
  echo
  echo "- Machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(free -g | awk '/Mem:/ {print $2}') GiB," \
       "Linux $(uname -r). Load generator, proxy and backend share these cores."
  echo "- Versions: $(haproxy -v 2>&1 | head -1 | cut -d' ' -f1-3); $("$NGINX" -v 2>&1 | sed 's/.*: //');" \
       "$(java -version 2>&1 | head -1); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); $(iperf3 -v 2>&1 | head -1 | cut -d' ' -f1-2);" \
       "$(redis-server -v | cut -d' ' -f1-3)."
  echo "- Settings: each proxy 2 threads/worker processes; HAProxy \`nbthread 2\`, \`mode tcp\` / \`mode http\` with" \
       "\`http-reuse always\` and \`option forwardfor\`; NGINX \`worker_processes 2\`, \`stream\` / \`proxy_pass\` with" \
       "\`keepalive 64\` and X-Forwarded-For; jlb as users run it, \`java -jar lb.jar tcp|http --listen ... --backend ...\`," \
       "one process per listener, its defaults (2 loops on 2 processors, 64 KiB buffers, X-Forwarded-For, -Proto, -Host," \
       "Forwarded and Via added, upstream keep-alive, passive failure detection, p2c), no JVM flags:" \
       "jlb-17 on $("$JDK17" -version 2>&1 | head -1)$([ -x "$JDK25" ] && echo ", jlb-25 on $("$JDK25" -version 2>&1 | head -1)")." \
       "Backends: iperf3, redis-server without persistence, two NGINX (1 worker each) serving a 23-byte body and a" \
       "1 MiB body; the HTTP proxies balance over both (round-robin; jlb's default p2c), 'direct' is one of them."
  echo "- Each cell: median of $ROUNDS rounds (min–max). Ratios: to the backend reached directly, and to the better" \
       "of HAProxy and NGINX (above 1.00 is better for throughput, below 1.00 is better for latency and CPU)."
  echo
  for entry in "${WORKLOADS[@]}"; do
    IFS='|' read -r key title cmd <<< "$entry"
    echo "### $title"
    echo
    awk -F'\t' -v key="$key" '
      function median(list, n,   a, i, j, t) { split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
                                             return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
      function minimum(list,   a, n, i, m) { n = split(list, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 < m + 0) m = a[i]; return m }
      function maximum(list,   a, n, i, m) { n = split(list, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 > m + 0) m = a[i]; return m }
      $1 == key { c = $2; thr[c] = thr[c] " " $4; unit = $5; p50[c] = p50[c] " " $6; p99[c] = p99[c] " " $7;
                  work[c] = work[c] " " $8; cpu[c] = cpu[c] " " $9; n[c]++ }
      END {
        nc = split("direct haproxy nginx jlb-17 jlb-25 jlb-17+conscrypt jlb-25+conscrypt", order, " ")
        for (k = 1; k <= nc; k++) { c = order[k]; if (n[c]) { T[c] = median(thr[c], n[c]); P50[c] = median(p50[c], n[c]); P99[c] = median(p99[c], n[c])
          cw = 0; split(cpu[c], cs, " "); split(work[c], ws, " "); tc = 0; tw = 0; for (i = 1; i <= n[c]; i++) { tc += cs[i]; tw += ws[i] }
          C[c] = tw > 0 ? tc / tw : 0 } }
        best = T["haproxy"] > T["nginx"] ? "haproxy" : "nginx"
        bestp99 = (P99["haproxy"] != "-" && P99["haproxy"] + 0 < P99["nginx"] + 0) ? "haproxy" : "nginx"
        bestcpu = C["haproxy"] < C["nginx"] ? "haproxy" : "nginx"
        gb = (unit ~ /bit/)
        printf "| contender | %s (min–max) | p50 ms | p99 ms | proxy CPU %s | vs direct | vs best peer |\n", unit, gb ? "s/GB" : "µs/request"
        print "|---|---|---|---|---|---|---|"
        for (k = 1; k <= nc; k++) { c = order[k]; if (!n[c]) continue
          cpuText = c == "direct" ? "–" : sprintf(gb ? "%.3f" : "%.1f", gb ? C[c] : C[c] * 1e6)
          vs = T["direct"] > 0 ? sprintf("%.2f", T[c] / T["direct"]) : "–"
          peer = c == "direct" || c == best ? "–" : sprintf("%.2f", T[c] / T[best])
          if (c ~ /^jlb/) { peer = sprintf("%.2f thr", T[c] / T[best]); if (P99[c] != "-") peer = peer sprintf(", %.2f p99", P99[c] / P99[bestp99]); peer = peer sprintf(", %.2f cpu", C[c] / C[bestcpu]) }
          printf "| %s | %s (%s–%s) | %s | %s | %s | %s | %s |\n", c, T[c], minimum(thr[c]), maximum(thr[c]), P50[c], P99[c], cpuText, vs, peer }
      }' "$RESULTS"
    echo
  done
  [ "$IDLE_CONNECTIONS" -gt 0 ] && echo "### Memory per idle proxied connection ($IDLE_CONNECTIONS connections to redis-server)"
  echo
  if [ "$IDLE_CAPPED" = 1 ]; then
    echo "This machine's hard limit of $FD_LIMIT open files per process allows $IDLE_CONNECTIONS proxied connections" \
         "(two files each), not 10,000."
  fi
  echo
  if [ "$IDLE_CONNECTIONS" -gt 0 ]; then
  echo "RSS after start is the process serving the redis listener (for jlb, one of its per-listener processes), before"
  echo "any traffic; RSS before is after the benchmark traffic, with no connection open."
  echo
  echo "| contender | RSS after start | connections held | RSS before | RSS after | RSS per connection | heap per connection (after GC) |"
  echo "|---|---|---|---|---|---|---|"
  fi
  awk -F'\t' '{ per = ($4 - $3) * 1024 / ($2 ~ /ready/ ? substr($2, 7) : 1)
                n = ($2 ~ /ready/) ? substr($2, 7) : 0
                heap = $1 ~ /^jlb/ ? sprintf("%.0f B", ($6 - $5) * 1024 / (n > 0 ? n : 1)) : "–"
                printf "| %s | %.1f MiB | %s | %.1f MiB | %.1f MiB | %.0f B | %s |\n", $1, $7 / 1024, n, $3 / 1024, $4 / 1024, (n > 0 ? ($4 - $3) * 1024 / n : 0), heap }' "$MEMORY"
  echo
} > "$REPORT"

cat "$REPORT"
RESULTS_MD="$HERE/RESULTS.md"
if [ -n "$ONLY" ]; then
  log "--only: RESULTS.md left as it is"
elif [ -f "$RESULTS_MD" ] && grep -q '<!-- e2e:begin -->' "$RESULTS_MD"; then
  awk -v report="$REPORT" '
    /<!-- e2e:begin -->/ { print; while ((getline line < report) > 0) print line; skip = 1; next }
    /<!-- e2e:end -->/ { skip = 0 }
    !skip { print }' "$RESULTS_MD" > "$WORK/RESULTS.md" && cp "$WORK/RESULTS.md" "$RESULTS_MD"
  log "updated $RESULTS_MD"
else
  log "RESULTS.md has no e2e markers; the report is printed above"
fi
