# shellcheck shell=bash
# DNS test servers for the DNS-01 integration tests and the DNS bench: a private network
# namespace (so every test may use port 53 on 127.0.0.1, 127.0.0.2, ...), BIND 9 as an
# updatable primary with a secondary fed by NOTIFY + IXFR, PowerDNS Authoritative with its REST
# API, and dig helpers to read what each server answers.
#
#   source "$CERTKEEP_SOURCE_DIR/tests/integration/dns_lib.sh"
#   ck_enter_netns "$@"     # first: re-runs the script in a new network namespace
#   ck_setup; ck_bind_start; ck_start_pebble --dnsserver "$CK_BIND_RESOLVER" PEBBLE_AUTHZREUSE=0
#
# Addresses (inside the namespace): 127.0.0.1 BIND primary (recursion yes: Pebble and certkeep
# resolve through it), 127.0.0.2 BIND secondary, 127.0.0.3 PowerDNS.
# See the comment of each function for what it exports.

if ! declare -F ck_setup >/dev/null; then
    # shellcheck source=tests/integration/lib.sh
    source "${CERTKEEP_SOURCE_DIR:?CERTKEEP_SOURCE_DIR is not set}/tests/integration/lib.sh"
fi

CK_DNS_NS1=127.0.0.1
CK_DNS_NS2=127.0.0.2
CK_DNS_PDNS=127.0.0.3

# --- network namespace --------------------------------------------------------------------------

# ck_enter_netns "$@": call before ck_setup. Outside a namespace of its own, re-executes the
# script ($0 with the same arguments) in a new network namespace (unshare -n; exec keeps the
# PID, which marks the re-executed script). Inside: brings lo up and adds 127.0.0.2 and
# 127.0.0.3 (BIND's listen-on needs a configured address). Fails with a clear message when
# network namespaces are not permitted.
# With CK_NETNS_RESOLVER=ADDR exported, a mount namespace too, in which /etc/resolv.conf says
# "nameserver ADDR": for programs that only use the system's resolver (lego's lookups of NS
# names). Without it the system resolver is unreachable inside, as a test of --dns-resolver.
ck_enter_netns() {
    local -a ns=(-n)
    [[ -n "${CK_NETNS_RESOLVER:-}" ]] && ns+=(-m)
    if [[ "${CK_NETNS_PID:-}" != "$$" ]]; then
        if ! unshare "${ns[@]}" true 2>/dev/null; then
            printf '[ck] FAIL: %s\n' "cannot create a network namespace (unshare ${ns[*]}): the DNS tests need root or CAP_SYS_ADMIN to run BIND and PowerDNS on port 53 in a private namespace" >&2
            exit 1
        fi
        CK_NETNS_PID=$$ exec unshare "${ns[@]}" -- "$BASH" "$0" "$@"
    fi
    ip link set lo up || ck_fail "ck_enter_netns: cannot bring lo up"
    local a conf
    for a in "$CK_DNS_NS2" "$CK_DNS_PDNS"; do
        ip addr add "$a/8" dev lo 2>/dev/null || ip -4 addr show dev lo | grep -qF " $a/" ||
            ck_fail "ck_enter_netns: cannot add $a to lo"
    done
    if [[ -n "${CK_NETNS_RESOLVER:-}" ]]; then
        conf=$(mktemp "${TMPDIR:-/tmp}/certkeep-resolv.XXXXXX")
        printf 'nameserver %s\n' "$CK_NETNS_RESOLVER" >"$conf"
        chmod 644 "$conf"
        mount --bind "$conf" /etc/resolv.conf || ck_fail "ck_enter_netns: cannot bind-mount /etc/resolv.conf"
        rm -f "$conf"
    fi
}

# --- BIND ---------------------------------------------------------------------------------------

# Writes zone file FILE for ZONE: SOA and NS (ns1 and ns2.example.test, or only ns1 with
# NS_LIST=ns1), then the records given as lines on stdin.
ck_bind_write_zone() {
    local zone=$1 file=$2 ns_list=${3:-ns1 ns2} ns
    {
        # shellcheck disable=SC2016 # zone file directives, not shell expansions
        printf '$ORIGIN %s.\n$TTL 60\n' "$zone"
        printf '@ SOA ns1.example.test. hostmaster.example.test. 1 60 30 600 30\n'
        for ns in $ns_list; do
            printf '@ NS %s.example.test.\n' "$ns"
        done
        cat
    } >"$file"
}

