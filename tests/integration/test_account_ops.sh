#!/usr/bin/env bash
# Account operations against Pebble: `account show --json`; `account rollover` (RFC 8555
# §7.3.5) keeps the account URL, changes the key and its thumbprint, leaves no staged key, and
# issuance works with the new key (also after a rollover to another key type); a rollover
# SIGKILLed after staging its key, or after the CA switched keys, is settled by the next use
# (the CA is asked which key it has); `account update --email` shows in `account show --json`;
# `account deactivate` refuses without --yes, and after it an issue fails with one clear line.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
ck_start_pebble
srv=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE")
listen=(--http-listen "127.0.0.1:$CK_HTTP_PORT")
state="$CK_TMP/state"
ck_pebble_roots >/dev/null

# The string member $1 of the JSON object `account show --json` printed last.
json_field() { sed -n 's/^ *"'"$1"'": *"\(.*\)",\{0,1\}$/\1/p' <<<"$CK_OUT"; }
show_json() {
    ck_run "${srv[@]}" --state-dir "$state" account show --json
    ck_expect_rc 0
}
issue() {
    ck_run "${srv[@]}" --state-dir "$state" --agree-tos issue -d "$1" "${listen[@]}"
    ck_expect_rc 0
    ck_verify_chain "$state/live/$1/cert.pem" "$state/live/$1/chain.pem" "$CK_TMP/root0.pem"
}

ck_run "${srv[@]}" --state-dir "$state" --agree-tos --email t@example.com account register
ck_expect_rc 0
json=$(ck_account_json "$state")
signups=$(ck_count_requests '^POST /sign-me-up$') # badNonce retries included
show_json
url=$(json_field url)
tp1=$(json_field thumbprint)
[[ "$url" == https://*/my-account/* ]] || { ck_show_run; ck_fail "show --json has no account URL"; }
[[ ${#tp1} == 43 ]] || { ck_show_run; ck_fail "show --json has no thumbprint"; }
[[ "$(json_field status)" == valid ]] || { ck_show_run; ck_fail "show --json: status is not valid"; }
[[ "$(json_field key_type)" == ES256 ]] || { ck_show_run; ck_fail "show --json: key_type is not ES256"; }
[[ "$(json_field server)" == "$CK_DIR_URL" ]] || { ck_show_run; ck_fail "show --json: wrong server"; }
ck_expect_out_contains '"mailto:t@example.com"'
# The plain output keeps its form.
ck_run "${srv[@]}" --state-dir "$state" account show
ck_expect_rc 0
ck_expect_out_contains "$url"
ck_expect_out_contains "thumbprint $tp1"

# --- rollover ---------------------------------------------------------------------------------
key1=$(ck_account_key_pem "$json" | sha256sum)
ck_run "${srv[@]}" --state-dir "$state" account rollover
ck_expect_rc 0
ck_expect_out_contains "$url"
(($(ck_count_requests '^POST /rollover-account-key$') >= 1)) || ck_fail "Pebble saw no keyChange request"
show_json
[[ "$(json_field url)" == "$url" ]] || { ck_show_run; ck_fail "the account URL changed in the rollover"; }
tp2=$(json_field thumbprint)
[[ ${#tp2} == 43 && "$tp2" != "$tp1" ]] || { ck_show_run; ck_fail "the thumbprint did not change: $tp1 / $tp2"; }
[[ "$(ck_account_key_pem "$json" | sha256sum)" != "$key1" ]] || ck_fail "the stored account key did not change"
grep -q stagedKey "$json" && ck_fail "a staged key is left in $json after the rollover"
ck_assert_file_mode "$json" 600
issue after-rollover.test
(($(ck_count_requests '^POST /sign-me-up$') == signups)) || ck_fail "a new account was registered after the rollover"

# To another key type.
ck_run "${srv[@]}" --state-dir "$state" --account-key-type es384 account rollover
ck_expect_rc 0
ck_expect_out_contains ES384
ck_account_key_pem "$json" | openssl pkey -noout -text 2>/dev/null | grep -q secp384r1 ||
    ck_fail "the account key is not P-384 after rollover --account-key-type es384"
show_json
[[ "$(json_field key_type)" == ES384 && "$(json_field url)" == "$url" ]] || { ck_show_run; ck_fail "show after the es384 rollover"; }
issue after-es384.test

# --- a rollover killed before / after the CA switched keys is settled by the next use ---------
stopped() { grep -qE '^[0-9]+ \(.*\) [tT] ' "/proc/$1/stat"; }
# Runs a rollover that CERTKEEP_TEST_STOP_AT stops at step $1, and SIGKILLs it there.
rollover_killed_at() {
    CERTKEEP_TEST_STOP_AT=$1 ck_run_bg "${srv[@]}" --state-dir "$state" account rollover
    local victim=$CK_BG_PID
    ck_wait_until "rollover stops at $1" "$victim" stopped "$victim"
    kill -KILL "$victim"
    wait "$victim" 2>/dev/null || true
    grep -q '"stagedKey"' "$json" || ck_fail "no staged key in $json when killed at $1"
}
show_json
tp_before=$(json_field thumbprint)
rollover_killed_at rollover-key-staged
show_json
ck_expect_err_contains "never reached the CA"
[[ "$(json_field thumbprint)" == "$tp_before" ]] || { ck_show_run; ck_fail "a rollover that never reached the CA changed the key"; }
grep -q stagedKey "$json" && ck_fail "the staged key of a rollover that never happened was kept"
rollover_killed_at rollover-key-changed
show_json
ck_expect_err_contains "had reached the CA"
[[ "$(json_field thumbprint)" != "$tp_before" && "$(json_field url)" == "$url" ]] || { ck_show_run; ck_fail "the key the CA switched to was not taken up"; }
grep -q stagedKey "$json" && ck_fail "a staged key is left after settling"
issue after-crash.test
signups=$(ck_count_requests '^POST /sign-me-up$') # settling asked with onlyReturnExisting

# --- update -----------------------------------------------------------------------------------
ck_run "${srv[@]}" --state-dir "$state" --email new@example.com account update
ck_expect_rc 0
show_json
ck_expect_out_contains '"mailto:new@example.com"'
grep -qF 'mailto:t@example.com' <<<"$CK_OUT" && { ck_show_run; ck_fail "the old contact is still shown"; }
ck_run "${srv[@]}" --state-dir "$state" account update
ck_expect_rc 2
ck_expect_err_contains "--email"

# --- deactivate -------------------------------------------------------------------------------
ck_run "${srv[@]}" --state-dir "$state" account deactivate
ck_expect_rc 2
ck_expect_err_contains "irreversible"
ck_expect_err_contains "--yes"
show_json
[[ "$(json_field status)" == valid ]] || { ck_show_run; ck_fail "the account changed without --yes"; }

ck_run "${srv[@]}" --state-dir "$state" account deactivate --yes
ck_expect_rc 0
ck_expect_out_contains "Deactivated account $url"
ck_run "${srv[@]}" --state-dir "$state" --agree-tos issue -d after-deactivate.test "${listen[@]}"
ck_expect_rc 5
ck_expect_err_contains "deactivated"
[[ "$(grep -c . <<<"$CK_ERR")" == 1 ]] || { ck_show_run; ck_fail "error is not one line"; }
[[ ! -e "$state/live/after-deactivate.test" ]] || ck_fail "a certificate was stored for a deactivated account"
(($(ck_count_requests '^POST /sign-me-up$') == signups)) || ck_fail "a new account was registered after the deactivation"
ck_log "ok"
