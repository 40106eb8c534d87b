#!/usr/bin/env bash
# The cost of `certkeep renew`, against one local Pebble (no nonce rejection, no validation
# sleep, no authorization reuse), in two parts:
#   idle  a store of N certificates none of which is due, side by side with `certbot renew`
#         over C lineages (default 1,000: certbot spends milliseconds per lineage, linearly,
#         so compare the per-certificate column; -C 10000 for the same count). Both stores are
#         copies of one real issuance each (bench/replicate_store.py), 5-year certificates. A
#         first, untimed run checks the summary (N certificates, N not due), warms the cache.
#   due   D certificates, each with its own name, all on one HTTP-01 listen address, renewed by
#         `renew --force` at --parallel P and at --parallel 1, alternately; each run starts from
#         a fresh copy of the store, on disk under $TMPDIR (renewals write and fsync). With
#         BASELINE_BIN, also D `issue` runs in a row by that binary and by this one: the
#         sequential path before `renew` existed.
# Each row: median wall and CPU seconds, wall per certificate, and peak RSS (/usr/bin/time) of
# RUNS runs, and ACME requests per run counted in Pebble's log. Prints a markdown table.
# Usage: bench/renew_bench.sh [-n RUNS] [-N CERTS] [-C LINEAGES] [-D DUE] [-P PAR] [-s PARTS]
#                             [-t DIR] [-k]
#   -n RUNS      timed runs per row (default 5)     -N CERTS   not-due certificates (default 10000)
#   -C LINEAGES  certbot lineages (default 1000; 0 skips certbot)
#   -D DUE       due certificates (default 50)      -P PAR     parallelism set against 1 (default 8)
#   -s PARTS     idle,due (default both)            -k         keep the work directories
#   -t DIR       where the not-due stores go (default /dev/shm: they are only read while timed,
#                and deleting 100,000 files from a disk mounted with discard takes many minutes)
# Environment: CERTKEEP_BIN (default build/cli/certkeep, a Release build), BASELINE_BIN (optional,
# an older certkeep for the sequential `issue` rows). Needs certbot and time: scripts/deps --bench.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

runs=5 certs=10000 lineages=1000 due=50 par=8 parts=idle,due big_parent=/dev/shm
while getopts 'n:N:C:D:P:s:t:kh' opt; do
    case $opt in
    n) runs=$OPTARG ;;
    N) certs=$OPTARG ;;
    C) lineages=$OPTARG ;;
    D) due=$OPTARG ;;
    P) par=$OPTARG ;;
    s) parts=$OPTARG ;;
    t) big_parent=$OPTARG ;;
    k) export CK_KEEP_TMP=1 ;;
    *)
        sed -n '16,25s/^# \{0,1\}//p' "$0"
        [[ $opt == h ]] && exit 0
        exit 2
        ;;
    esac
done
die() { # STATUS MESSAGE
    echo "renew_bench: $2" >&2
    exit "$1"
}
for v in "$runs" "$certs" "$due" "$par"; do
    [[ "$v" =~ ^[1-9][0-9]*$ ]] || die 2 "-n, -N, -D and -P want positive numbers"
done
[[ "$lineages" =~ ^[0-9]+$ ]] || die 2 "-C wants a number"
[[ ",$parts," =~ ^(,(idle|due))+,$ ]] || die 2 "-s wants idle, due or idle,due"
[[ -d "$big_parent" && -w "$big_parent" ]] || die 2 "-t $big_parent is not a writable directory"

export CERTKEEP_BIN=${CERTKEEP_BIN:-$repo/build/cli/certkeep}
export CERTKEEP_SOURCE_DIR=$repo
BASELINE_BIN=${BASELINE_BIN:-}
[[ -x "$CERTKEEP_BIN" ]] ||
    die 1 "$CERTKEEP_BIN is not built (cmake --build build --target certkeep)"
[[ -z "$BASELINE_BIN" || -x "$BASELINE_BIN" ]] ||
    die 1 "BASELINE_BIN $BASELINE_BIN is not executable"
[[ -x /usr/bin/time ]] || die 1 "/usr/bin/time is missing: run scripts/deps --bench"
if ((lineages > 0)) && [[ $parts == *idle* ]] && ! command -v certbot >/dev/null; then
    echo "renew_bench: certbot is not installed (scripts/deps --bench); skipping it" >&2
    lineages=0
fi

