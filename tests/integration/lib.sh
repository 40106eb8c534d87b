# shellcheck shell=bash
# Integration-test helpers for certkeep: start real servers (Pebble, pebble-challtestsrv, nginx)
# on free loopback ports, run the certkeep binary, and check its results.
#
# Source it from a bash script that runs with `set -euo pipefail`, then call ck_setup:
#   source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"; ck_setup; ck_start_pebble
# Environment: CERTKEEP_BIN (the binary ck_run runs), CERTKEEP_SOURCE_DIR (the repo root),
# CK_KEEP_TMP=1 keeps $CK_TMP after the script ends, CK_NONCEREJECT (Pebble's percentage of
# rejected good nonces, default 30), CK_RUN_TIMEOUT (seconds per ck_run, default 120),
# CK_WAIT_TIMEOUT (seconds to wait for a server, default 20).
# See tests/integration/README.md for the list of functions and what they export.

CK_WAIT_TIMEOUT=${CK_WAIT_TIMEOUT:-20}
CK_RUN_TIMEOUT=${CK_RUN_TIMEOUT:-120}
CK_PORT_LOCKS=${CK_PORT_LOCKS:-${TMPDIR:-/tmp}/certkeep-ports.$(id -u)}
CK_TMP=${CK_TMP:-}
CK_OUT=''
CK_ERR=''
CK_RC=0
CK_PEBBLE_N=0

# --- messages and assertions ------------------------------------------------------------------

ck_log() { printf '[ck] %s\n' "$*" >&2; }

# Prints MSG on stderr and exits the (sub)shell with status 1.
ck_fail() {
    printf '[ck] FAIL: %s\n' "$*" >&2
    exit 1
}

# Shows the output of the last ck_run on stderr (used by failing assertions).
ck_show_run() {
    {
        printf '[ck] last ck_run: rc=%s\n--- stdout ---\n%s\n--- stderr ---\n%s\n--------------\n' \
            "$CK_RC" "$CK_OUT" "$CK_ERR"
    } >&2
}

# Fails unless the last ck_run exited with status N.
ck_expect_rc() {
    local want=$1
    if [[ "$CK_RC" != "$want" ]]; then
        ck_show_run
        ck_fail "expected exit code $want, got $CK_RC"
    fi
}

# Fails unless the last ck_run's stderr contains TEXT (fixed string).
ck_expect_err_contains() {
    if ! grep -qF -- "$1" <<<"$CK_ERR"; then
        ck_show_run
        ck_fail "stderr does not contain: $1"
    fi
}

# Fails unless the last ck_run's stdout contains TEXT (fixed string).
ck_expect_out_contains() {
    if ! grep -qF -- "$1" <<<"$CK_OUT"; then
        ck_show_run
        ck_fail "stdout does not contain: $1"
    fi
}

# Fails unless FILE exists and has octal permission bits MODE (e.g. 600).
# Fails if anything listens on TCP port $1 (a responder must close its socket when done).
ck_assert_port_free() {
    local l
    l=$(ss -ltnH "sport = :$1")
    [[ -z "$l" ]] || ck_fail "something still listens on port $1: $l"
}

ck_assert_file_mode() {
    local file=$1 want=$2 got
    [[ -e "$file" ]] || ck_fail "missing file: $file"
    got=$(stat -c '%a' -- "$file")
    [[ "$got" == "$want" ]] || ck_fail "mode of $file is $got, expected $want"
}

# Fails unless CERT (first certificate of the file; a fullchain is fine) verifies up to ROOT,
# using CHAIN as untrusted intermediates (pass '' to give none).
ck_verify_chain() {
    local cert=$1 chain=$2 root=$3 out
    local -a untrusted=()
    [[ -n "$chain" ]] && untrusted=(-untrusted "$chain")
    if ! out=$(openssl verify -CAfile "$root" "${untrusted[@]}" "$cert" 2>&1); then
        ck_fail "chain does not verify: cert=$cert chain=${chain:-none} root=$root: $out"
    fi
}

# Prints the SAN DNS names of CERT (first certificate of the file), sorted, one per line.
ck_cert_names() {
    openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null |
        tr ',' '\n' | sed -n 's/^[[:space:]]*DNS:\(.*\)$/\1/p' | LC_ALL=C sort
}

