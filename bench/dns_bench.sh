#!/usr/bin/env bash
# Side-by-side cost of one wildcard + apex certificate (NAME and *.NAME: two DNS-01 values at one
# name) through RFC 2136 dynamic updates signed with TSIG: certkeep vs lego's rfc2136 provider,
# both against the same local Pebble (no nonce rejection, no validation sleep, no authorization
# reuse) resolving through the same BIND 9 primary, in a private network namespace (BIND on
# 127.0.0.1:53; the namespace's /etc/resolv.conf points there, as lego looks up NS names with
# the system resolver). For each client the account is created first (not measured), then N
# issuances run as whole processes, each for a new name under example.test, measured with
# /usr/bin/time (wall seconds, peak RSS), ACME requests counted in Pebble's log and DNS changes
# in BIND's. Prints a markdown table of medians.
# Usage: bench/dns_bench.sh [-n N] [-c certkeep,lego] [-k]
#   -n N   issuances per client (default 3)   -c LIST  clients to run (default both)
#   -k     keep the work directory (logs, state) and print its path
# Environment: CERTKEEP_BIN (default build/cli/certkeep); lego's own RFC2136_* settings (e.g.
# RFC2136_SEQUENCE_INTERVAL, RFC2136_PROPAGATION_TIMEOUT) pass through, their defaults apply
# otherwise. Needs root (network namespace, BIND on port 53).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

runs=3
clients=certkeep,lego
while getopts 'n:c:kh' opt; do
    case $opt in
    n) runs=$OPTARG ;;
    c) clients=$OPTARG ;;
    k) export CK_KEEP_TMP=1 ;;
    *)
        sed -n '11,13s/^# \{0,1\}//p' "$0"
        [[ $opt == h ]] && exit 0
        exit 2
        ;;
    esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "dns_bench: -n wants a positive number" >&2; exit 2; }

export CERTKEEP_BIN=${CERTKEEP_BIN:-$repo/build/cli/certkeep}
export CERTKEEP_SOURCE_DIR=$repo
[[ -x /usr/bin/time ]] || { echo "dns_bench: /usr/bin/time is missing: run scripts/deps --bench" >&2; exit 1; }
for tool in named tsig-keygen dig pebble; do
    command -v "$tool" >/dev/null || { echo "dns_bench: $tool is missing: run scripts/deps" >&2; exit 1; }
done

# shellcheck source=tests/integration/dns_lib.sh
source "$repo/tests/integration/dns_lib.sh"
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
export CK_NETNS_RESOLVER=127.0.0.1
ck_enter_netns "$@"
cd "$repo"
ck_setup
ck_bind_start --primary-only
CK_NONCEREJECT=0 ck_start_pebble --dnsserver "$CK_BIND_RESOLVER" PEBBLE_VA_NOSLEEP=1 PEBBLE_AUTHZREUSE=0
[[ "${CK_KEEP_TMP:-0}" == 1 ]] && echo "dns_bench: work directory $CK_TMP" >&2
echo "dns_bench: Pebble at $CK_DIR_URL resolving through BIND at $CK_BIND_RESOLVER, $runs issuances per client" >&2

declare -A row=()
failures=0

# measure CLIENT I NAME COMMAND...: runs one measured issuance of NAME + *.NAME; appends
# "wall rss_kib requests dns_changes" to $CK_TMP/CLIENT.results. Returns non-zero (and shows
# the log) if the client failed.
measure() {
    local client=$1 i=$2 name=$3 before after wall rss changes
    local log="$CK_TMP/$1-$2.log" timing="$CK_TMP/$1-$2.time"
    shift 3
    before=$(ck_count_requests '')
    if ! timeout 600 /usr/bin/time -f '%e %M' -o "$timing" "$@" >"$log" 2>&1 </dev/null; then
        echo "dns_bench: $client run $i failed; its output:" >&2
        tail -n 30 "$log" >&2
        return 1
    fi
    after=$(ck_count_requests '')
    read -r wall rss <"$timing"
    changes=$(ck_bind_updates "_acme-challenge.$name" | wc -l)
    echo "$wall $rss $((after - before)) $changes" >>"$CK_TMP/$client.results"
    echo "dns_bench: $client #$i: ${wall}s, $((rss / 1024)) MiB, $((after - before)) requests, $changes DNS changes" >&2
}