# The updatable zones of the primary and their records (stdin of ck_bind_write_zone).
ck_bind_zone_records() {
    case $1 in
    example.test)
        printf '%s\n' '@ A 127.0.0.1' '@ TXT "v=spf1 -all"' 'www A 127.0.0.1' \
            'ns1 A 127.0.0.1' 'ns2 A 127.0.0.2' '_acme-challenge TXT "keep-me"' \
            'sub NS ns1.example.test.' 'sub NS ns2.example.test.' 'cname A 127.0.0.1' \
            '_acme-challenge.cname CNAME cname.example.test.challenges.test.'
        ;;
    sub.example.test) printf '%s\n' '@ A 127.0.0.1' 'www A 127.0.0.1' ;;
    challenges.test) printf '%s\n' '@ TXT "challenge zone"' ;;
    stale.test) printf '%s\n' '@ A 127.0.0.1' ;;
    esac
}

# Writes named.conf for one server: DIR NAME ADDR RECURSION ZONES-TEXT.
ck_bind_write_conf() {
    local dir=$1 addr=$2 recursion=$3 zones=$4
    cat >"$dir/named.conf" <<EOF
include "$CK_BIND_DIR/key.conf";
options {
    directory "$dir";
    pid-file "$dir/named.pid";
    session-keyfile "$dir/session.key";
    managed-keys-directory "$dir";
    listen-on port 53 { $addr; };
    listen-on-v6 { none; };
    query-source address $addr;
    notify-source $addr;
    transfer-source $addr;
    recursion $recursion;
    allow-recursion { 127.0.0.0/8; };
    allow-query { any; };
    allow-transfer { 127.0.0.0/8; };
    dnssec-validation no;
    notify-delay ${CK_BIND_NOTIFY_DELAY:-0};
    minimal-responses no;
};
controls { };
logging {
    channel out { stderr; severity info; print-time yes; print-category yes; };
    category default { out; };
    category update { out; };
    category notify { out; };
    category xfer-in { out; };
    category lame-servers { null; };
};
$zones
EOF
}

# ck_bind_start [--primary-only]
# Starts BIND as the updatable primary on 127.0.0.1:53 (recursion yes, so a CNAME into another
# zone is followed for Pebble; pdns.test is a static-stub to PowerDNS on 127.0.0.3) and, unless
# --primary-only, a secondary on 127.0.0.2:53 that gets every change by NOTIFY + IXFR a moment
# later. Zones, all updatable with TSIG key certkeep-test (hmac-sha256) on the primary:
#   example.test      apex A + SPF TXT "v=spf1 -all", _acme-challenge TXT "keep-me", www, ns1
#                     (127.0.0.1), ns2 (127.0.0.2), sub delegated, _acme-challenge.cname CNAME
#                     cname.example.test.challenges.test.
#   sub.example.test  its own zone (A at the apex and www)
#   challenges.test   the CNAME target zone
#   stale.test        ns2 serves a static copy of its own that never changes (records written to
#                     the primary never appear there)
# Waits until every zone answers its SOA on both servers. Exports CK_BIND_DIR, CK_DNS_KEY_FILE
# (the key file, as tsig-keygen writes it), CK_DNS_KEY_NAME, CK_DNS_SERVER (127.0.0.1:53, takes
# updates), CK_BIND_RESOLVER (127.0.0.1:53, for --dns-resolver and Pebble's -dnsserver),
# CK_BIND_NS1_PID/LOG, CK_BIND_NS2_PID/LOG.
# shellcheck disable=SC2120 # the option is optional
ck_bind_start() {
    local primary_only=false ns_list='ns1 ns2' z zones1='' zones2='' notify
    [[ "${1:-}" == --primary-only ]] && primary_only=true ns_list=ns1
    [[ -n "$CK_TMP" ]] || ck_fail "ck_bind_start: call ck_setup first"
    CK_BIND_DIR="$CK_TMP/bind"
    mkdir -p "$CK_BIND_DIR/ns1" "$CK_BIND_DIR/ns2"
    CK_DNS_KEY_NAME=certkeep-test
    CK_DNS_KEY_FILE="$CK_BIND_DIR/certkeep-test.key"
    tsig-keygen -a hmac-sha256 "$CK_DNS_KEY_NAME" >"$CK_DNS_KEY_FILE" ||
        ck_fail "tsig-keygen failed"
    chmod 600 "$CK_DNS_KEY_FILE"
    cp "$CK_DNS_KEY_FILE" "$CK_BIND_DIR/key.conf"

    for z in example.test sub.example.test challenges.test stale.test; do
        ck_bind_zone_records "$z" | ck_bind_write_zone "$z" "$CK_BIND_DIR/ns1/$z.zone" "$ns_list"
        notify="notify yes; also-notify { $CK_DNS_NS2; };"
        [[ $z == stale.test ]] && notify='notify no;'
        $primary_only && notify='notify no;'
        zones1+="zone \"$z\" { type primary; file \"$CK_BIND_DIR/ns1/$z.zone\";
    allow-update { key $CK_DNS_KEY_NAME; }; $notify };
