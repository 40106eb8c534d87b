#!/usr/bin/env bash
# certkeep check as a Nagios/Icinga plugin, on certificates this test makes with openssl (a
# root, intermediates, leaves with chosen validity) and on a few from Pebble. Exit codes 0 OK,
# 1 WARNING, 2 CRITICAL, 3 UNKNOWN with the summary line first (perfdata) and one line per target
# at risk: default 14d/7d for --file; an expired leaf is CRITICAL, not UNKNOWN; an intermediate
# that expires first is reported by name even when the leaf is fine; shares of the lifetime
# (20%/10%) work for 24-hour certificates; unreadable files are UNKNOWN and the worst state wins
# (CRITICAL > UNKNOWN > WARNING); --endpoint judges the chain an untrusted TLS server presents
# for SNI = HOST (openssl s_server);
# bad arguments are 3, never 2; managed certificates use 20%/10% unless --warn/--crit is given.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
pki="$CK_TMP/pki"
mkdir -p "$pki/new"
: >"$pki/index.txt"
echo 01 >"$pki/serial"
# `openssl ca` sets exact start and end dates (OpenSSL 3.0's `x509 -req` only knows -days).
cat >"$pki/ca.cnf" <<EOF
[ ca ]
default_ca = ck
[ ck ]
database = $pki/index.txt
new_certs_dir = $pki/new
serial = $pki/serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
[ policy_any ]
commonName = supplied
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_leaf ]
basicConstraints = critical,CA:FALSE
subjectAltName = DNS:localhost,IP:127.0.0.1
extendedKeyUsage = serverAuth
EOF
H=3600
D=86400
now=$(date +%s)
stamp() { date -u -d "@$((now + $1))" +%Y%m%d%H%M%SZ; }