# shellcheck source=tests/integration/lib.sh
source tests/integration/lib.sh
# shellcheck source=bench/lib.sh
source bench/lib.sh
ck_setup
CK_NONCEREJECT=0 ck_start_pebble PEBBLE_VA_NOSLEEP=1 PEBBLE_AUTHZREUSE=0
export REQUESTS_CA_BUNDLE=$CK_CA_BUNDLE # certbot's trust
big=$(mktemp -d "$big_parent/certkeep-renew-bench.XXXXXX") # the not-due stores
ck_defer "[[ \${CK_KEEP_TMP:-0} == 1 ]] && ck_log 'keeping $big' || rm -rf -- '$big'"
echo "renew_bench: Pebble at $CK_DIR_URL, HTTP-01 on port $CK_HTTP_PORT, $runs runs per row" >&2

rows=()
failures=0

# measure LABEL CHECK COMMAND...: one timed run of COMMAND; CHECK is a function given the log
# file that says whether the output is the expected one. Appends "wall rss_kib requests cpu" to
# $CK_TMP/LABEL.results. Returns non-zero (and shows the log) if the run or its check failed.
measure() {
    local label=$1 check=$2 before after wall rss user sys cpu
    local log="$CK_TMP/run.log" timing="$CK_TMP/run.time"
    shift 2
    before=$(ck_count_requests '')
    if ! timeout 1800 /usr/bin/time -f '%e %M %U %S' -o "$timing" "$@" >"$log" 2>&1 </dev/null ||
        ! "$check" "$log"; then
        echo "renew_bench: $label failed; its output:" >&2
        tail -n 30 "$log" >&2
        return 1
    fi
    after=$(ck_count_requests '')
    read -r wall rss user sys <"$timing"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
    echo "$wall $rss $((after - before)) $cpu" >>"$CK_TMP/$label.results"
    echo "renew_bench: $label: ${wall}s (CPU ${cpu}s), $((rss / 1024)) MiB," \
        "$((after - before)) requests" >&2
}

# add_row LABEL DESCRIPTION COUNT: the table row of LABEL's results (medians), COUNT
# certificates per run.
add_row() {
    local f="$CK_TMP/$1.results" wall
    wall=$(cut -d' ' -f1 "$f" | median)
    rows+=("$(printf '| %s | %d | %.2f s | %.3g ms | %.2f s | %.1f MiB | %s |' \
        "$2" "$(wc -l <"$f")" "$wall" \
        "$(awk -v w="$wall" -v n="$3" 'BEGIN { print 1000 * w / n }')" \
        "$(cut -d' ' -f4 "$f" | median)" \
        "$(cut -d' ' -f2 "$f" | median | awk '{ print $1 / 1024 }')" \
        "$(cut -d' ' -f3 "$f" | median)")")
}

# failed_row DESCRIPTION WHY
failed_row() {
    rows+=("| $1 | failed ($2) | | | | | |")
    failures=$((failures + 1))
}

ck=("$CERTKEEP_BIN" --ca-bundle "$CK_CA_BUNDLE") # what every certkeep run starts with

# --- seeds: one real issuance per client ------------------------------------------------------
seed_certkeep() {
    "${ck[@]}" --server "$CK_DIR_URL" --state-dir "$CK_TMP/seed" --agree-tos \
        --email bench@example.com issue -d seed.bench.test --http-listen "127.0.0.1:$CK_HTTP_PORT"
}
certbot_common=(--non-interactive --server "$CK_DIR_URL" --config-dir "$big/certbot/config"
    --work-dir "$big/certbot/work" --logs-dir "$big/certbot/logs")
seed_certbot() {
    certbot register "${certbot_common[@]}" --agree-tos -m bench@example.com --no-eff-email &&
        certbot certonly "${certbot_common[@]}" --standalone --http-01-port "$CK_HTTP_PORT" \
            --http-01-address 127.0.0.1 --key-type ecdsa --elliptic-curve secp256r1 \
            -d seed.bench.test
}

# run_logged WHAT COMMAND...: runs an untimed step; shows its output and fails if it fails.
run_logged() {
    local what=$1
    shift
    if ! "$@" >"$CK_TMP/step.log" 2>&1 </dev/null; then
        echo "renew_bench: $what failed:" >&2
        tail -n 30 "$CK_TMP/step.log" >&2
        return 1
    fi
}

# --- part 1: nothing due -----------------------------------------------------------------------
idle_ok() {
    local want="renew: $certs certificates: 0 renewed, 0 failed, 0 deploys failed,"
    grep -qxF "$want 0 backing off, 0 busy, $certs not due" "$1"
}
certbot_ok() {
    grep -qF 'No renewals were attempted.' "$1" && (($(grep -c ' (skipped)$' "$1") == lineages))
}

