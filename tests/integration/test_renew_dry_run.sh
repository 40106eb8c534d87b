#!/usr/bin/env bash
# renew --dry-run against Pebble: orders and validates the challenges, then deactivates the
# authorizations instead of finalizing. Nothing is issued or stored: the live files and the
# archive are unchanged, no new version, no finalize request reaches the CA. A dry run whose
# validation fails exits 1 but records no backoff: the next real renew of the due certificate
# goes ahead instead of "backing off".
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
# 60 s certificates; with renew-before 0.99 they are due 6 s (a tenth of the lifetime) after
# issuance. PEBBLE_AUTHZREUSE=0: every order has fresh authorizations to validate.
ck_start_pebble --validity 60 PEBBLE_AUTHZREUSE=0
state="$CK_TMP/state"
listen=(--http-listen "127.0.0.1:$CK_HTTP_PORT")
count() { ck_count_requests "$1"; }
# Orders Pebble created and certificates it issued (requests retried after a bad nonce count once).
orders() { grep -c '^Pebble .* Added order "' "$CK_PEBBLE_LOG" || true; }
valid_authzs() { grep -c '^Pebble .* set VALID by completed challenge' "$CK_PEBBLE_LOG" || true; }
issued_certs() { grep -c '^Pebble .* Issued certificate serial' "$CK_PEBBLE_LOG" || true; }
store_hash() { printf '%s %s\n' "$(ck_tree_hash "$state/archive")" "$(ck_tree_hash "$state/live")"; }

ck_run --server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state" --agree-tos \
    issue -d a.test -d www.a.test "${listen[@]}" --renew-before 0.99
ck_expect_rc 0
issued=$(stat -c %Y "$state/archive/a.test/1")

# --- 1. a dry run validates, then stores and finalizes nothing ----------------------------------
before_store=$(store_hash)
orders0=$(orders) authzs0=$(ck_pebble_authzs) certs0=$(issued_certs) valid0=$(valid_authzs) chal0=$(count '^POST /chalZ/') fin0=$(count '^POST /finalize-order/')
ck_run --state-dir "$state" --ca-bundle "$CK_CA_BUNDLE" renew --dry-run --force
ck_expect_rc 0
ck_expect_out_contains "1 validated (dry run)"
ck_expect_out_contains "dry-run   a.test"
[[ "$(store_hash)" == "$before_store" ]] || ck_fail "a dry run changed the archive or the live files"
[[ ! -e "$state/archive/a.test/2" ]] || ck_fail "a dry run stored a new version"
(($(orders) - orders0 == 1)) || ck_fail "the dry run did not place exactly one order"
fresh=$(($(ck_pebble_authzs) - authzs0)) # 2, or fewer when Pebble reused one
((fresh >= 1)) || ck_fail "the dry run's order had no new authorization to validate"
chals=$(($(count '^POST /chalZ/') - chal0))
((chals >= fresh)) || ck_fail "Pebble saw $chals challenge requests for $fresh new authorizations in the dry run"
(($(valid_authzs) - valid0 == fresh)) ||
    ck_fail "Pebble validated $(($(valid_authzs) - valid0)) authorizations in the dry run, expected $fresh"
(($(count '^POST /finalize-order/') == fin0)) || ck_fail "the dry run sent a finalize request"
(($(issued_certs) == certs0)) || ck_fail "Pebble issued a certificate during the dry run"

# --- 2. a failing dry run exits 1 and records no backoff ----------------------------------------
while (($(date +%s) < issued + 7)); do sleep 0.5; done # a.test is due now
dead_port=$(ck_free_port)
ck_run --state-dir "$state" --ca-bundle "$CK_CA_BUNDLE" renew --dry-run --http-listen "127.0.0.1:$dead_port"
ck_expect_rc 1
ck_expect_err_contains "a.test"
ck_expect_out_contains "0 validated (dry run), 1 failed"
[[ "$(store_hash)" == "$before_store" ]] || ck_fail "a failed dry run changed the archive or the live files"
(($(count '^POST /finalize-order/') == fin0)) || ck_fail "the failed dry run finalized an order"

# The real renew that follows (no --force) is not held back by the dry run's failure.
ck_run --state-dir "$state" --ca-bundle "$CK_CA_BUNDLE" renew
ck_expect_rc 0
if grep -qE "^skipped|backing off until" <<<"$CK_OUT$CK_ERR"; then
    ck_show_run
    ck_fail "a failed dry run recorded a backoff"
fi
ck_expect_out_contains "renewed   a.test (version 2)"
(($(issued_certs) == certs0 + 1)) || ck_fail "the real renewal did not issue exactly one certificate"
ck_log "ok"