# Prints the public key (PEM) of a certificate or a private key FILE.
ck_pubkey() {
    if grep -q -- '-----BEGIN CERTIFICATE-----' "$1"; then
        openssl x509 -in "$1" -noout -pubkey
    else
        openssl pkey -in "$1" -pubout
    fi
}

# Fails unless CERT's public key is the public half of private KEY.
ck_key_matches() {
    local cert=$1 key=$2 a b
    a=$(openssl x509 -in "$cert" -noout -pubkey) || ck_fail "cannot read certificate $cert"
    b=$(openssl pkey -in "$key" -pubout) || ck_fail "cannot read private key $key"
    [[ "$a" == "$b" ]] || ck_fail "key $key does not match certificate $cert"
}

# Prints one hash of every path name, type, mode, symlink target and file content under DIR,
# so a test can assert that a store was left exactly as it was. Ignores timestamps, and the
# paths given after DIR (relative to it, e.g. metrics.json: every run adds its requests there).
ck_tree_hash() {
    local dir=$1 p
    shift
    local -a skip=()
    for p in "$@"; do
        skip+=(-path "./$p" -prune -o)
    done
    [[ -d "$dir" ]] || ck_fail "ck_tree_hash: no such directory: $dir"
    (
        cd -- "$dir" || exit 1
        find . "${skip[@]}" -printf '%p %y %m %l\n' | LC_ALL=C sort
        find . "${skip[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
    ) | sha256sum | cut -d' ' -f1
}

# --- set-up and clean-up ----------------------------------------------------------------------