"
        if [[ $z == stale.test ]]; then
            ck_bind_zone_records "$z" | ck_bind_write_zone "$z" "$CK_BIND_DIR/ns2/$z.zone" "$ns_list"
            zones2+="zone \"$z\" { type primary; file \"$CK_BIND_DIR/ns2/$z.zone\"; notify no; };
"
        else
            zones2+="zone \"$z\" { type secondary; primaries { $CK_DNS_NS1; };
    file \"$CK_BIND_DIR/ns2/$z.zone\"; allow-notify { $CK_DNS_NS1; }; };
"
        fi
    done
    zones1+="zone \"pdns.test\" { type static-stub; server-addresses { $CK_DNS_PDNS; }; };"
    ck_bind_write_conf "$CK_BIND_DIR/ns1" "$CK_DNS_NS1" yes "$zones1"
    ck_bind_write_conf "$CK_BIND_DIR/ns2" "$CK_DNS_NS2" no "$zones2"

    CK_BIND_NS1_LOG="$CK_BIND_DIR/ns1/named.log"
    named -g -u root -c "$CK_BIND_DIR/ns1/named.conf" >"$CK_BIND_NS1_LOG" 2>&1 </dev/null &
    CK_BIND_NS1_PID=$!
    ck_track_pid "$CK_BIND_NS1_PID"
    CK_DNS_SERVER="$CK_DNS_NS1:53"
    CK_BIND_RESOLVER="$CK_DNS_NS1:53"
    export CK_BIND_DIR CK_DNS_KEY_NAME CK_DNS_KEY_FILE CK_DNS_SERVER CK_BIND_RESOLVER \
        CK_BIND_NS1_PID CK_BIND_NS1_LOG
    for z in example.test sub.example.test challenges.test stale.test; do
        ck_wait_until "BIND primary $CK_DNS_NS1 zone $z (log: $CK_BIND_NS1_LOG)" "$CK_BIND_NS1_PID" \
            ck_dns_has_soa "$CK_DNS_NS1" "$z"
    done
    $primary_only && return 0

    CK_BIND_NS2_LOG="$CK_BIND_DIR/ns2/named.log"
    named -g -u root -c "$CK_BIND_DIR/ns2/named.conf" >"$CK_BIND_NS2_LOG" 2>&1 </dev/null &
    CK_BIND_NS2_PID=$!
    ck_track_pid "$CK_BIND_NS2_PID"
    export CK_BIND_NS2_PID CK_BIND_NS2_LOG
    for z in example.test sub.example.test challenges.test stale.test; do
        ck_wait_until "BIND secondary $CK_DNS_NS2 zone $z (log: $CK_BIND_NS2_LOG)" "$CK_BIND_NS2_PID" \
            ck_dns_has_soa "$CK_DNS_NS2" "$z"
    done
}

# Succeeds when SERVER answers the SOA of ZONE authoritatively.
ck_dns_has_soa() {
    local out
    out=$(dig +norec +time=1 +tries=1 @"$1" "$2" SOA) || return 1
    grep -q 'status: NOERROR' <<<"$out" && grep -q 'flags:[^;]* aa[ ;]' <<<"$out" &&
        grep -q 'ANSWER: 1,' <<<"$out"
}

# --- PowerDNS -----------------------------------------------------------------------------------