# bench_client CLIENT: setup once (CLIENT_setup), then N measured issuances (CLIENT_issue).
bench_client() {
    local client=$1 i f
    echo "dns_bench: --- $client ---" >&2
    if ! "${client}_setup" >"$CK_TMP/$client-setup.log" 2>&1 </dev/null; then
        echo "dns_bench: $client: account setup failed:" >&2
        tail -n 30 "$CK_TMP/$client-setup.log" >&2
        row[$client]="| $client | failed (account setup) | | | |"
        failures=$((failures + 1))
        return 0
    fi
    for ((i = 1; i <= runs; i++)); do
        if ! "${client}_issue" "$client-$i.example.test" "$i"; then
            row[$client]="| $client | failed (run $i) | | | |"
            failures=$((failures + 1))
            return 0
        fi
    done
    f="$CK_TMP/$client.results"
    row[$client]=$(printf '| %s | %.2f s | %.1f MiB | %s | %s |' "$client" \
        "$(cut -d' ' -f1 "$f" | median)" \
        "$(cut -d' ' -f2 "$f" | median | awk '{ print $1 / 1024 }')" \
        "$(cut -d' ' -f3 "$f" | median)" "$(cut -d' ' -f4 "$f" | median)")
}

# --- certkeep: rfc2136 with the TSIG key file; the account is registered first -----------------
certkeep_setup() {
    "$CERTKEEP_BIN" --server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$CK_TMP/certkeep" \
        --agree-tos --email bench@example.com account register
}
certkeep_issue() {
    measure certkeep "$2" "$1" "$CERTKEEP_BIN" --server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" \
        --state-dir "$CK_TMP/certkeep" --agree-tos --email bench@example.com \
        issue -d "$1" -d "*.$1" --dns rfc2136 --dns-server "$CK_DNS_SERVER" \
        --tsig-key-file "$CK_DNS_KEY_FILE" --dns-resolver "$CK_BIND_RESOLVER"
}

# --- lego: rfc2136 from the environment; no register-only command, so a one-name warm-up -------
lego_env() {
    local secret
    secret=$(sed -n 's/.*secret "\(.*\)";.*/\1/p' "$CK_DNS_KEY_FILE")
    printf '%s\n' "LEGO_CA_CERTIFICATES=$CK_CA_BUNDLE" "RFC2136_NAMESERVER=$CK_DNS_SERVER" \
        "RFC2136_TSIG_KEY=$CK_DNS_KEY_NAME." "RFC2136_TSIG_SECRET=$secret" \
        "RFC2136_TSIG_ALGORITHM=hmac-sha256."
}
lego_args() {
    printf '%s\n' --server "$CK_DIR_URL" --accept-tos --email bench@example.com --key-type ec256 \
        --dns rfc2136 --dns.resolvers "$CK_BIND_RESOLVER" --path "$CK_TMP/lego"
}
lego_setup() {
    local -a e a
    mapfile -t e < <(lego_env)
    mapfile -t a < <(lego_args)
    env "${e[@]}" lego "${a[@]}" -d warmup-lego.example.test run
}
lego_issue() {
    local -a e a
    mapfile -t e < <(lego_env)
    mapfile -t a < <(lego_args)
    measure lego "$2" "$1" env "${e[@]}" lego "${a[@]}" -d "$1" -d "*.$1" run
}

# --- run ---------------------------------------------------------------------------------------
order=()
IFS=',' read -r -a wanted <<<"$clients"
for c in "${wanted[@]}"; do
    case $c in
    certkeep | lego) order+=("$c") ;;
    *) echo "dns_bench: unknown client: $c" >&2; exit 2 ;;
    esac
done
for c in "${order[@]}"; do
    if [[ $c == certkeep && ! -x "$CERTKEEP_BIN" ]]; then
        echo "dns_bench: skipping certkeep: $CERTKEEP_BIN is not built (cmake --build build --target certkeep)" >&2
        row[$c]="| certkeep | skipped (not built) | | | |"
        continue
    fi
    if [[ $c == lego ]] && ! command -v lego >/dev/null; then
        echo "dns_bench: skipping lego: not installed (scripts/deps --bench)" >&2
        row[$c]="| lego | skipped (not installed) | | | |"
        continue
    fi
    bench_client "$c"
done

echo
echo "Wildcard + apex certificate (NAME, *.NAME) through RFC 2136 + TSIG, one local Pebble and BIND;"
echo "medians of $runs whole-process runs."
echo
echo "| client | median wall | median peak RSS | ACME requests per cert | DNS changes per cert |"
echo "|---|---|---|---|---|"
for c in "${order[@]}"; do
    printf '%s\n' "${row[$c]:-| $c | not run | | | |}"
done
if [[ -s "$CK_TMP/certkeep.results" && -s "$CK_TMP/lego.results" ]]; then
    ck_wall=$(cut -d' ' -f1 "$CK_TMP/certkeep.results" | median)
    lego_wall=$(cut -d' ' -f1 "$CK_TMP/lego.results" | median)
    echo
    awk -v a="$ck_wall" -v b="$lego_wall" 'BEGIN { if (b > 0) printf "certkeep / lego median wall: %.3f\n", a / b }'
fi
((failures == 0))
