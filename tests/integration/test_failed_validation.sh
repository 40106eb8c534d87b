#!/usr/bin/env bash
# A failed HTTP-01 validation after a successful issuance: the mock DNS sends Pebble for one of
# the names to 127.0.0.2 (nothing listens there) or answers SERVFAIL for it. Proves exit 6, a
# single-line error naming the failing domain with the CA's reason and a hint, the store left
# exactly as it was (the earlier certificate still live), and the responder's port released.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
ck_start_pebble
ck_pebble_roots >/dev/null
state="$CK_TMP/state"
common=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state"
    --agree-tos --email t@example.com)
listen=(--http-listen "127.0.0.1:$CK_HTTP_PORT")

# Checks the last run failed validation for DOMAIN with one error line holding REASON (ERE).
expect_validation_failure() {
    local domain=$1 reason=$2
    ck_expect_rc 6
    [[ "$(grep -c . <<<"$CK_ERR")" == 1 ]] || { ck_show_run; ck_fail "stderr is not exactly one line"; }
    [[ "$CK_ERR" == "certkeep: error: "* ]] || { ck_show_run; ck_fail "stderr does not start with 'certkeep: error: '"; }
    ck_expect_err_contains "$domain"
    grep -qE -- "$reason" <<<"$CK_ERR" || { ck_show_run; ck_fail "the error does not give the CA's reason ($reason)"; }
    grep -qi 'hint' <<<"$CK_ERR" || { ck_show_run; ck_fail "the error has no hint"; }
    [[ -z "$CK_OUT" ]] || { ck_show_run; ck_fail "a failed run printed on stdout"; }
}

ck_run "${common[@]}" issue --name site -d ok.test "${listen[@]}"
ck_expect_rc 0
live_serial=$(openssl x509 -in "$state/live/site/cert.pem" -noout -serial)
# The store's metrics record counts each run's ACME requests: it changes, nothing else may.
unchanged() { ck_tree_hash "$state" metrics.json locks/metrics.lock; }
before=$(unchanged)

# --- connection refused: fail.test resolves to 127.0.0.2 --------------------------------------
curl -sf -m 5 -o /dev/null "$CK_CHALLTEST_MGMT/add-a" \
    -d '{"host":"fail.test.","addresses":["127.0.0.2"]}' || ck_fail "challtestsrv add-a failed"
ck_run "${common[@]}" issue --name site -d ok.test -d fail.test --replace-names "${listen[@]}"
expect_validation_failure fail.test 'connection refused|127\.0\.0\.2'
[[ "$(unchanged)" == "$before" ]] || ck_fail "the failed run changed the state dir"
[[ "$(openssl x509 -in "$state/live/site/cert.pem" -noout -serial)" == "$live_serial" ]] ||
    ck_fail "live/site is no longer the first certificate"
ck_assert_port_free "$CK_HTTP_PORT"

# --- DNS failure: SERVFAIL for dnsfail.test -----------------------------------------------------
curl -sf -m 5 -o /dev/null "$CK_CHALLTEST_MGMT/set-servfail" -d '{"host":"dnsfail.test."}' ||
    ck_fail "challtestsrv set-servfail failed"
ck_run "${common[@]}" issue --name site -d dnsfail.test --replace-names "${listen[@]}"
expect_validation_failure dnsfail.test 'SERVFAIL|DNS|dns'
[[ "$(unchanged)" == "$before" ]] || ck_fail "the failed run changed the state dir"
ck_assert_port_free "$CK_HTTP_PORT"

# --- the store still works: the name can be issued again once DNS is right -------------------
curl -sf -m 5 -o /dev/null "$CK_CHALLTEST_MGMT/clear-a" -d '{"host":"fail.test."}' ||
    ck_fail "challtestsrv clear-a failed"
ck_run "${common[@]}" issue --name site -d ok.test -d fail.test --replace-names "${listen[@]}"
ck_expect_rc 0
[[ "$(readlink "$state/live/site")" == *archive/site/2 ]] || ck_fail "live/site points to $(readlink "$state/live/site")"
ck_verify_chain "$state/live/site/cert.pem" "$state/live/site/chain.pem" "$CK_TMP/root0.pem"
ck_assert_port_free "$CK_HTTP_PORT"
ck_log "ok"
