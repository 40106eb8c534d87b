#!/usr/bin/env bash
# DNS-01 through RFC 2136 dynamic updates signed with TSIG, against a real BIND 9 primary
# (127.0.0.1) and its secondary (127.0.0.2, fed by NOTIFY + IXFR) in a private network
# namespace, with Pebble resolving through the primary:
# 1. example.test + *.example.test: both TXT values at one name at once; the unrelated TXT at
#    _acme-challenge.example.test and the apex SPF survive; nothing of ours is left on either
#    server; the TSIG secret is neither printed nor stored.
# 2. a sub-zone (sub.example.test, delegated): the update goes to the zone named by the SOA.
# 3. a CNAME-delegated name: _acme-challenge.cname.example.test is a CNAME into
#    challenges.test, where the record is written.
# 4. `certkeep dns preflight`: ok for the CNAME name (its test record removed), one line naming
#    the problem and a non-zero exit with a wrong TSIG key.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/dns_lib.sh"
ck_enter_netns "$@"
ck_setup
ck_bind_start
ck_start_pebble --dnsserver "$CK_BIND_RESOLVER" PEBBLE_AUTHZREUSE=0
ck_pebble_roots >/dev/null

state="$CK_TMP/state"
srv=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state" --agree-tos
    --email t@example.com)
dns=(--dns rfc2136 --dns-server "$CK_DNS_SERVER" --tsig-key-file "$CK_DNS_KEY_FILE"
    --dns-resolver "$CK_BIND_RESOLVER")
secret=$(sed -n 's/.*secret "\(.*\)";.*/\1/p' "$CK_DNS_KEY_FILE")
[[ -n "$secret" ]] || ck_fail "no secret in $CK_DNS_KEY_FILE"
ns=("$CK_DNS_NS1" "$CK_DNS_NS2")

# Fails unless NAME holds exactly TXT values WANT on both servers (the secondary may lag).
expect_txt_both() {
    ck_dns_expect_txt "$CK_DNS_NS1" "$1" "$2"
    ck_dns_wait_txt "$CK_DNS_NS2" "$1" "$2"
}

# --- 1. apex + wildcard: two values at one name, other records kept ------------------------------
chal_before=$(ck_count_requests '^POST /chalZ/')
ck_run "${srv[@]}" issue -d example.test -d '*.example.test' --name apex "${dns[@]}"
ck_expect_rc 0
ck_expect_cert "$state/live/apex" example.test '*.example.test'
chals=$(($(ck_count_requests '^POST /chalZ/') - chal_before))
((chals >= 2)) || ck_fail "expected two DNS-01 challenges answered, Pebble saw $chals"
# Both values were written before either was removed: Pebble saw both at once.
updates=$(ck_bind_updates _acme-challenge.example.test | tr '\n' ' ')
[[ "$updates" == "adding adding deleting deleting " ]] ||
    ck_fail "BIND's changes at _acme-challenge.example.test were [$updates]; expected two single adds, then two single deletes"
[[ "$(ck_bind_updated_zone _acme-challenge.example.test)" == example.test ]] ||
    ck_fail "updates went to zone(s) [$(ck_bind_updated_zone _acme-challenge.example.test)], expected example.test"
expect_txt_both _acme-challenge.example.test keep-me
expect_txt_both example.test 'v=spf1 -all'
ck_expect_secret_absent "$secret" "$state"

# --- 1b. renew with the stored DNS-01 settings (none on the command line), then from a config ---
serial_before=$(openssl x509 -in "$state/live/apex/cert.pem" -noout -serial)
ck_run --server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state" renew --force --name apex
ck_expect_rc 0
[[ "$(openssl x509 -in "$state/live/apex/cert.pem" -noout -serial)" != "$serial_before" ]] ||
    ck_fail "renew --force kept the old certificate"