# ck_pdns_start: PowerDNS Authoritative (gsqlite3) on 127.0.0.3:53 with its API and webserver
# on 127.0.0.3:<free port>, zone pdns.test (NS ns1.pdns.test = 127.0.0.3, an A record at the
# apex, and an unrelated TXT "keep-me" at _acme-challenge.pdns.test) made with pdnsutil.
# Exports CK_PDNS_URL (http://127.0.0.3:PORT), CK_PDNS_KEY_FILE (the API key, 0600),
# CK_PDNS_SERVER (127.0.0.3), CK_PDNS_DIR, CK_PDNS_PID, CK_PDNS_LOG.
ck_pdns_start() {
    local dir port schema=/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
    [[ -n "$CK_TMP" ]] || ck_fail "ck_pdns_start: call ck_setup first"
    [[ -r "$schema" ]] || ck_fail "ck_pdns_start: $schema missing (apt-get install pdns-backend-sqlite3)"
    CK_PDNS_DIR="$CK_TMP/pdns"
    dir=$CK_PDNS_DIR
    mkdir -p "$dir"
    port=$(ck_free_port)
    CK_PDNS_KEY_FILE="$dir/api-key"
    (umask 077 && openssl rand -hex 24 >"$CK_PDNS_KEY_FILE")
    sqlite3 "$dir/pdns.sqlite3" <"$schema" 2>/dev/null ||
        ck_pdns_schema "$dir/pdns.sqlite3" "$schema"
    cat >"$dir/pdns.conf" <<EOF
launch=gsqlite3
gsqlite3-database=$dir/pdns.sqlite3
local-address=$CK_DNS_PDNS
local-port=53
socket-dir=$dir
guardian=no
daemon=no
disable-syslog=yes
loglevel=4
api=yes
api-key=$(cat "$CK_PDNS_KEY_FILE")
webserver=yes
webserver-address=$CK_DNS_PDNS
webserver-port=$port
webserver-allow-from=127.0.0.0/8
default-soa-content=ns1.pdns.test. hostmaster.@ 0 10800 3600 604800 60
EOF
    chmod 600 "$dir/pdns.conf"
    if ! ck_pdnsutil "$dir" create-zone pdns.test ns1.pdns.test ||
        ! ck_pdnsutil "$dir" add-record pdns.test ns1 A 60 "$CK_DNS_PDNS" ||
        ! ck_pdnsutil "$dir" add-record pdns.test @ A 60 127.0.0.1 ||
        ! ck_pdnsutil "$dir" add-record pdns.test _acme-challenge TXT 60 '"keep-me"'; then
        ck_fail "pdnsutil could not make zone pdns.test: $(tail -n 5 "$dir/pdnsutil.log")"
    fi
    CK_PDNS_LOG="$dir/pdns.log"
    pdns_server --config-dir="$dir" >"$CK_PDNS_LOG" 2>&1 </dev/null &
    CK_PDNS_PID=$!
    ck_track_pid "$CK_PDNS_PID"
    CK_PDNS_URL="http://$CK_DNS_PDNS:$port"
    CK_PDNS_SERVER=$CK_DNS_PDNS
    export CK_PDNS_DIR CK_PDNS_KEY_FILE CK_PDNS_URL CK_PDNS_SERVER CK_PDNS_PID CK_PDNS_LOG
    ck_wait_until "PowerDNS on $CK_DNS_PDNS:53 (log: $CK_PDNS_LOG)" "$CK_PDNS_PID" \
        ck_dns_has_soa "$CK_DNS_PDNS" pdns.test
    ck_wait_until "PowerDNS API $CK_PDNS_URL (log: $CK_PDNS_LOG)" "$CK_PDNS_PID" \
        curl -sf -m 2 -o /dev/null -H "X-API-Key: $(cat "$CK_PDNS_KEY_FILE")" \
        "$CK_PDNS_URL/api/v1/servers/localhost/zones/pdns.test."
}

# ck_pdnsutil DIR ARGS...: runs pdnsutil with the configuration in DIR, output to DIR/pdnsutil.log.
ck_pdnsutil() {
    local dir=$1
    shift
    pdnsutil --config-dir="$dir" "$@" >>"$dir/pdnsutil.log" 2>&1
}

# Loads SCHEMA into the SQLite database DB without the sqlite3 shell (python3's sqlite3).
ck_pdns_schema() {
    python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).executescript(open(sys.argv[2]).read())' \
        "$1" "$2" || ck_fail "ck_pdns_start: cannot create the gsqlite3 database $1"
}

# --- reading records ----------------------------------------------------------------------------

# ck_dns_txt SERVER NAME: prints the TXT values at NAME as SERVER answers them (no recursion),
# one per line, unquoted, sorted. Fails when the server does not answer.
ck_dns_txt() {
    local out
    out=$(dig +norec +time=2 +tries=2 +short @"$1" "$2" TXT) ||
        ck_fail "ck_dns_txt: no answer from $1 for $2 TXT"
    [[ "$out" != *';;'* ]] || ck_fail "ck_dns_txt: $1 for $2 TXT: $out"
    sed -n 's/^"\(.*\)"$/\1/p' <<<"$out" | sed 's/" "//g' | LC_ALL=C sort
}

# ck_dns_expect_txt SERVER NAME EXPECTED: fails unless ck_dns_txt SERVER NAME prints exactly
# EXPECTED (sorted values separated by newlines; '' = no TXT record at all).
ck_dns_expect_txt() {
    local got
    got=$(ck_dns_txt "$1" "$2")
    [[ "$got" == "$3" ]] ||
        ck_fail "TXT at $2 on $1 is [${got//$'\n'/, }], expected [${3//$'\n'/, }]"
}