bench_idle_certkeep() {
    local i label=idle-certkeep desc="certkeep renew, $certs certificates, none due"
    echo "renew_bench: --- $desc ---" >&2
    run_logged "building the store" python3 bench/replicate_store.py certkeep "$CK_TMP/seed" \
        "$big/idle" "$certs" idle || { failed_row "$desc" 'store'; return 0; }
    if ! run_logged "the first renew" "${ck[@]}" --state-dir "$big/idle" renew ||
        ! idle_ok "$CK_TMP/step.log"; then
        tail -n 5 "$CK_TMP/step.log" >&2
        failed_row "$desc" 'check run'
        return 0
    fi
    for ((i = 1; i <= runs; i++)); do
        measure "$label" idle_ok "${ck[@]}" --state-dir "$big/idle" renew ||
            { failed_row "$desc" "run $i"; return 0; }
    done
    add_row "$label" "$desc" "$certs"
    bench_status
}

# The same store through `status --json` and through an idle renew that also writes the
# Prometheus textfile (every certificate's series): issue 11's "under 0.5 s" for 10,000.
status_ok() { [[ "$(jq length "$1")" == "$certs" ]]; }
metrics_ok() {
    idle_ok "$1" &&
        (($(grep -c '^certkeep_certificate_not_after_timestamp_seconds{' "$CK_TMP/bench.prom") == certs))
}
bench_status() {
    local i desc="certkeep status --json, $certs certificates"
    local mdesc="certkeep renew --metrics-file, $certs certificates, none due"
    echo "renew_bench: --- $desc; $mdesc ---" >&2
    for ((i = 1; i <= runs; i++)); do
        measure status status_ok "${ck[@]}" --state-dir "$big/idle" status --json ||
            { failed_row "$desc" "run $i"; return 0; }
        measure metrics metrics_ok "${ck[@]}" --state-dir "$big/idle" renew \
            --metrics-file "$CK_TMP/bench.prom" || { failed_row "$mdesc" "run $i"; return 0; }
    done
    add_row status "$desc" "$certs"
    add_row metrics "$mdesc" "$certs"
    bench_scrape
}