# Makes the work dir $CK_TMP and arranges for ck_cleanup to run when the script exits.
ck_setup() {
    CK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/certkeep-test.XXXXXX")
    export CK_TMP
    : >"$CK_TMP/.pids"
    : >"$CK_TMP/.ports"
    : >"$CK_TMP/.defer"
    trap ck_cleanup EXIT
    trap 'ck_log "command failed (status $?) at ${BASH_SOURCE[0]}:${LINENO}: ${BASH_COMMAND}"' ERR
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# Registers PID to be killed (TERM, then KILL after 5 s) by ck_cleanup.
ck_track_pid() { printf '%s\n' "$1" >>"$CK_TMP/.pids"; }

# Registers a shell command to run (in reverse order) by ck_cleanup before processes are killed.
ck_defer() { printf '%s\n' "$*" >>"$CK_TMP/.defer"; }

# Sends TERM to PID, waits up to 5 s for it to go, then KILLs it.
ck_kill_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# Runs deferred commands, kills every process this script started, frees its ports and
# removes $CK_TMP (kept when CK_KEEP_TMP=1). On failure shows the tail of Pebble's logs.
ck_cleanup() {
    local rc=$? pid port cmd log
    set +e
    [[ -n "$CK_TMP" && -d "$CK_TMP" ]] || return "$rc"
    if [[ -s "$CK_TMP/.defer" ]]; then
        while IFS= read -r cmd; do
            eval "$cmd"
        done < <(tac "$CK_TMP/.defer")
    fi
    if [[ -s "$CK_TMP/.pids" ]]; then
        while IFS= read -r pid; do
            [[ -n "$pid" ]] && ck_kill_pid "$pid"
        done < <(tac "$CK_TMP/.pids")
    fi
    if [[ "$rc" != 0 ]]; then
        ck_log "script exiting with status $rc"
        for log in "$CK_TMP"/pebble-*/pebble.log; do
            [[ -f "$log" ]] || continue
            printf '[ck] --- last lines of %s ---\n' "$log" >&2
            tail -n 25 "$log" >&2
        done
    fi
    if [[ -s "$CK_TMP/.ports" ]]; then
        while IFS= read -r port; do
            rmdir "$CK_PORT_LOCKS/$port" 2>/dev/null
        done <"$CK_TMP/.ports"
    fi
    if [[ "${CK_KEEP_TMP:-0}" == 1 ]]; then
        ck_log "keeping $CK_TMP"
    else
        rm -rf -- "$CK_TMP"
    fi
    return "$rc"
}

# --- ports and waiting ------------------------------------------------------------------------

# Prints a free TCP+UDP port on 127.0.0.1 in 20000-60999. Ports are reserved machine-wide (an
# atomic mkdir under $CK_PORT_LOCKS, released by ck_cleanup) so scripts running in parallel and
# calls in $(...) subshells never get the same port twice.
ck_free_port() {
    local port i used
    [[ -n "$CK_TMP" ]] || ck_fail "ck_free_port: call ck_setup first"
    mkdir -p "$CK_PORT_LOCKS"
    # Reservations older than a day come from killed scripts: forget them.
    find "$CK_PORT_LOCKS" -mindepth 1 -maxdepth 1 -type d -mmin +1440 -exec rmdir {} + 2>/dev/null || true
    used=$(ss -ltunH 2>/dev/null | awk '{print $5}' | sed -n 's/.*:\([0-9][0-9]*\)$/\1/p')
    for ((i = 0; i < 200; i++)); do
        port=$((20000 + ${SRANDOM:-$((RANDOM * 32768 + RANDOM))} % 41000))
        grep -qx "$port" <<<"$used" && continue
        mkdir "$CK_PORT_LOCKS/$port" 2>/dev/null || continue
        printf '%s\n' "$port" >>"$CK_TMP/.ports"
        printf '%s\n' "$port"
        return 0
    done
    ck_fail "ck_free_port: no free port found"
}

# Waits (up to CK_WAIT_TIMEOUT s) until COMMAND... succeeds; fails with DESCRIPTION otherwise.
# If PID is not empty and that process dies, fails at once.
ck_wait_until() {
    local desc=$1 pid=$2 deadline
    shift 2
    deadline=$((SECONDS + CK_WAIT_TIMEOUT))
    until "$@" >/dev/null 2>&1; do
        if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
            ck_fail "$desc: process $pid exited"
        fi
        ((SECONDS < deadline)) || ck_fail "$desc: not ready after ${CK_WAIT_TIMEOUT}s"
        sleep 0.1
    done
}

# Succeeds if something answers plain HTTP (any status) at URL.
ck_http_answers() {
    local code
    code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$1") || true
    [[ -n "$code" && "$code" != 000 ]]
}

# --- Pebble -----------------------------------------------------------------------------------

# Makes a throwaway CA and a certificate for localhost/127.0.0.1/::1 signed by it in DIR
# (ca.pem, cert.pem, key.pem): the TLS identity of Pebble's own listeners.
ck_make_tls_identity() {
    local dir=$1
    mkdir -p "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj "/CN=certkeep test CA $$" -keyout "$dir/ca.key" -out "$dir/ca.pem" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
        2>/dev/null || ck_fail "openssl: cannot make the test CA"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
        -keyout "$dir/key.pem" -out "$dir/cert.csr" 2>/dev/null ||
        ck_fail "openssl: cannot make the server key"
    printf '%s\n' 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1' \
        'basicConstraints=critical,CA:FALSE' 'extendedKeyUsage=serverAuth' >"$dir/ext.cnf"
    openssl x509 -req -in "$dir/cert.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
        -CAcreateserial -days 2 -extfile "$dir/ext.cnf" -out "$dir/cert.pem" 2>/dev/null ||
        ck_fail "openssl: cannot sign the server certificate"
}

# ck_start_pebble [--eab] [--validity SECONDS] [--ipv6-only] [--dnsserver ADDR:PORT] [NAME=VALUE...]
# --dnsserver makes Pebble resolve at ADDR:PORT (a real DNS server, e.g. BIND from dns_lib.sh)
# instead of at challtestsrv, which is started all the same.
# Starts pebble-challtestsrv (mock DNS answering 127.0.0.1 for every A query; with --ipv6-only
# ::1 for every AAAA query and no A record at all) and Pebble using it, on free ports. NAME=VALUE pairs are extra environment for Pebble (PEBBLE_ALTERNATE_ROOTS=2,
# PEBBLE_AUTHZREUSE=0, ...). --eab requires external account binding and exports CK_EAB_KID and
# CK_EAB_HMAC; --validity sets certificateValidityPeriod. Waits until the directory answers.
# Exports CK_DIR_URL CK_CA_BUNDLE CK_MGMT_URL CK_HTTP_PORT CK_TLS_PORT CK_PEBBLE_LOG CK_PEBBLE_PID
# CK_CHALLTEST_MGMT CK_CHALLTEST_DNS CK_CHALLTEST_LOG CK_CHALLTEST_PID.
# May be called more than once; each call exports the values of the newest instance.
ck_start_pebble() {
    local eab=false validity=0 dir port mgmt_port dns_port mgmt_dns_port eab_json=''
    local v4=127.0.0.1 v6='' dnsserver=''
    local -a extra_env=()
    while (($#)); do
        case $1 in
        --eab) eab=true ;;
        --ipv6-only) v4='' v6='::1' ;;
        --validity) validity=$2; shift ;;
        --dnsserver) dnsserver=$2; shift ;;
        *=*) extra_env+=("$1") ;;
        *) ck_fail "ck_start_pebble: unknown argument: $1" ;;
        esac
        shift
    done
    [[ -n "$CK_TMP" ]] || ck_fail "ck_start_pebble: call ck_setup first"
    CK_PEBBLE_N=$((CK_PEBBLE_N + 1))
    dir="$CK_TMP/pebble-$CK_PEBBLE_N"
    ck_make_tls_identity "$dir"

    dns_port=$(ck_free_port)
    mgmt_dns_port=$(ck_free_port)
    pebble-challtestsrv -defaultIPv4 "$v4" -defaultIPv6 "$v6" \
        -dns01 "127.0.0.1:$dns_port" -management "127.0.0.1:$mgmt_dns_port" \
        -http01 '' -https01 '' -tlsalpn01 '' >"$dir/challtestsrv.log" 2>&1 </dev/null &
    CK_CHALLTEST_PID=$!
    ck_track_pid "$CK_CHALLTEST_PID"
    CK_CHALLTEST_MGMT="http://127.0.0.1:$mgmt_dns_port"
    CK_CHALLTEST_DNS="127.0.0.1:$dns_port"
    CK_CHALLTEST_LOG="$dir/challtestsrv.log"
    export CK_CHALLTEST_PID CK_CHALLTEST_MGMT CK_CHALLTEST_DNS CK_CHALLTEST_LOG

    port=$(ck_free_port)
    mgmt_port=$(ck_free_port)
    CK_HTTP_PORT=$(ck_free_port)
    CK_TLS_PORT=$(ck_free_port)
    if $eab; then
        CK_EAB_KID="kid-$CK_PEBBLE_N"
        # Pebble decodes the MAC key as unpadded base64url; 48 bytes encode without padding.
        CK_EAB_HMAC=$(openssl rand -base64 48 | tr -d '\n' | tr '+/' '-_' | tr -d '=')
        export CK_EAB_KID CK_EAB_HMAC
        eab_json=$(printf ',\n    "externalAccountMACKeys": { "%s": "%s" }' "$CK_EAB_KID" "$CK_EAB_HMAC")
    fi
    cat >"$dir/pebble-config.json" <<EOF
{
  "pebble": {
    "listenAddress": "127.0.0.1:$port",
    "managementListenAddress": "127.0.0.1:$mgmt_port",
    "certificate": "$dir/cert.pem",
    "privateKey": "$dir/key.pem",
    "httpPort": $CK_HTTP_PORT,
    "tlsPort": $CK_TLS_PORT,
    "ocspResponderURL": "",
    "certificateValidityPeriod": $validity,
    "externalAccountBindingRequired": $eab$eab_json
  }
}
EOF
    CK_PEBBLE_LOG="$dir/pebble.log"
    CK_PEBBLE_START=(env PEBBLE_VA_NOSLEEP=1 "PEBBLE_WFE_NONCEREJECT=${CK_NONCEREJECT:-30}"
        "${extra_env[@]}" pebble -config "$dir/pebble-config.json" -dnsserver "${dnsserver:-$CK_CHALLTEST_DNS}")
    "${CK_PEBBLE_START[@]}" >"$CK_PEBBLE_LOG" 2>&1 </dev/null &
    CK_PEBBLE_PID=$!
    ck_track_pid "$CK_PEBBLE_PID"
    CK_DIR_URL="https://127.0.0.1:$port/dir"
    CK_MGMT_URL="https://127.0.0.1:$mgmt_port"
    CK_CA_BUNDLE="$dir/ca.pem"
    export CK_HTTP_PORT CK_TLS_PORT CK_PEBBLE_LOG CK_PEBBLE_PID CK_DIR_URL CK_MGMT_URL CK_CA_BUNDLE

    ck_wait_until "pebble-challtestsrv" "$CK_CHALLTEST_PID" \
        curl -sf -m 2 -o /dev/null "$CK_CHALLTEST_MGMT/clear-txt" -d '{"host":"x.invalid."}'
    ck_wait_until "pebble directory $CK_DIR_URL (log: $CK_PEBBLE_LOG)" "$CK_PEBBLE_PID" \
        curl -sf -m 2 -o /dev/null --cacert "$CK_CA_BUNDLE" "$CK_DIR_URL"
    ck_wait_until "pebble management $CK_MGMT_URL" "$CK_PEBBLE_PID" \
        curl -sf -m 2 -o /dev/null --cacert "$CK_CA_BUNDLE" "$CK_MGMT_URL/roots/0"
}

