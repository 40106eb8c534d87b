#!/usr/bin/env bash
# dns-persist-01 (draft-ietf-acme-dns-persist-01) records: `certkeep dns persist-record` prints
# the TXT record for the account stored for Pebble, and `certkeep dns persist-check` reads it
# back, read-only, from both authoritative servers of a real BIND 9 pair (primary 127.0.0.1,
# secondary 127.0.0.2) in a private network namespace. Pebble 2.4.0 offers no dns-persist-01
# challenge and no caaIdentities, so issuance with it is covered by the unit tests against the
# fake ACME server (tests/unit/lifecycle/persist_authorize_test.cpp) and the issuer domain is
# given with --issuer-domain here.
# 1. persist-record: no account stored -> names `account register`; no issuer domain -> asks
#    for --issuer-domain; then one line per name (apex + wildcard share one, policy=wildcard).
# 2. persist-check: the record on both servers -> exit 0, one line per server; a wildcard.
# 3. a record only on one server (stale.test: the secondary never gets updates) -> exit 1
#    naming the server that lacks it; a record for another account -> exit 1 saying so.
# 4. persistUntil 10 days away -> still 0, with a warning.
# ck-slow: the DNS code runs under the sanitizers in test_dns_rfc2136 and the unit tests.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/dns_lib.sh"
ck_enter_netns "$@"
ck_setup
ck_bind_start
ck_start_pebble --dnsserver "$CK_BIND_RESOLVER" PEBBLE_AUTHZREUSE=0

state="$CK_TMP/state"
srv=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state")
issuer=(--issuer-domain ca.test)
resolver=(--dns-resolver "$CK_BIND_RESOLVER")

# Publishes the zone-file line LINE (as persist-record prints it) on the primary, TTL 60.
publish() {
    ck_nsupdate "update add ${1/ IN TXT / 60 IN TXT }"
}

# --- 1. persist-record ---------------------------------------------------------------------------
ck_run "${srv[@]}" dns persist-record -d example.test "${issuer[@]}"
ck_expect_rc 3 # NotFound: nothing stored, nothing registered
ck_expect_err_contains "certkeep account register"
[[ ! -e "$state/accounts" ]] || ck_fail "persist-record created an account"

ck_run "${srv[@]}" --agree-tos --email t@example.com account register
ck_expect_rc 0
account=$(ck_account_url "$(ck_account_json "$state")")
[[ -n "$account" ]] || ck_fail "no account URL stored"

ck_run "${srv[@]}" dns persist-record -d example.test
ck_expect_rc 2 # Pebble's directory has no caaIdentities
ck_expect_err_contains "--issuer-domain"

ck_run "${srv[@]}" dns persist-record -d example.test -d '*.example.test' -d www.example.test \
    "${issuer[@]}"
ck_expect_rc 0
apex=$(grep '^_validation-persist.example.test\. ' <<<"$CK_OUT") ||
    ck_fail "no record line for example.test in: $CK_OUT"
[[ "$apex" == "_validation-persist.example.test. IN TXT \"ca.test; accounturi=$account; policy=wildcard\"" ]] ||
    ck_fail "unexpected record line: $apex"
www=$(grep '^_validation-persist.www.example.test\. ' <<<"$CK_OUT") ||
    ck_fail "no record line for www.example.test in: $CK_OUT"
[[ "$www" != *policy=wildcard* ]] || ck_fail "www.example.test got policy=wildcard: $www"
[[ "$(grep -c '^_validation-persist' <<<"$CK_OUT")" == 2 ]] ||
    ck_fail "expected two record lines (apex and wildcard share one): $CK_OUT"
ck_expect_out_contains "draft-ietf-acme-dns-persist-01"

# --- 2. persist-check: in place on both servers --------------------------------------------------
ck_run "${srv[@]}" dns persist-check -d example.test "${issuer[@]}" "${resolver[@]}"
ck_expect_rc 1 # not published yet
ck_expect_out_contains "no TXT record"

publish "$apex"
ck_dns_wait_txt "$CK_DNS_NS2" _validation-persist.example.test \
    "ca.test; accounturi=$account; policy=wildcard"
ck_run "${srv[@]}" dns persist-check -d example.test -d '*.example.test' "${issuer[@]}" \
    "${resolver[@]}"
ck_expect_rc 0
[[ "$(grep -c ': authorizes (policy=wildcard)$' <<<"$CK_OUT")" == 4 ]] ||
    ck_fail "expected ns1 and ns2 to authorize both names: $CK_OUT"
ck_expect_out_contains "ns1.example.test (127.0.0.1:53): authorizes"
ck_expect_out_contains "ns2.example.test (127.0.0.2:53): authorizes"

# --- 3. on one server only; another account ------------------------------------------------------
ck_run "${srv[@]}" dns persist-record -d stale.test "${issuer[@]}"
ck_expect_rc 0
publish "$(grep '^_validation-persist' <<<"$CK_OUT")"
ck_dns_wait_txt "$CK_DNS_NS1" _validation-persist.stale.test "ca.test; accounturi=$account"
ck_run "${srv[@]}" dns persist-check -d stale.test "${issuer[@]}" "${resolver[@]}"
ck_expect_rc 1
ck_expect_out_contains "ns1.example.test (127.0.0.1:53): authorizes"
ck_expect_out_contains "ns2.example.test (127.0.0.2:53): no TXT record (NXDOMAIN)"
ck_expect_out_contains "does not authorize on every authoritative server"

ck_nsupdate "update add _validation-persist.sub2.example.test. 60 IN TXT \"ca.test; accounturi=${CK_DIR_URL%/dir}/my-account/999\""
ck_dns_wait_txt "$CK_DNS_NS2" _validation-persist.sub2.example.test \
    "ca.test; accounturi=${CK_DIR_URL%/dir}/my-account/999"
ck_run "${srv[@]}" dns persist-check -d sub2.example.test "${issuer[@]}" "${resolver[@]}"
ck_expect_rc 1
ck_expect_out_contains "another account"

# --- 4. persistUntil soon: still valid, with a warning -------------------------------------------
ck_run "${srv[@]}" dns persist-record -d soon.example.test --persist-until 10d "${issuer[@]}"
ck_expect_rc 0
line=$(grep '^_validation-persist' <<<"$CK_OUT")
[[ "$line" == *"; persistUntil="* ]] || ck_fail "no persistUntil in: $line"
publish "$line"
value=${line#*\"}
ck_dns_wait_txt "$CK_DNS_NS2" _validation-persist.soon.example.test "${value%\"}"
ck_run "${srv[@]}" dns persist-check -d soon.example.test "${issuer[@]}" "${resolver[@]}"
ck_expect_rc 0
ck_expect_out_contains "warning: soon.example.test: persistUntil"
ck_expect_out_contains "is 10 day(s) away"

ck_run "${srv[@]}" dns persist-record -d soon.example.test --persist-until 2001-01-01 "${issuer[@]}"
ck_expect_rc 2
ck_expect_err_contains "not in the future"
ck_log "dns persist-record / persist-check: ok"
