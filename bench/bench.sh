#!/usr/bin/env bash
# Side-by-side cost of one single-name EC certificate: certkeep vs uacme, lego and certbot, all
# against the same local Pebble (no nonce rejection, no validation sleep). For each client the
# account is created first (not measured), then N issuances run as whole processes, each for a
# new name, measured with /usr/bin/time (wall seconds, peak RSS) and counted in Pebble's log
# (ACME requests). Prints a markdown table of medians.
# Usage: bench/bench.sh [-n N] [-c certkeep,uacme,lego,certbot] [-k]
#   -n N   issuances per client (default 5)   -c LIST  clients to run (default all four)
#   -k     keep the work directory (logs, state) and print its path
# Environment: CERTKEEP_BIN (default build/cli/certkeep). Needs root for uacme (it trusts only
# the system CA store: the test CA is added there for the run and removed afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

runs=5
clients=certkeep,uacme,lego,certbot
while getopts 'n:c:kh' opt; do
    case $opt in
    n) runs=$OPTARG ;;
    c) clients=$OPTARG ;;
    k) export CK_KEEP_TMP=1 ;;
    *)
        sed -n '7,12s/^# \{0,1\}//p' "$0"
        [[ $opt == h ]] && exit 0
        exit 2
        ;;
    esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench: -n wants a positive number" >&2; exit 2; }

