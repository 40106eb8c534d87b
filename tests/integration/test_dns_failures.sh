#!/usr/bin/env bash
# DNS-01 failures against a real BIND primary (127.0.0.1) and secondary (127.0.0.2) in a private
# network namespace. Each must end with an ordinary non-zero exit, one error naming the cause,
# no challenge answered at the CA, no certificate, and no record of ours left on any server:
# 1. a wrong TSIG key (same name, other secret: BIND answers NOTAUTH/BADSIG);
# 2. an unreachable DNS server (--dns-server), and an unreachable resolver (--dns-resolver);
# 3. a record that never appears on one of the two authoritative servers (stale.test: ns2
#    serves a static copy), with a short --dns-timeout: the error names ns2 and its address;
# 4. SIGTERM while waiting for propagation: records removed, exit 143;
# 5. `certkeep dns preflight` for that zone names the server that does not see its test record.
# ck-slow: the DNS code runs under the sanitizers in test_dns_rfc2136 and the unit tests.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/dns_lib.sh"
ck_enter_netns "$@"
ck_setup
ck_bind_start
ck_start_pebble --dnsserver "$CK_BIND_RESOLVER" PEBBLE_AUTHZREUSE=0

state="$CK_TMP/state"
srv=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state" --agree-tos
    --email t@example.com)
key=(--tsig-key-file "$CK_DNS_KEY_FILE")
resolver=(--dns-resolver "$CK_BIND_RESOLVER")
unreachable=127.0.0.9:53 # on lo, nothing listens there: connections are refused at once

# The account exists before the failures, so they count only the DNS part.
ck_run "${srv[@]}" account register
ck_expect_rc 0

# expect_clean NAME WANT: both servers hold exactly WANT at NAME.
expect_clean() {
    ck_dns_expect_txt "$CK_DNS_NS1" "$1" "$2"
    ck_dns_wait_txt "$CK_DNS_NS2" "$1" "$2"
}
# expect_no_issuance LIVE-NAME CHALLENGES-BEFORE: nothing stored, no challenge answered.
expect_no_issuance() {
    [[ ! -e "$state/live/$1" ]] || ck_fail "a certificate was stored for $1 although DNS-01 failed"
    local n=$(($(ck_count_requests '^POST /chalZ/') - $2))
    ((n == 0)) || ck_fail "certkeep answered $n challenge(s) although its records were not in place"
}

# --- 1. wrong TSIG key --------------------------------------------------------------------------
wrong="$CK_TMP/wrong.key"
tsig-keygen -a hmac-sha256 "$CK_DNS_KEY_NAME" >"$wrong" && chmod 600 "$wrong"
chal=$(ck_count_requests '^POST /chalZ/')
ck_run "${srv[@]}" issue -d example.test -d '*.example.test' --name wrongkey --dns rfc2136 \
    --dns-server "$CK_DNS_SERVER" --tsig-key-file "$wrong" "${resolver[@]}"
ck_expect_failed_run
ck_expect_output_matches 'tsig|badsig|notauth'
ck_expect_err_contains "$CK_DNS_SERVER"
expect_no_issuance wrongkey "$chal"
expect_clean _acme-challenge.example.test keep-me
grep -q 'tsig verify failure' "$CK_BIND_NS1_LOG" || ck_fail "BIND never saw a badly signed update"

# --- 2. unreachable DNS server, unreachable resolver ------------------------------------------------
t0=$SECONDS
ck_run "${srv[@]}" issue -d example.test --name noserver --dns rfc2136 --dns-server "$unreachable" \
    "${key[@]}" "${resolver[@]}"
ck_expect_failed_run
ck_expect_err_contains "$unreachable"
expect_no_issuance noserver "$chal"
expect_clean _acme-challenge.example.test keep-me
((SECONDS - t0 < 40)) || ck_fail "giving up on an unreachable DNS server took $((SECONDS - t0))s"

t0=$SECONDS
ck_run "${srv[@]}" issue -d example.test --name noresolver --dns rfc2136 \
    --dns-server "$CK_DNS_SERVER" "${key[@]}" --dns-resolver "$unreachable"
ck_expect_failed_run
ck_expect_err_contains "$unreachable"
expect_no_issuance noresolver "$chal"
expect_clean _acme-challenge.example.test keep-me
((SECONDS - t0 < 40)) || ck_fail "giving up on an unreachable resolver took $((SECONDS - t0))s"

# --- 3. never visible on ns2: a timeout naming the server, records removed from the primary ----------
t0=$SECONDS
ck_run "${srv[@]}" issue -d stale.test -d '*.stale.test' --name stale --dns rfc2136 \
    --dns-server "$CK_DNS_SERVER" "${key[@]}" "${resolver[@]}" --dns-timeout 5s
ck_expect_failed_run
ck_expect_err_contains ns2.example.test
ck_expect_err_contains "$CK_DNS_NS2"
expect_no_issuance stale "$chal"
((SECONDS - t0 < 35)) || ck_fail "--dns-timeout 5s: certkeep gave up only after $((SECONDS - t0))s"
# The values did reach the primary (the failure is the secondary's), and were removed again.
[[ "$(ck_bind_updates _acme-challenge.stale.test | tr '\n' ' ')" == "adding adding deleting deleting " ]] ||
    ck_fail "BIND's changes at _acme-challenge.stale.test: [$(ck_bind_updates _acme-challenge.stale.test | tr '\n' ' ')]"
expect_clean _acme-challenge.stale.test ''

# --- 4. SIGTERM while waiting: records removed -------------------------------------------------
adds_before=$(ck_bind_updates _acme-challenge.stale.test | grep -c adding || true)
ck_run_bg "${srv[@]}" issue -d stale.test --name stale-term --dns rfc2136 \
    --dns-server "$CK_DNS_SERVER" "${key[@]}" "${resolver[@]}" --dns-timeout 60s
# shellcheck disable=SC2016
ck_wait_until "certkeep to write its record on the primary" "$CK_BG_PID" \
    bash -c '(($(grep -c "adding an RR at .\{0,1\}_acme-challenge\.stale\.test" "$1") > $2))' _ \
    "$CK_BIND_NS1_LOG" "$adds_before"
sleep 0.5 # now it polls ns2
t0=$SECONDS
kill -TERM "$CK_BG_PID"
rc=0
wait "$CK_BG_PID" || rc=$?
((rc == 143)) || { cat "$CK_BG_ERR" >&2; ck_fail "certkeep exited $rc on SIGTERM, expected 143"; }
((SECONDS - t0 < 15)) || ck_fail "certkeep took $((SECONDS - t0))s to stop on SIGTERM"
expect_clean _acme-challenge.stale.test ''
[[ ! -e "$state/live/stale-term" ]] || ck_fail "a certificate was stored for stale-term"

# --- 5. preflight names the server that does not see the test record -------------------------------
ck_run dns preflight -d stale.test --dns rfc2136 --dns-server "$CK_DNS_SERVER" "${key[@]}" \
    "${resolver[@]}" --dns-timeout 3s
ck_expect_failed_run
ck_expect_output_matches 'ns2\.example\.test'
expect_clean _acme-challenge.stale.test ''
ck_log "ok"