# The render alone: `certkeep serve` over the same store answers /metrics from what its last
# check read; the row is curl's wall time per scrape (RSS: the serve process after the scrapes).
bench_scrape() {
    local port pid runs_before i desc="a /metrics scrape of certkeep serve, $certs certificates"
    local url out="$CK_TMP/scrape.prom"
    port=$(ck_free_port)
    url="http://127.0.0.1:$port/metrics"
    echo "renew_bench: --- $desc ---" >&2
    # Its first check adds one to certkeep_renew_runs_total: measure once that is done.
    runs_before=$(jq '.counters["certkeep_renew_runs_total{result=\"success\"}"] // 0' \
        "$big/idle/metrics.json")
    "${ck[@]}" --state-dir "$big/idle" serve --metrics-listen "127.0.0.1:$port" --interval 1h \
        >"$CK_TMP/serve.log" 2>&1 </dev/null &
    pid=$!
    ck_track_pid "$pid"
    runs_of() { curl -sf "$url" | awk '$1 == "certkeep_renew_runs_total{result=\"success\"}" { print $2 }'; }
    export -f runs_of
    export url
    CK_WAIT_TIMEOUT=120 ck_wait_until "serve's first check" "$pid" \
        bash -c '(($(runs_of) > $1))' _ "$runs_before"
    for ((i = 1; i <= runs; i++)); do
        curl -sf -o "$out" -w '%{time_total}\n' "$url" >>"$CK_TMP/scrape.times" ||
            { failed_row "$desc" "run $i"; return 0; }
        (($(grep -c '^certkeep_certificate_not_after_timestamp_seconds{' "$out") == certs)) ||
            { failed_row "$desc" "run $i: incomplete"; return 0; }
    done
    local rss wall
    rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
    kill -TERM "$pid"
    wait "$pid" || { failed_row "$desc" 'exit status after SIGTERM'; return 0; }
    wall=$(median <"$CK_TMP/scrape.times")
    rows+=("$(printf '| %s | %d | %.2f s | %.3g ms | | %.1f MiB | 0 |' "$desc" "$runs" "$wall" \
        "$(awk -v w="$wall" -v n="$certs" 'BEGIN { print 1000 * w / n }')" \
        "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')")")
}

bench_idle_certbot() {
    local i label=idle-certbot desc="certbot renew, $lineages lineages, none due"
    echo "renew_bench: --- $desc ---" >&2
    if ! run_logged "certbot's seed issuance" seed_certbot ||
        ! run_logged "building certbot's lineages" python3 bench/replicate_store.py certbot \
            "$big/certbot/config" "$lineages" idle; then
        failed_row "$desc" 'set-up'
        return 0
    fi
    if ! run_logged "the first certbot renew" certbot renew "${certbot_common[@]}" ||
        ! certbot_ok "$CK_TMP/step.log"; then
        tail -n 5 "$CK_TMP/step.log" >&2
        failed_row "$desc" 'check run'
        return 0
    fi
    for ((i = 1; i <= runs; i++)); do
        measure "$label" certbot_ok certbot renew "${certbot_common[@]}" ||
            { failed_row "$desc" "run $i"; return 0; }
    done
    add_row "$label" "$desc" "$lineages"
}

# --- part 2: due certificates --------------------------------------------------------------------
due_ok() { grep -qF "renew: $due certificates: $due renewed, 0 failed, 0 deploys failed" "$1"; }
true_ok() { true; }

# due_run P I: renews a fresh copy of the D-certificate store at --parallel P.
due_run() {
    local p=$1 i=$2 dir="$CK_TMP/due-$1-$2"
    run_logged "building the due store" python3 bench/replicate_store.py certkeep "$CK_TMP/seed" \
        "$dir" "$due" due || return 1
    measure "due-$p" due_ok "${ck[@]}" --state-dir "$dir" renew --force --parallel "$p" || return 1
    rm -rf -- "$dir"
}

# A bash program (a constant: the data come as arguments) running D `issue` in a row, one new
# name each: the path before renew. Its peak RSS is the largest of its processes'.
# shellcheck disable=SC2016
issue_loop='bin=$1 ca=$2 server=$3 state=$4 listen=$5 prefix=$6 n=$7
for ((j = 1; j <= n; j++)); do
    "$bin" --ca-bundle "$ca" --server "$server" --state-dir "$state" \
        issue -d "$prefix-$j.bench.test" --http-listen "$listen" || exit 1
done'

# bench_issue_loop LABEL BIN: an account first (untimed), then RUNS timed loops.
bench_issue_loop() {
    local label=$1 bin=$2 i desc="$1: $due x \`certkeep issue\` in a row"
    run_logged "$label's account" "$bin" --ca-bundle "$CK_CA_BUNDLE" --server "$CK_DIR_URL" \
        --state-dir "$CK_TMP/$label" --agree-tos --email bench@example.com \
        issue -d "$label-warmup.bench.test" --http-listen "127.0.0.1:$CK_HTTP_PORT" ||
        { failed_row "$desc" 'account'; return 0; }
    for ((i = 1; i <= runs; i++)); do
        measure "$label" true_ok bash -c "$issue_loop" issue_loop "$bin" "$CK_CA_BUNDLE" \
            "$CK_DIR_URL" "$CK_TMP/$label" "127.0.0.1:$CK_HTTP_PORT" "$label-$i" "$due" ||
            { failed_row "$desc" "run $i"; return 0; }
    done
    add_row "$label" "$desc (process total)" "$due"
}

bench_due() {
    local i p
    echo "renew_bench: --- $due due certificates, --parallel 1 and $par ---" >&2
    for ((i = 1; i <= runs; i++)); do
        for p in 1 "$par"; do
            due_run "$p" "$i" ||
                { failed_row "certkeep renew --force, $due due" "--parallel $p, run $i"; return 0; }
        done
    done
    add_row due-1 "certkeep renew --force --parallel 1, $due due" "$due"
    add_row "due-$par" "certkeep renew --force --parallel $par, $due due" "$due"
    speedup=$(awk -v a="$(cut -d' ' -f1 "$CK_TMP/due-1.results" | median)" \
        -v b="$(cut -d' ' -f1 "$CK_TMP/due-$par.results" | median)" \
        'BEGIN { printf "%.2f", a / b }')
    if [[ -n "$BASELINE_BIN" ]]; then
        bench_issue_loop issue-baseline "$BASELINE_BIN"
        bench_issue_loop issue-current "$CERTKEEP_BIN"
    fi
}

# --- run -----------------------------------------------------------------------------------------
speedup=''
run_logged "certkeep's seed issuance" seed_certkeep
if [[ $parts == *idle* ]]; then
    bench_idle_certkeep
    ((lineages > 0)) && bench_idle_certbot
fi
[[ $parts == *due* ]] && bench_due

echo
echo "One local Pebble; medians of $runs whole-process runs (warm page cache); $(nproc) cores;" \
    "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)" \
    "(wall times mean little when it is above $(nproc))."
echo
echo "| measurement | runs | median wall | wall per certificate | median CPU (user+sys)" \
    "| median peak RSS | ACME requests per run |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
if [[ -n "$speedup" ]]; then
    printf '\n--parallel %s is %sx faster than --parallel 1 over %s due certificates.\n' \
        "$par" "$speedup" "$due"
fi
((failures == 0))