export CERTKEEP_BIN=${CERTKEEP_BIN:-$repo/build/cli/certkeep}
export CERTKEEP_SOURCE_DIR=$repo
[[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time is missing: run scripts/deps --bench" >&2; exit 1; }

# shellcheck source=tests/integration/lib.sh
source tests/integration/lib.sh
# shellcheck source=bench/lib.sh
source bench/lib.sh
ck_setup
CK_NONCEREJECT=0 ck_start_pebble PEBBLE_VA_NOSLEEP=1
echo "bench: Pebble at $CK_DIR_URL, HTTP-01 on port $CK_HTTP_PORT, $runs issuances per client" >&2

declare -A row=()
failures=0

# measure CLIENT I COMMAND...: runs one measured issuance; appends "wall rss_kib requests" to
# $CK_TMP/CLIENT.results. Returns non-zero (and shows the log) if the client failed.
measure() {
    local client=$1 i=$2 before after wall rss log="$CK_TMP/$1-$2.log" timing="$CK_TMP/$1-$2.time"
    shift 2
    before=$(ck_count_requests '')
    if ! timeout 300 /usr/bin/time -f '%e %M' -o "$timing" "$@" >"$log" 2>&1 </dev/null; then
        echo "bench: $client run $i failed; its output:" >&2
        tail -n 30 "$log" >&2
        return 1
    fi
    after=$(ck_count_requests '')
    read -r wall rss <"$timing"
    echo "$wall $rss $((after - before))" >>"$CK_TMP/$client.results"
    echo "bench: $client #$i: ${wall}s, $((rss / 1024)) MiB, $((after - before)) requests" >&2
}

# bench_client CLIENT SETUP-FUNCTION ISSUE-FUNCTION: setup once, then N measured issuances.
bench_client() {
    local client=$1 setup=$2 issue=$3 i
    echo "bench: --- $client ---" >&2
    if ! "$setup" >"$CK_TMP/$client-setup.log" 2>&1 </dev/null; then
        echo "bench: $client: account setup failed:" >&2
        tail -n 30 "$CK_TMP/$client-setup.log" >&2
        row[$client]="| $client | failed (account setup) | | |"
        failures=$((failures + 1))
        return 0
    fi
    for ((i = 1; i <= runs; i++)); do
        if ! "$issue" "$client-$i.bench.test" "$i"; then
            row[$client]="| $client | failed (run $i) | | |"
            failures=$((failures + 1))
            return 0
        fi
    done
    local f="$CK_TMP/$client.results"
    row[$client]=$(printf '| %s | %.2f s | %.1f MiB | %s |' "$client" \
        "$(cut -d' ' -f1 "$f" | median)" \
        "$(cut -d' ' -f2 "$f" | median | awk '{ print $1 / 1024 }')" \
        "$(cut -d' ' -f3 "$f" | median)")
}

# --- certkeep: standalone HTTP-01; the account is created by a warm-up issuance --------------
certkeep_args() { # NAME: the whole command line of one issuance
    printf '%s\n' "$CERTKEEP_BIN" --server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" \
        --state-dir "$CK_TMP/certkeep" --agree-tos --email bench@example.com \
        issue -d "$1" --http-listen "127.0.0.1:$CK_HTTP_PORT"
}
certkeep_setup() {
    local -a cmd
    mapfile -t cmd < <(certkeep_args warmup-certkeep.bench.test)
    "${cmd[@]}"
}
certkeep_issue() {
    local -a cmd
    mapfile -t cmd < <(certkeep_args "$1")
    measure certkeep "$2" "${cmd[@]}"
}

# --- lego: standalone HTTP-01; lego has no register-only command, so a warm-up issuance --------
lego_args() {
    printf '%s\n' --server "$CK_DIR_URL" --accept-tos --email bench@example.com --key-type ec256 \
        --http --http.port "127.0.0.1:$CK_HTTP_PORT" --path "$CK_TMP/lego"
}
lego_setup() {
    local -a a
    mapfile -t a < <(lego_args)
    LEGO_CA_CERTIFICATES=$CK_CA_BUNDLE lego "${a[@]}" -d warmup-lego.bench.test run
}
lego_issue() {
    local -a a
    mapfile -t a < <(lego_args)
    measure lego "$2" env "LEGO_CA_CERTIFICATES=$CK_CA_BUNDLE" lego "${a[@]}" -d "$1" run
}

# --- certbot: standalone HTTP-01, all its directories under $CK_TMP --------------------------
certbot_common=()
certbot_setup() {
    certbot_common=(--non-interactive --server "$CK_DIR_URL" --config-dir "$CK_TMP/certbot/config"
        --work-dir "$CK_TMP/certbot/work" --logs-dir "$CK_TMP/certbot/logs")
    REQUESTS_CA_BUNDLE=$CK_CA_BUNDLE certbot register "${certbot_common[@]}" --agree-tos \
        -m bench@example.com --no-eff-email
}
certbot_issue() {
    measure certbot "$2" env "REQUESTS_CA_BUNDLE=$CK_CA_BUNDLE" certbot certonly "${certbot_common[@]}" \
        --standalone --http-01-port "$CK_HTTP_PORT" --http-01-address 127.0.0.1 \
        --key-type ecdsa --elliptic-curve secp256r1 -d "$1"
}

# --- uacme: webroot through its hook, served by nginx; trusts only the system store ----------
uacme_ca=/usr/local/share/ca-certificates/certkeep-bench-pebble.crt
uacme_untrust() {
    if [[ -f "$uacme_ca" ]]; then
        rm -f "$uacme_ca"
        update-ca-certificates >/dev/null 2>&1 || echo "bench: warning: update-ca-certificates failed" >&2
    fi
    # update-ca-certificates leaves the links to a removed local certificate dangling.
    local link
    for link in /etc/ssl/certs/*; do
        if [[ -L "$link" && "$(readlink "$link")" == *certkeep-bench-pebble* ]]; then
            rm -f "$link"
        fi
    done
    if grep -q 'certkeep test CA' <(openssl crl2pkcs7 -nocrl -certfile /etc/ssl/certs/ca-certificates.crt |
        openssl pkcs7 -print_certs -noout 2>/dev/null); then
        echo "bench: warning: the test CA is still in /etc/ssl/certs/ca-certificates.crt" >&2
    fi
}
uacme_setup() {
    local www="$CK_TMP/uacme-www"
    mkdir -p "$www/.well-known/acme-challenge" && chmod -R a+rX "$www" || return 1
    # The hook protocol: METHOD TYPE IDENT TOKEN AUTH; answer only http-01, decline the rest.
    cat >"$CK_TMP/uacme-hook" <<EOF
#!/bin/sh
dir='$www/.well-known/acme-challenge'
[ "\$2" = http-01 ] || exit 1
case "\$1" in
begin) printf '%s' "\$5" >"\$dir/\$4" ;;
done|failed) rm -f "\$dir/\$4" ;;
*) exit 1 ;;
esac
EOF
    chmod 755 "$CK_TMP/uacme-hook" || return 1
    ck_defer uacme_untrust
    cp "$CK_CA_BUNDLE" "$uacme_ca" && update-ca-certificates >/dev/null || return 1
    ck_start_static_server "$www" "$CK_HTTP_PORT"
    uacme -v -y -t EC -c "$CK_TMP/uacme" -a "$CK_DIR_URL" new bench@example.com
}
uacme_issue() {
    measure uacme "$2" uacme -o -t EC -c "$CK_TMP/uacme" -a "$CK_DIR_URL" -h "$CK_TMP/uacme-hook" \
        issue "$1"
}

# --- run -------------------------------------------------------------------------------------
order=()
IFS=',' read -r -a wanted <<<"$clients"
for c in "${wanted[@]}"; do
    case $c in
    certkeep | lego | certbot | uacme) order+=("$c") ;;
    *) echo "bench: unknown client: $c" >&2; exit 2 ;;
    esac
done

for c in certkeep lego certbot uacme; do # uacme last: its nginx takes the HTTP-01 port
    [[ " ${order[*]} " == *" $c "* ]] || continue
    case $c in
    certkeep)
        if [[ ! -x "$CERTKEEP_BIN" ]]; then
            echo "bench: skipping certkeep: $CERTKEEP_BIN is not built (cmake --build build --target certkeep)" >&2
            row[$c]="| certkeep | skipped (not built) | | |"
            continue
        fi
        ;;
    uacme)
        if ((EUID != 0)); then
            echo "bench: skipping uacme: adding the test CA to the system store needs root" >&2
            row[$c]="| uacme | skipped (needs root) | | |"
            continue
        fi
        ;;
    esac
    if [[ $c != certkeep ]] && ! command -v "$c" >/dev/null; then
        echo "bench: skipping $c: not installed (scripts/deps --bench)" >&2
        row[$c]="| $c | skipped (not installed) | | |"
        continue
    fi
    bench_client "$c" "${c}_setup" "${c}_issue"
done

echo
echo "Single-name EC certificate, known account, one local Pebble; medians of $runs whole-process runs."
echo
echo "| client | median wall | median peak RSS | ACME requests per cert |"
echo "|---|---|---|---|"
for c in "${order[@]}"; do
    printf '%s\n' "${row[$c]:-| $c | not run | | |}"
done
((failures == 0))