ck_expect_cert "$state/live/apex" example.test '*.example.test'
expect_txt_both _acme-challenge.example.test keep-me
conf="$CK_TMP/certkeep.toml"
cat >"$conf" <<EOF
server = "$CK_DIR_URL"
ca-bundle = "$CK_CA_BUNDLE"
state-dir = "$state"
dns = "rfc2136"
dns-server = "$CK_DNS_SERVER"
tsig-key-file = "$CK_DNS_KEY_FILE"
dns-resolver = "$CK_BIND_RESOLVER"
[[certificate]]
name = "fromconfig"
domains = ["*.other.example.test"]
EOF
chmod 644 "$conf"
ck_run --config "$conf" config check
ck_expect_rc 0
ck_run --config "$conf" renew --name fromconfig
ck_expect_rc 0
ck_expect_cert "$state/live/fromconfig" '*.other.example.test'
ck_expect_secret_absent "$secret" "$state"
expect_txt_both _acme-challenge.other.example.test ''

# --- 2. a sub-zone: the zone comes from the SOA, not from the labels -----------------------------
ck_run "${srv[@]}" issue -d www.sub.example.test -d sub.example.test --name sub "${dns[@]}"
ck_expect_rc 0
ck_expect_cert "$state/live/sub" www.sub.example.test sub.example.test
for n in _acme-challenge.www.sub.example.test _acme-challenge.sub.example.test; do
    [[ "$(ck_bind_updated_zone "$n")" == sub.example.test ]] ||
        ck_fail "updates at $n went to zone(s) [$(ck_bind_updated_zone "$n")], expected sub.example.test"
    [[ "$(ck_bind_updates "$n" | tr '\n' ' ')" == "adding deleting " ]] ||
        ck_fail "BIND's changes at $n were [$(ck_bind_updates "$n" | tr '\n' ' ')]"
    expect_txt_both "$n" ''
done
expect_txt_both _acme-challenge.example.test keep-me

# --- 3. CNAME delegation: written at the target in challenges.test -------------------------------
target=cname.example.test.challenges.test
ck_run "${srv[@]}" issue -d cname.example.test --name cname "${dns[@]}"
ck_expect_rc 0
ck_expect_cert "$state/live/cname" cname.example.test
[[ "$(ck_bind_updated_zone "$target")" == challenges.test ]] ||
    ck_fail "no update of $target in zone challenges.test: [$(ck_bind_updated_zone "$target")]"
[[ -z "$(ck_bind_updated_zone _acme-challenge.cname.example.test)" ]] ||
    ck_fail "certkeep wrote at the CNAME itself (_acme-challenge.cname.example.test) instead of its target"
[[ "$(ck_bind_updates "$target" | tr '\n' ' ')" == "adding deleting " ]] ||
    ck_fail "BIND's changes at $target were [$(ck_bind_updates "$target" | tr '\n' ' ')]"
expect_txt_both "$target" ''
for s in "${ns[@]}"; do
    c=$(dig +short +norec @"$s" _acme-challenge.cname.example.test CNAME)
    [[ "$c" == "$target." ]] || ck_fail "the CNAME on $s is now [$c]"
done
expect_txt_both challenges.test 'challenge zone'

# --- 4. preflight ---------------------------------------------------------------------------------
updates_before=$(ck_bind_updates "$target" | wc -l)
ck_run dns preflight -d cname.example.test "${dns[@]}"
ck_expect_rc 0
# It wrote a test record at the CNAME target and removed it again.
(($(ck_bind_updates "$target" | wc -l) > updates_before)) ||
    ck_fail "preflight made no test write at $target"
expect_txt_both "$target" ''
ck_expect_secret_absent "$secret" "$state"

wrong="$CK_TMP/wrong.key"
tsig-keygen -a hmac-sha256 "$CK_DNS_KEY_NAME" >"$wrong" && chmod 600 "$wrong"
ck_run dns preflight -d cname.example.test --dns rfc2136 --dns-server "$CK_DNS_SERVER" \
    --tsig-key-file "$wrong" --dns-resolver "$CK_BIND_RESOLVER"
ck_expect_failed_run
ck_expect_output_matches 'tsig|badsig|notauth'
ck_expect_output_matches "challenges\.test|$CK_DNS_SERVER"
expect_txt_both "$target" ''
ck_log "ok"