# ck_dns_wait_txt SERVER NAME EXPECTED: waits (CK_WAIT_TIMEOUT) until ck_dns_expect_txt holds,
# then fails showing what SERVER answers.
ck_dns_wait_txt() {
    local deadline=$((SECONDS + CK_WAIT_TIMEOUT))
    until [[ "$(ck_dns_txt "$1" "$2")" == "$3" ]]; do
        ((SECONDS < deadline)) || ck_dns_expect_txt "$@"
        sleep 0.1
    done
}

# ck_nsupdate COMMANDS...: sends one dynamic update (lines of nsupdate commands, "send" added)
# to the primary, signed with the test key. Fails with nsupdate's message.
ck_nsupdate() {
    local out
    out=$(printf '%s\n' "server $CK_DNS_NS1 53" "$@" send | nsupdate -k "$CK_DNS_KEY_FILE" 2>&1) ||
        ck_fail "nsupdate failed: $out"
}

# ck_bind_updates NAME: prints, in order, one word per TXT change the primary logged at NAME:
# "adding" / "deleting" (one RR) or "deleting-rrset" (every TXT value there at once).
ck_bind_updates() {
    local n=${1//./\\.}
    sed -n -e "s/.*updating zone '[^']*': \(adding\|deleting\) an RR at '\{0,1\}$n'\{0,1\} TXT.*/\1/p" \
        -e "s/.*updating zone '[^']*': deleting rrset at '\{0,1\}$n'\{0,1\} TXT.*/deleting-rrset/p" \
        "$CK_BIND_NS1_LOG"
}

# ck_bind_updated_zone NAME: prints the zones in which the primary logged changes at NAME.
ck_bind_updated_zone() {
    local n=${1//./\\.}
    sed -n "s/.*updating zone '\([^'/]*\)\/IN': [a-z]* an RR at '\{0,1\}$n'\{0,1\} .*/\1/p" \
        "$CK_BIND_NS1_LOG" | LC_ALL=C sort -u
}

# --- certificates and secrets -------------------------------------------------------------------

# ck_expect_cert LIVE NAME...: fails unless LIVE/cert.pem verifies up to $CK_TMP/root0.pem (call
# ck_pebble_roots first) through LIVE/chain.pem, carries exactly the DNS names NAME..., and
# matches LIVE/privkey.pem.
ck_expect_cert() {
    local live=$1 want got
    shift
    [[ -s "$live/cert.pem" ]] || ck_fail "no certificate at $live/cert.pem"
    ck_verify_chain "$live/cert.pem" "$live/chain.pem" "$CK_TMP/root0.pem"
    want=$(printf '%s\n' "$@" | LC_ALL=C sort)
    got=$(ck_cert_names "$live/cert.pem")
    [[ "$got" == "$want" ]] ||
        ck_fail "$live/cert.pem names are [${got//$'\n'/ }], expected [${want//$'\n'/ }]"
    ck_key_matches "$live/cert.pem" "$live/privkey.pem"
}

# ck_expect_secret_absent SECRET DIR: fails if SECRET appears in the last ck_run's output or in
# any file under DIR (secrets come from files and are never logged or stored elsewhere).
ck_expect_secret_absent() {
    local secret=$1 dir=$2
    [[ -n "$secret" ]] || ck_fail "ck_expect_secret_absent: empty secret"
    if grep -qF -- "$secret" <<<"$CK_OUT$CK_ERR"; then
        ck_show_run
        ck_fail "a secret appears in certkeep's output"
    fi
    if [[ -d "$dir" ]] && grep -rlF -- "$secret" "$dir" >/dev/null 2>&1; then
        ck_fail "a secret is stored under $dir: $(grep -rlF -- "$secret" "$dir" | head -n 3)"
    fi
}

# ck_expect_failed_run: fails unless the last ck_run failed the ordinary way: non-zero, not
# killed by the timeout (124) nor by a signal, not an internal error (70).
ck_expect_failed_run() {
    if ((CK_RC == 0 || CK_RC == 124 || CK_RC == 70 || CK_RC > 125)); then
        ck_show_run
        ck_fail "expected an ordinary failure exit code, got $CK_RC"
    fi
}

# ck_expect_output_matches ERE: fails unless the last ck_run's stdout or stderr matches the
# extended regular expression ERE, case-insensitively.
ck_expect_output_matches() {
    if ! grep -qiE -- "$1" <<<"$CK_OUT"$'\n'"$CK_ERR"; then
        ck_show_run
        ck_fail "the output does not match /$1/i"
    fi
}
