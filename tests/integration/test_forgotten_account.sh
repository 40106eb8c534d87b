#!/usr/bin/env bash
# The CA forgot the account (a restarted Pebble keeps nothing: like a reset CA or an account
# deleted on the CA side). Without --agree-tos the run fails with one line naming the fix; with
# it, the stored key is registered again and the URL replaced (said in one line), and the run
# issues. `account register` asks the CA instead of answering "already registered" blindly.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
CK_NONCEREJECT=0 ck_start_pebble
state="$CK_TMP/state"
srv=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state")
listen=(--http-listen "127.0.0.1:$CK_HTTP_PORT")

ck_run "${srv[@]}" --agree-tos --email t@example.com issue -d first.test "${listen[@]}"
ck_expect_rc 0
json=$(ck_account_json "$state")
url1=$(ck_account_url "$json")
key1=$(ck_account_key_pem "$json")
[[ -n "$url1" ]] || ck_fail "no account URL stored"

ck_restart_pebble
ck_pebble_roots >/dev/null

ck_run "${srv[@]}" issue -d second.test "${listen[@]}"
ck_expect_rc 2
ck_expect_err_contains "no longer knows"
ck_expect_err_contains "--agree-tos"
[[ "$(grep -c . <<<"$CK_ERR")" == 1 ]] || { ck_show_run; ck_fail "the error is not one line"; }
[[ "$(ck_account_url "$json")" == "$url1" ]] || ck_fail "the account URL changed without --agree-tos"

ck_run "${srv[@]}" --agree-tos issue -d second.test "${listen[@]}"
ck_expect_rc 0
ck_expect_err_contains "registered the stored key again"
url2=$(ck_account_url "$json")
[[ -n "$url2" && "$url2" != "$url1" ]] || ck_fail "the account URL was not replaced ($url1 -> $url2)"
[[ "$(ck_account_key_pem "$json")" == "$key1" ]] || ck_fail "the account key was replaced"
ck_verify_chain "$state/live/second.test/cert.pem" "$state/live/second.test/chain.pem" "$CK_TMP/root0.pem"

# account register asks the CA: after another reset it registers the stored key again.
ck_run "${srv[@]}" --agree-tos account register
ck_expect_rc 0
ck_expect_out_contains "already registered"
ck_restart_pebble
ck_run "${srv[@]}" account register
ck_expect_rc 2
ck_expect_err_contains "--agree-tos"
ck_run "${srv[@]}" --agree-tos account register
ck_expect_rc 0
ck_expect_out_contains "registered the stored key again"
url3=$(ck_account_url "$json")
[[ -n "$url3" && "$url3" != "$url2" ]] || ck_fail "account register did not replace the forgotten URL"
ck_run "${srv[@]}" account show
ck_expect_rc 0
ck_expect_out_contains "$url3"
ck_log "ok"