# Restarts the newest Pebble on the same ports with the same settings. Pebble keeps nothing on
# disk, so the restarted CA has forgotten every account and order (a reset CA), and has a new
# issuing root (call ck_pebble_roots again). Its log continues in $CK_PEBBLE_LOG.
ck_restart_pebble() {
    ck_kill_pid "$CK_PEBBLE_PID"
    "${CK_PEBBLE_START[@]}" >>"$CK_PEBBLE_LOG" 2>&1 </dev/null &
    CK_PEBBLE_PID=$!
    ck_track_pid "$CK_PEBBLE_PID"
    export CK_PEBBLE_PID
    ck_wait_until "restarted pebble $CK_DIR_URL" "$CK_PEBBLE_PID" \
        curl -sf -m 2 -o /dev/null --cacert "$CK_CA_BUNDLE" "$CK_DIR_URL"
    ck_wait_until "restarted pebble management" "$CK_PEBBLE_PID" \
        curl -sf -m 2 -o /dev/null --cacert "$CK_CA_BUNDLE" "$CK_MGMT_URL/roots/0"
}

# Prints the path of the one account record (accounts/*/account.json) under state dir DIR.
ck_account_json() {
    local files
    files=$(find "$1/accounts" -name account.json 2>/dev/null)
    [[ -n "$files" && "$(grep -c . <<<"$files")" == 1 ]] ||
        ck_fail "expected exactly one account under $1/accounts, found: ${files:-none}"
    printf '%s\n' "$files"
}