# mkcert NAME ISSUER START END [ca]: $pki/NAME.pem (CN=NAME) and NAME.key, valid from now+START
# to now+END seconds, signed by ISSUER (a NAME made before); a CA certificate with `ca`.
mkcert() {
    local name=$1 issuer=$2 start=$3 end=$4 ext=v3_leaf
    [[ ${5:-} == ca ]] && ext=v3_ca
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
        -keyout "$pki/$name.key" -out "$pki/$name.csr" 2>/dev/null ||
        ck_fail "openssl: cannot make the request for $name"
    openssl ca -batch -config "$pki/ca.cnf" -cert "$pki/$issuer.pem" -keyfile "$pki/$issuer.key" \
        -in "$pki/$name.csr" -out "$pki/$name.pem" -notext -extensions "$ext" \
        -startdate "$(stamp "$start")" -enddate "$(stamp "$end")" >/dev/null 2>&1 ||
        ck_fail "openssl ca: cannot sign $name"
}
# bundle OUT NAME...: the PEM file OUT with these certificates, in this order.
bundle() {
    local out=$1
    shift
    for n in "$@"; do cat "$pki/$n.pem"; done >"$pki/$out"
}
# A bash regex matching TEXT literally.
# shellcheck disable=SC2001 # one bracket expression for every special character
lit() { sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$1"; }
# Fails unless some line of the last ck_run's stdout matches the bash regex RE.
expect_line() {
    local line
    while IFS= read -r line; do
        [[ $line =~ $1 ]] && return 0
    done <<<"$CK_OUT"
    ck_show_run
    ck_fail "no line of stdout matches: $1"
}
# Fails unless the first line of stdout (the Nagios summary) matches the bash regex RE.
expect_summary() {
    if ! [[ ${CK_OUT%%$'\n'*} =~ $1 ]]; then
        ck_show_run
        ck_fail "the summary line does not match: $1"
    fi
}
# The path of $pki/NAME as a bash regex.
p() { lit "$pki/$1"; }
# Perfdata thresholds of the --file/--endpoint defaults, 14d and 7d in seconds.
days14_7='1209600:;604800:;;'
check() { ck_run --state-dir "$CK_TMP/no-state" check "$@"; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=Test Root" -keyout "$pki/root.key" -out "$pki/root.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    2>/dev/null || ck_fail "openssl: cannot make the root"
mkcert "Long Intermediate" root $((-D)) $((5 * 365 * D)) ca
mkcert "Short Intermediate" root $((-300 * D)) $((10 * D)) ca
mkcert leaf-90d "Long Intermediate" $((-H)) $((90 * D))
mkcert leaf-10d "Long Intermediate" $((-80 * D)) $((10 * D))
mkcert leaf-3d "Long Intermediate" $((-87 * D)) $((3 * D))
mkcert leaf-expired "Long Intermediate" $((-91 * D)) $((-D))
mkcert leaf-under-short "Short Intermediate" $((-H)) $((90 * D))
mkcert leaf-24h-20left "Long Intermediate" $((-4 * H)) $((20 * H))
mkcert leaf-24h-3left "Long Intermediate" $((-21 * H)) $((3 * H))
bundle ok.pem leaf-90d "Long Intermediate"
bundle warn.pem leaf-10d "Long Intermediate"
bundle crit.pem leaf-3d "Long Intermediate"
bundle expired.pem leaf-expired "Long Intermediate"
bundle short-intermediate.pem leaf-under-short "Short Intermediate"
bundle day-20left.pem leaf-24h-20left
bundle day-3left.pem leaf-24h-3left
bundle short-chain.pem "Short Intermediate"
printf 'this is not a certificate\n' >"$pki/garbage.pem"

# --- 1. a 90-day leaf and a 5-year intermediate: OK, with perfdata (time left; warn, crit) -----
check --file "$pki/ok.pem"
ck_expect_rc 0
expect_summary "^CERTKEEP OK - 0 critical, 0 warning, 0 unknown, 1 ok \| '$(p ok.pem)'=[0-9]+s;$days14_7$"
left=$(sed -n "1s/.*'=\([0-9]*\)s;.*/\1/p" <<<"$CK_OUT")
((left > 90 * D - 300 && left <= 90 * D)) || ck_fail "perfdata time left $left s is not 90 days"
[[ $(wc -l <<<"$CK_OUT") == 1 ]] || ck_fail "an OK check printed more than the summary: $CK_OUT"
[[ ! -e "$CK_TMP/no-state" ]] || ck_fail "check --file created the state directory"

# --- 2. 10 days left, default thresholds 14d/7d: WARNING naming the file ------------------------
check --file "$pki/warn.pem"
ck_expect_rc 1
expect_summary '^CERTKEEP WARNING - 0 critical, 1 warning, 0 unknown, 0 ok \| '
expect_line "^WARNING: $(p warn.pem) expires in 9d23h \([0-9TZ:-]+\)$"

# --- 3. 3 days left: CRITICAL ----------------------------------------------------------------
check --file "$pki/crit.pem"
ck_expect_rc 2
expect_summary '^CERTKEEP CRITICAL - 1 critical, 0 warning, 0 unknown, 0 ok \| '
expect_line "^CRITICAL: $(p crit.pem) expires in 2d23h "

# --- 4. expired a day ago: CRITICAL (not UNKNOWN), negative time left in perfdata -------------
check --file "$pki/expired.pem"
ck_expect_rc 2
expect_summary "^CERTKEEP CRITICAL - 1 critical, 0 warning, 0 unknown, 0 ok \| '$(p expired.pem)'=-[0-9]+s;"
expect_line "^CRITICAL: $(p expired.pem) expired 1d ago "

# --- 5. the leaf is fine but its intermediate expires in 10 days: WARNING naming it -----------
check --file "$pki/short-intermediate.pem"
ck_expect_rc 1
expect_line "^WARNING: $(p short-intermediate.pem): intermediate \"Short Intermediate\" expires in 9d23h "

# --- 6. shares of the lifetime on a 24-hour leaf: 20 h left is OK, 3 h < 4.8 h is WARNING -----
check --warn 20% --crit 10% --file "$pki/day-20left.pem"
ck_expect_rc 0
expect_summary "^CERTKEEP OK - .* \| '$(p day-20left.pem)'=[0-9]+s;17280:;8640:;;$"
check --warn 20% --crit 10% --file "$pki/day-3left.pem"
ck_expect_rc 1
expect_line "^WARNING: $(p day-3left.pem) expires in 2h59m "
# ... where the default 14d/7d would have put it in permanent alert.
check --file "$pki/day-20left.pem"
ck_expect_rc 2

# --- 7. unreadable input is UNKNOWN, and the worst state wins --------------------------------
check --file "$pki/missing.pem"
ck_expect_rc 3
expect_summary '^CERTKEEP UNKNOWN - 0 critical, 0 warning, 1 unknown, 0 ok$'
expect_line "^UNKNOWN: $(p missing.pem): cannot read it: .*[Nn]o such file"
check --file "$pki/garbage.pem"
ck_expect_rc 3
expect_line "^UNKNOWN: $(p garbage.pem): no certificate could be read"
check --file "$pki/missing.pem" --file "$pki/garbage.pem" --file "$pki/crit.pem" --file "$pki/ok.pem"
ck_expect_rc 2
expect_summary '^CERTKEEP CRITICAL - 1 critical, 0 warning, 2 unknown, 1 ok \| '
[[ $(sed -n 2p <<<"$CK_OUT") == CRITICAL:* ]] || ck_fail "the CRITICAL line is not first: $CK_OUT"
check --file "$pki/warn.pem" --file "$pki/missing.pem"
ck_expect_rc 3
expect_summary '^CERTKEEP UNKNOWN - 0 critical, 1 warning, 1 unknown, 0 ok \| '

# --- 8. TLS endpoints: the chain as an untrusted server presents it --------------------------
# s_server PEM KEY CHAIN [OPTION...]: serves leaf PEM (key KEY) with the intermediates CHAIN
# on a free port of 127.0.0.1, with more s_server options; sets $port.
s_server() {
    port=$(ck_free_port)
    openssl s_server -accept "127.0.0.1:$port" -cert "$1" -key "$2" -cert_chain "$3" "${@:4}" \
        -www -quiet >"$CK_TMP/s_server-$port.log" 2>&1 </dev/null &
    ck_track_pid $!
    ck_wait_until "openssl s_server on 127.0.0.1:$port" "$!" \
        bash -c "openssl s_client -connect 127.0.0.1:$port </dev/null >/dev/null 2>&1"
}
# The leaf is fine, the intermediate the server sends expires in 10 days.
s_server "$pki/leaf-under-short.pem" "$pki/leaf-under-short.key" "$pki/short-chain.pem"
short_port=$port
check --endpoint "127.0.0.1:$short_port"
ck_expect_rc 1
expect_summary "^CERTKEEP WARNING - 0 critical, 1 warning, 0 unknown, 0 ok \| \
'127.0.0.1:$short_port'=[0-9]+s;$days14_7$"
expect_line "^WARNING: 127\.0\.0\.1:$short_port: intermediate \"Short Intermediate\" expires in 9d23h "
# Without SNI this server presents an expired leaf (verification would fail: the verdict is
# still CRITICAL); with SNI "localhost" a 90-day one, so localhost:PORT proves SNI = HOST.
s_server "$pki/leaf-expired.pem" "$pki/leaf-expired.key" "$pki/Long Intermediate.pem" \
    -servername localhost -cert2 "$pki/leaf-90d.pem" -key2 "$pki/leaf-90d.key"
sni_port=$port
nobody=$(ck_free_port)
check --endpoint "127.0.0.1:$sni_port" --endpoint "127.0.0.1:$nobody" --timeout 5s
ck_expect_rc 2
expect_summary '^CERTKEEP CRITICAL - 1 critical, 0 warning, 1 unknown, 0 ok \| '
expect_line "^CRITICAL: 127\.0\.0\.1:$sni_port expired 1d ago "
expect_line "^UNKNOWN: 127\.0\.0\.1:$nobody: "
# By name: only where localhost resolves (a bare chroot has no /etc/hosts).
if getent hosts localhost >/dev/null; then
    check --endpoint "localhost:$sni_port"
    ck_expect_rc 0
    expect_summary "^CERTKEEP OK - 0 critical, 0 warning, 0 unknown, 1 ok \| 'localhost:$sni_port'=[0-9]+s;"
else
    ck_log "localhost does not resolve here: the SNI-by-name case is skipped"
fi
# Nobody listening alone: UNKNOWN naming the address.
check --endpoint "127.0.0.1:$nobody" --timeout 5s
ck_expect_rc 3
expect_summary '^CERTKEEP UNKNOWN - 0 critical, 0 warning, 1 unknown, 0 ok$'
expect_line "^UNKNOWN: 127\.0\.0\.1:$nobody: "
# Files and endpoints together.
check --file "$pki/ok.pem" --endpoint "127.0.0.1:$short_port"
ck_expect_rc 1
expect_summary '^CERTKEEP WARNING - 0 critical, 1 warning, 0 unknown, 1 ok \| '

# --- 9. bad arguments: UNKNOWN (3) with the problem on the summary line, never CRITICAL --------
for args in "--warn bogus" "--crit 7x" "--warn 7d --crit 14d" "--timeout 0s"; do
    # shellcheck disable=SC2086 # split the option words on purpose
    check $args --file "$pki/crit.pem"
    [[ $CK_RC == 3 ]] || {
        ck_show_run
        ck_fail "check $args exited $CK_RC, not 3 (UNKNOWN)"
    }
    expect_summary '^CERTKEEP UNKNOWN - --(warn|crit|timeout)'
done
check --no-such-option --file "$pki/crit.pem"
ck_expect_rc 3
ck_expect_err_contains "--no-such-option"
expect_line '^CERTKEEP UNKNOWN - .*--no-such-option' # Nagios shows the first line of stdout
# A malformed endpoint is a bad argument: UNKNOWN even next to a CRITICAL file.
check --endpoint no-port-here --file "$pki/crit.pem"
ck_expect_rc 3
expect_line '^CERTKEEP UNKNOWN - --endpoint no-port-here: .*port'
check --warn 10% --crit 20% --file "$pki/crit.pem"
ck_expect_rc 3
expect_line '^CERTKEEP UNKNOWN - --crit is larger than --warn'

# --- 10. managed certificates: 20%/10% of the lifetime by default, else --warn/--crit ----------
ck_start_pebble --validity 3600
state="$CK_TMP/state"
ck_run --server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state" --agree-tos \
    issue -d a.test --http-listen "127.0.0.1:$CK_HTTP_PORT"
ck_expect_rc 0
ck_run --state-dir "$state" check
ck_expect_rc 0
expect_summary "^CERTKEEP OK - 0 critical, 0 warning, 0 unknown, 1 ok \| 'a\.test'=[0-9]+s;720:;360:;;$"
ck_run --state-dir "$state" check --warn 2h
ck_expect_rc 1
expect_line '^WARNING: a\.test expires in (59m|1h)'
ck_run --state-dir "$state" check --crit 2h --warn 3h
ck_expect_rc 2
expect_line '^CRITICAL: a\.test expires in '
ck_log "ok"
