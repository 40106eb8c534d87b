#!/usr/bin/env bash
# TLS-ALPN-01 (RFC 8737) through certkeep's responder, validated by Pebble on its tlsPort:
# 1. a DNS name (--tls-alpn-listen 127.0.0.1:PORT): the certificate verifies up to Pebble's root
#    and carries the name; the port is released afterwards.
# 2. an IP identifier 127.0.0.1 (RFC 8738 §6: SNI is 1.0.0.127.in-addr.arpa), and ::1 on
#    [::1]:PORT when the host has IPv6.
# 3. renew --force renews both with the stored TLS-ALPN-01 setting.
# 4. a wildcard is refused without DNS-01, before any order is placed.
# Pebble's HTTP-01 port has no listener throughout: only TLS-ALPN-01 can succeed.
# ck-slow: the provider and responder code runs under the sanitizers in the unit tests.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/dns_lib.sh" # no namespace: only its helpers
ck_setup
have_v6=true
ip -6 addr show dev lo 2>/dev/null | grep -q '::1' || { have_v6=false; ck_log "no IPv6 on lo: ::1 skipped"; }
ck_start_pebble PEBBLE_AUTHZREUSE=0
ck_pebble_roots >/dev/null

state="$CK_TMP/state"
srv=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state" --agree-tos
    --email t@example.com)
serial() { openssl x509 -in "$state/live/$1/cert.pem" -noout -serial | cut -d= -f2; }
# Prints the IP SANs of the live certificate NAME, sorted, one per line.
ip_sans() {
    openssl x509 -in "$state/live/$1/cert.pem" -noout -ext subjectAltName 2>/dev/null |
        tr ',' '\n' | sed -n 's/^[[:space:]]*IP Address:\(.*\)$/\1/p' | LC_ALL=C sort
}
# check_cert NAME DNS-NAMES IP-SANS: live/NAME verifies, matches its key, has exactly these SANs.
check_cert() {
    local live="$state/live/$1"
    ck_verify_chain "$live/cert.pem" "$live/chain.pem" "$CK_TMP/root0.pem"
    ck_key_matches "$live/cert.pem" "$live/privkey.pem"
    [[ "$(ck_cert_names "$live/cert.pem")" == "$2" ]] ||
        ck_fail "$1: DNS SANs are [$(ck_cert_names "$live/cert.pem")], expected [$2]"
    [[ "$(ip_sans "$1")" == "$3" ]] || ck_fail "$1: IP SANs are [$(ip_sans "$1")], expected [$3]"
}

# --- 1. a DNS name --------------------------------------------------------------------------------
chal=$(ck_count_requests '^POST /chalZ/')
ck_run "${srv[@]}" issue -d alpn.test --name alpn --tls-alpn-listen "127.0.0.1:$CK_TLS_PORT"
ck_expect_rc 0
check_cert alpn alpn.test ''
(($(ck_count_requests '^POST /chalZ/') > chal)) || ck_fail "no challenge was answered"
ck_assert_port_free "$CK_TLS_PORT"

# --- 2. IP identifiers ----------------------------------------------------------------------------
ck_run "${srv[@]}" issue -d 127.0.0.1 --name ip4 --tls-alpn-listen "127.0.0.1:$CK_TLS_PORT"
ck_expect_rc 0
check_cert ip4 '' 127.0.0.1
ck_assert_port_free "$CK_TLS_PORT"
names=(alpn ip4)
if $have_v6; then
    ck_run "${srv[@]}" issue -d ::1 --name ip6 --tls-alpn-listen "[::1]:$CK_TLS_PORT"
    ck_expect_rc 0
    check_cert ip6 '' 0:0:0:0:0:0:0:1
    ck_assert_port_free "$CK_TLS_PORT"
    names+=(ip6)
fi

# --- 3. renew with the stored settings --------------------------------------------------------------
declare -A old
for n in "${names[@]}"; do old[$n]=$(serial "$n"); done
ck_run --state-dir "$state" --ca-bundle "$CK_CA_BUNDLE" renew --force
ck_expect_rc 0
ck_expect_out_contains "${#names[@]} renewed, 0 failed"
for n in "${names[@]}"; do
    [[ "$(serial "$n")" != "${old[$n]}" ]] || ck_fail "$n: renew --force did not replace the certificate"
done
check_cert alpn alpn.test ''
check_cert ip4 '' 127.0.0.1
ck_assert_port_free "$CK_TLS_PORT"

# --- 4. a wildcard needs DNS-01 ---------------------------------------------------------------------
orders=$(ck_count_requests '^POST /order-plz')
ck_run "${srv[@]}" issue -d '*.alpn.test' --name wild --tls-alpn-listen "127.0.0.1:$CK_TLS_PORT"
ck_expect_failed_run
ck_expect_output_matches 'dns'
ck_expect_err_contains '*.alpn.test'
(($(ck_count_requests '^POST /order-plz') == orders)) || ck_fail "an order was placed for a wildcard without DNS-01"
ck_log "ok"