# Prints the PEM account key stored in account record FILE (the "key" member).
ck_account_key_pem() {
    sed -n 's/^ *"key": *"\(.*\)",\{0,1\}$/\1/p' "$1" | sed 's/\\n/\n/g'
}

# Prints the account URL stored in account record FILE (the "url" member).
ck_account_url() {
    sed -n 's/^ *"url": *"\(.*\)",\{0,1\}$/\1/p' "$1"
}

# Writes the issuing roots and intermediates of the newest Pebble, as served by its management
# API, to $CK_TMP/root0.pem, root1.pem, ... and $CK_TMP/intermediate0.pem, ...; prints the
# paths, one per line, roots first. root0 is the default chain's root. Don't pipe it into
# `head` under pipefail (SIGPIPE); use "$CK_TMP/root0.pem" after calling it.
ck_pebble_roots() {
    local kind n file
    for kind in root intermediate; do
        for ((n = 0; n < 16; n++)); do
            file="$CK_TMP/$kind$n.pem"
            if curl -sf -m 5 --cacert "$CK_CA_BUNDLE" -o "$file.part" "$CK_MGMT_URL/${kind}s/$n"; then
                mv -f "$file.part" "$file"
                printf '%s\n' "$file"
            else
                rm -f "$file.part"
                break
            fi
        done
    done
    [[ -s "$CK_TMP/root0.pem" ]] || ck_fail "ck_pebble_roots: no root from $CK_MGMT_URL"
}

# Prints how many requests the newest Pebble has logged whose "METHOD /path" matches the
# extended regex PATTERN ('' counts all). Example: ck_count_requests '^POST /order-plz'.
# Compare before/after counts: the readiness probe of ck_start_pebble is a request too.
ck_count_requests() {
    local pattern=${1:-}
    sed -n 's/^Pebble [0-9/]* [0-9:]* \([A-Z][A-Z]* [^ ]*\) -> calling handler()$/\1/p' \
        "$CK_PEBBLE_LOG" | { grep -cE -- "${pattern:-.}" || true; }
}

# Authorizations Pebble holds now. Even with PEBBLE_AUTHZREUSE=0 Pebble reuses a valid one for
# about 1 identifier in 100 (it reuses unless rand.Intn(100) > percent), so a test that expects
# validations counts the authorizations an order added instead of assuming one per identifier.
ck_pebble_authzs() {
    sed -n 's/^Pebble .* There are now \([0-9]*\) authorizations in the db$/\1/p' "$CK_PEBBLE_LOG" |
        tail -n 1 | { read -r n && echo "$n" || echo 0; }
}

