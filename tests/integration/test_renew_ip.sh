#!/usr/bin/env bash
# IP identifiers (RFC 8738) answered over HTTP-01, issued and then renewed: `-d 127.0.0.1` and
# `-d ::1` become ip identifiers; Pebble validates them by connecting to the address itself
# (no DNS), and `renew --force` renews both with the stored settings: the new certificates
# carry the IP SANs and no DNS name.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
have_v6=true
ip -6 addr show dev lo 2>/dev/null | grep -q '::1' || { have_v6=false; ck_log "no IPv6 on lo: ::1 skipped"; }
ck_start_pebble PEBBLE_AUTHZREUSE=0
ck_pebble_roots >/dev/null
state="$CK_TMP/state"
srv=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state" --agree-tos)
serial() { openssl x509 -in "$state/live/$1/cert.pem" -noout -serial | cut -d= -f2; }
# Prints the IP SANs of the live certificate NAME, sorted, one per line.
ip_sans() {
    openssl x509 -in "$state/live/$1/cert.pem" -noout -ext subjectAltName 2>/dev/null |
        tr ',' '\n' | sed -n 's/^[[:space:]]*IP Address:\(.*\)$/\1/p' | LC_ALL=C sort
}
# Fails unless live/NAME carries exactly the IP SAN WANT, no DNS name, and verifies.
check_ip_cert() {
    local name=$1 want=$2 live="$state/live/$1"
    [[ "$(ip_sans "$name")" == "$want" ]] ||
        ck_fail "$name: IP SANs are [$(ip_sans "$name")], expected [$want]"
    [[ -z "$(ck_cert_names "$live/cert.pem")" ]] ||
        ck_fail "$name: unexpected DNS SANs $(ck_cert_names "$live/cert.pem")"
    ck_verify_chain "$live/cert.pem" "$live/chain.pem" "$CK_TMP/root0.pem"
    ck_key_matches "$live/cert.pem" "$live/privkey.pem"
}

# --- issue ---------------------------------------------------------------------------------------
# ":PORT" is one dual-stack socket, so the same stored listen address serves 127.0.0.1 and ::1.
ck_run "${srv[@]}" issue -d 127.0.0.1 --name v4 --http-listen ":$CK_HTTP_PORT"
ck_expect_rc 0
check_ip_cert v4 127.0.0.1
grep -q 'http://127.0.0.1:' "$CK_PEBBLE_LOG" || ck_fail "Pebble did not validate 127.0.0.1 over HTTP"
names=(v4)
if $have_v6; then
    ck_run "${srv[@]}" issue -d ::1 --name v6 --http-listen ":$CK_HTTP_PORT"
    ck_expect_rc 0
    check_ip_cert v6 0:0:0:0:0:0:0:1
    grep -q 'http://\[::1\]:' "$CK_PEBBLE_LOG" || ck_fail "Pebble did not validate ::1 over HTTP"
    names+=(v6)
fi
declare -A old
for n in "${names[@]}"; do old[$n]=$(serial "$n"); done

# --- renew --force renews both with what was stored --------------------------------------------
chal_before=$(ck_count_requests '^POST /chalZ/') authz_before=$(ck_pebble_authzs)
ck_run --state-dir "$state" --ca-bundle "$CK_CA_BUNDLE" renew --force
ck_expect_rc 0
ck_expect_out_contains "${#names[@]} renewed, 0 failed"
for n in "${names[@]}"; do
    ck_expect_out_contains "renewed   $n (version 2)"
    [[ "$(serial "$n")" != "${old[$n]}" ]] || ck_fail "$n: the live certificate was not replaced"
done
check_ip_cert v4 127.0.0.1
$have_v6 && check_ip_cert v6 0:0:0:0:0:0:0:1
# Validated again: one HTTP-01 challenge answered per new authorization (see ck_pebble_authzs).
fresh=$(($(ck_pebble_authzs) - authz_before))
((fresh >= 1)) || ck_fail "renew's orders had no new authorization for the IP identifiers"
chals=$(($(ck_count_requests '^POST /chalZ/') - chal_before))
((chals >= fresh)) || ck_fail "renew answered $chals challenges for $fresh new IP authorizations"
ck_assert_port_free "$CK_HTTP_PORT"
ck_log "ok"
