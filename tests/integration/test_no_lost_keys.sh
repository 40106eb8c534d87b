#!/usr/bin/env bash
# Nothing issued is lost, and accounts are never paired with the wrong key:
# (a) four concurrent first runs on an empty state dir (twice) create ONE account at the CA, and
#     every run issues with it (the account lock serialises load, register and save);
# (b) a run killed with SIGKILL right after finalize (the CA has issued, nothing is stored)
#     leaves its key and order URL in the pending order (0600); the next run downloads the
#     certificate the CA already issued, with that key, and places no new order;
# (c) a run killed right after writing a new account key, before newAccount: the next run
#     registers that same key instead of making another;
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
CK_NONCEREJECT=0 ck_start_pebble PEBBLE_AUTHZREUSE=0
ck_pebble_roots >/dev/null
www="$CK_TMP/www"
mkdir -p "$www"
ck_start_static_server "$www"
srv=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --agree-tos --email t@example.com)

# Waits until process $1 is stopped (state T), as CERTKEEP_TEST_STOP_AT leaves it.
stopped() { grep -qE '^[0-9]+ \(.*\) [tT] ' "/proc/$1/stat"; }

# --- (a) concurrent first runs -------------------------------------------------------------------
for round in 1 2; do
    state="$CK_TMP/state-a$round"
    before=$(ck_count_requests '^POST /sign-me-up$')
    pids=() errs=()
    for i in 1 2 3 4; do
        ck_run_bg "${srv[@]}" --state-dir "$state" issue -d "r$round-c$i.test" --webroot "$www"
        pids+=("$CK_BG_PID")
        errs+=("$CK_BG_ERR")
    done
    for i in 0 1 2 3; do
        rc=0
        wait "${pids[$i]}" || rc=$?
        [[ "$rc" == 0 ]] || ck_fail "round $round: concurrent run $((i + 1)) exited $rc: $(cat "${errs[$i]}")"
    done
    made=$(($(ck_count_requests '^POST /sign-me-up$') - before))
    [[ "$made" == 1 ]] || ck_fail "round $round: four concurrent first runs sent $made newAccount requests (want 1)"
    json=$(ck_account_json "$state")
    ck_assert_file_mode "$json" 600
    ck_run --server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state" account show
    ck_expect_rc 0
    ck_expect_out_contains "$(ck_account_url "$json")"
    for i in 1 2 3 4; do
        ck_verify_chain "$state/live/r$round-c$i.test/cert.pem" "$state/live/r$round-c$i.test/chain.pem" \
            "$CK_TMP/root0.pem"
    done
done

# --- (b) SIGKILL after finalize --------------------------------------------------------------------
state="$CK_TMP/state-b"
listen=(--http-listen "127.0.0.1:$CK_HTTP_PORT")
ck_kill_pid "$CK_STATIC_PID" # the standalone responder takes Pebble's HTTP port from here on
ck_run "${srv[@]}" --state-dir "$state" account register
ck_expect_rc 0
orders=$(ck_count_requests '^POST /order-plz$')
CERTKEEP_TEST_STOP_AT=finalized ck_run_bg "${srv[@]}" --state-dir "$state" issue -d kept.test "${listen[@]}"
victim=$CK_BG_PID
ck_wait_until "certkeep stops after finalize" "$victim" stopped "$victim"
kill -KILL "$victim"
wait "$victim" 2>/dev/null || true
[[ ! -e "$state/live/kept.test" ]] || ck_fail "a certificate was stored before the kill"
pending="$state/state/kept.test/pending.json"
[[ -f "$pending" ]] || ck_fail "no pending order recorded before finalize ($pending)"
ck_assert_file_mode "$pending" 600
grep -q 'BEGIN PRIVATE KEY' "$pending" || ck_fail "the pending order holds no private key"
(($(ck_count_requests '^POST /order-plz$') == orders + 1)) || ck_fail "expected exactly one order so far"
finalizes=$(ck_count_requests '^POST /finalize-order/')

ck_run "${srv[@]}" --state-dir "$state" issue -d kept.test "${listen[@]}"
ck_expect_rc 0
ck_expect_out_contains "Recovered certificate"
(($(ck_count_requests '^POST /order-plz$') == orders + 1)) ||
    ck_fail "the run after the kill placed a new order instead of downloading the issued one"
(($(ck_count_requests '^POST /finalize-order/') == finalizes)) || ck_fail "the order was finalized again"
ck_verify_chain "$state/live/kept.test/cert.pem" "$state/live/kept.test/chain.pem" "$CK_TMP/root0.pem"
ck_key_matches "$state/live/kept.test/cert.pem" "$state/live/kept.test/privkey.pem"
[[ ! -e "$pending" ]] || ck_fail "the pending order is still there after it was completed"
# A third run issues normally (a new order), and nothing pending is left behind.
ck_run "${srv[@]}" --state-dir "$state" issue -d kept.test "${listen[@]}"
ck_expect_rc 0
ck_expect_out_contains "Issued certificate"
(($(ck_count_requests '^POST /order-plz$') == orders + 2)) || ck_fail "the third run did not order"

# --- (c) SIGKILL between writing a new account key and newAccount ---------------------------------
state="$CK_TMP/state-c"
before=$(ck_count_requests '^POST /sign-me-up$')
CERTKEEP_TEST_STOP_AT=account-key-written ck_run_bg "${srv[@]}" --state-dir "$state" account register
victim=$CK_BG_PID
ck_wait_until "certkeep stops after writing the account key" "$victim" stopped "$victim"
kill -KILL "$victim"
wait "$victim" 2>/dev/null || true
(($(ck_count_requests '^POST /sign-me-up$') == before)) || ck_fail "newAccount was sent before the key was stored"
json=$(ck_account_json "$state")
key_before=$(ck_account_key_pem "$json")
[[ "$key_before" == *"BEGIN PRIVATE KEY"* ]] || ck_fail "no account key stored before newAccount"
[[ -z "$(ck_account_url "$json")" ]] || ck_fail "an account URL was stored before newAccount"
ck_run "${srv[@]}" --state-dir "$state" account register
ck_expect_rc 0
[[ "$(ck_account_key_pem "$json")" == "$key_before" ]] || ck_fail "the stored account key was replaced"
[[ -n "$(ck_account_url "$json")" ]] || ck_fail "the account URL was not stored"
ck_run "${srv[@]}" --state-dir "$state" issue -d after-crash.test "${listen[@]}"
ck_expect_rc 0

ck_log "ok"