# Adds a TXT record / clears TXT records at HOST (FQDN, trailing dot optional) in challtestsrv.
ck_dns_set_txt() {
    curl -sf -m 5 -o /dev/null "$CK_CHALLTEST_MGMT/set-txt" \
        -d "{\"host\":\"${1%.}.\",\"value\":\"$2\"}" || ck_fail "challtestsrv set-txt $1 failed"
}
ck_dns_clear_txt() {
    curl -sf -m 5 -o /dev/null "$CK_CHALLTEST_MGMT/clear-txt" -d "{\"host\":\"${1%.}.\"}" ||
        ck_fail "challtestsrv clear-txt $1 failed"
}

# --- nginx ------------------------------------------------------------------------------------

# ck_start_static_server DIR [PORT]
# Starts nginx (not as a daemon, everything under $CK_TMP) serving DIR as its root on
# 127.0.0.1:PORT (default $CK_HTTP_PORT, else a free port). Waits until it answers.
# Exports CK_STATIC_PORT CK_STATIC_PID CK_STATIC_LOG (its error log).
ck_start_static_server() {
    local root=$1 port=${2:-${CK_HTTP_PORT:-}} dir user_line=''
    [[ -n "$CK_TMP" ]] || ck_fail "ck_start_static_server: call ck_setup first"
    [[ -d "$root" ]] || ck_fail "ck_start_static_server: no such directory: $root"
    [[ -n "$port" ]] || port=$(ck_free_port)
    root=$(cd -- "$root" && pwd)
    dir=$(mktemp -d "$CK_TMP/nginx.XXXXXX")
    mkdir -p "$dir/tmp"
    ((EUID == 0)) && user_line='user root root;'
    cat >"$dir/nginx.conf" <<EOF
$user_line
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 64; }
http {
    access_log $dir/access.log;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$port;
        root $root;
        location / { }
    }
}
EOF
    /usr/sbin/nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" \
        >"$dir/stdout.log" 2>&1 </dev/null &
    CK_STATIC_PID=$!
    ck_track_pid "$CK_STATIC_PID"
    CK_STATIC_PORT=$port
    CK_STATIC_LOG="$dir/error.log"
    export CK_STATIC_PORT CK_STATIC_PID CK_STATIC_LOG
    ck_wait_until "nginx on 127.0.0.1:$port (log: $CK_STATIC_LOG)" "$CK_STATIC_PID" \
        ck_http_answers "http://127.0.0.1:$port/"
}

# --- running certkeep -------------------------------------------------------------------------

# Runs "$CERTKEEP_BIN" ARGS... (stdin /dev/null, at most CK_RUN_TIMEOUT s) without aborting the
# script; sets CK_OUT, CK_ERR (text) and CK_RC (exit code, 124 on timeout).
ck_run() {
    [[ -n "${CERTKEEP_BIN:-}" ]] || ck_fail "ck_run: CERTKEEP_BIN is not set"
    [[ -n "$CK_TMP" ]] || ck_fail "ck_run: call ck_setup first"
    if timeout -k 5 "$CK_RUN_TIMEOUT" "$CERTKEEP_BIN" "$@" \
        >"$CK_TMP/.run.out" 2>"$CK_TMP/.run.err" </dev/null; then
        CK_RC=0
    else
        CK_RC=$?
    fi
    CK_OUT=$(cat "$CK_TMP/.run.out")
    CK_ERR=$(cat "$CK_TMP/.run.err")
    ((CK_RC != 124)) || ck_log "ck_run: certkeep timed out after ${CK_RUN_TIMEOUT}s: $*"
    return 0
}

# Starts "$CERTKEEP_BIN" ARGS... in the background (killed by ck_cleanup); stdout and stderr go
# to $CK_TMP/bg-N.out / .err. Exports CK_BG_PID, CK_BG_OUT, CK_BG_ERR.
ck_run_bg() {
    [[ -n "${CERTKEEP_BIN:-}" ]] || ck_fail "ck_run_bg: CERTKEEP_BIN is not set"
    local base
    base=$(mktemp "$CK_TMP/bg-XXXXXX")
    CK_BG_OUT="$base.out"
    CK_BG_ERR="$base.err"
    "$CERTKEEP_BIN" "$@" >"$CK_BG_OUT" 2>"$CK_BG_ERR" </dev/null &
    CK_BG_PID=$!
    ck_track_pid "$CK_BG_PID"
    export CK_BG_PID CK_BG_OUT CK_BG_ERR
}
