#!/usr/bin/env bash
# certkeep revoke against Pebble: by the account key with a reason (Pebble's management API,
# /cert-status-by-serial/, says Revoked with that RFC 5280 code, and the renewal state marks
# the version so the next renew replaces it), by the certificate key (--use-cert-key), by the
# certificate key as the fall-back when the stored account does not own the certificate, and
# a second revocation is a clear one-line error. Also the refusals that need no CA.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
ck_start_pebble
srv=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE")
listen=(--http-listen "127.0.0.1:$CK_HTTP_PORT")
state="$CK_TMP/state"

# Lower-case hex serial of certificate file $1, as Pebble's management API takes it.
serial_of() { openssl x509 -in "$1" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f'; }
# Pebble's view of serial $1: {"Status": "Valid"|"Revoked", "Reason": N, ...}.
cert_status() {
    curl -sf -m 5 --cacert "$CK_CA_BUNDLE" "$CK_MGMT_URL/cert-status-by-serial/$1" ||
        ck_fail "Pebble does not know serial $1"
}
expect_status() {
    local serial=$1 want=$2 reason=${3:-} got
    got=$(cert_status "$serial")
    grep -qE "\"Status\": *\"$want\"" <<<"$got" || ck_fail "serial $serial is not $want: $got"
    if [[ -n "$reason" ]]; then
        grep -qE "\"Reason\": *$reason\b" <<<"$got" || ck_fail "serial $serial: reason is not $reason: $got"
    fi
}
issue() {
    ck_run "${srv[@]}" --state-dir "$state" --agree-tos --email t@example.com issue -d "$1" "${listen[@]}"
    ck_expect_rc 0
}

issue revoke-a.test
issue revoke-b.test
issue revoke-c.test
serial_a=$(serial_of "$state/live/revoke-a.test/cert.pem")
serial_b=$(serial_of "$state/live/revoke-b.test/cert.pem")
serial_c=$(serial_of "$state/live/revoke-c.test/cert.pem")
expect_status "$serial_a" Valid

# --- by the account key, with a reason --------------------------------------------------------
before=$(ck_count_requests '^POST /revoke-cert$')
ck_run "${srv[@]}" --state-dir "$state" revoke --name revoke-a.test --reason keyCompromise
ck_expect_rc 0
ck_expect_out_contains "Revoked certificate \"revoke-a.test\""
ck_expect_out_contains "the account key"
ck_expect_out_contains "keyCompromise"
expect_status "$serial_a" Revoked 1
(($(ck_count_requests '^POST /revoke-cert$') > before)) || ck_fail "Pebble saw no revokeCert request"
renewal=$(find "$state" -name renewal.json -path '*revoke-a.test*' | head -n 1)
[[ -n "$renewal" ]] || ck_fail "no renewal state for revoke-a.test under $state"
grep -qE '"revokedVersion": *1\b' "$renewal" || ck_fail "renewal state does not mark version 1 revoked: $(cat "$renewal")"
grep -qF '"keyCompromise"' "$renewal" || ck_fail "renewal state does not keep the reason: $(cat "$renewal")"
expect_status "$serial_b" Valid # only that one

# --- a second revocation: one clear line, exit 5 ----------------------------------------------
ck_run "${srv[@]}" --state-dir "$state" revoke --name revoke-a.test
ck_expect_rc 5
ck_expect_err_contains "already revoked"
[[ "$(grep -c . <<<"$CK_ERR")" == 1 ]] || { ck_show_run; ck_fail "error is not one line"; }

# --- by the certificate key -------------------------------------------------------------------
ck_run "${srv[@]}" --state-dir "$state" revoke --name revoke-b.test --use-cert-key --reason superseded
ck_expect_rc 0
ck_expect_out_contains "the certificate key"
expect_status "$serial_b" Revoked 4

# --- the stored account does not own it: the certificate key is used -------------------------
other="$CK_TMP/other-state"
cp -a "$state" "$other"
rm -rf "$other/accounts"
ck_run "${srv[@]}" --state-dir "$other" --agree-tos account register
ck_expect_rc 0
ck_run "${srv[@]}" --state-dir "$other" revoke --name revoke-c.test --reason cessationOfOperation
ck_expect_rc 0
ck_expect_out_contains "the certificate key"
ck_expect_err_contains "certificate's own key"
expect_status "$serial_c" Revoked 5

# --- refusals before any request --------------------------------------------------------------
before=$(ck_count_requests '')
ck_run "${srv[@]}" --state-dir "$state" revoke --name revoke-b.test --reason notAReason
ck_expect_rc 2
ck_expect_err_contains "keyCompromise"
ck_run "${srv[@]}" --state-dir "$state" revoke --reason keyCompromise
ck_expect_rc 2
ck_run "${srv[@]}" --state-dir "$state" revoke --name no-such.test
ck_expect_rc 3
ck_expect_err_contains "no-such.test"
(($(ck_count_requests '') == before)) || ck_fail "a refused revoke still talked to the CA"
ck_log "ok"
