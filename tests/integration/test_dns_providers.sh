#!/usr/bin/env bash
# The other DNS-01 providers, each against a real server in a private network namespace:
# 1. pdns: PowerDNS Authoritative's REST API (pdns_server with gsqlite3 on 127.0.0.3); the
#    unrelated TXT at the name survives, nothing of ours is left, the API key is neither printed
#    nor stored.
# 2. exec with a script that wraps `nsupdate -k` (the lego/acme.sh contract: PROG
#    present|cleanup FQDN VALUE and CERTKEEP_DNS_* in the environment), against BIND.
# 3. exec whose program fails: a clear error naming the program and the end of its output.
# 4. exec with pebble-challtestsrv's management API and --dns-propagation off (challtestsrv
#    answers no SOA/NS queries, so only "off" can work there).
# ck-slow: the provider and responder code runs under the sanitizers in the unit tests.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/dns_lib.sh"
ck_enter_netns "$@"
ck_setup
ck_bind_start
ck_pdns_start
ck_start_pebble --dnsserver "$CK_BIND_RESOLVER" PEBBLE_AUTHZREUSE=0
ck_pebble_roots >/dev/null

state="$CK_TMP/state"
srv=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state" --agree-tos
    --email t@example.com)

# --- 1. PowerDNS --------------------------------------------------------------------------------
api_key=$(cat "$CK_PDNS_KEY_FILE")
ck_run "${srv[@]}" issue -d pdns.test -d '*.pdns.test' --name pdns --dns pdns \
    --pdns-url "$CK_PDNS_URL" --pdns-api-key-file "$CK_PDNS_KEY_FILE" --pdns-server-id localhost \
    --dns-resolver "$CK_BIND_RESOLVER"
ck_expect_rc 0
ck_expect_cert "$state/live/pdns" pdns.test '*.pdns.test'
ck_dns_wait_txt "$CK_PDNS_SERVER" _acme-challenge.pdns.test keep-me
rrset=$(curl -sf -m 5 -H "X-API-Key: $api_key" "$CK_PDNS_URL/api/v1/servers/localhost/zones/pdns.test." |
    jq -c '[.rrsets[] | select(.name == "_acme-challenge.pdns.test." and .type == "TXT") | .records[].content]')
[[ "$rrset" == '["\"keep-me\""]' ]] || ck_fail "the TXT RRset at _acme-challenge.pdns.test is now $rrset"
ck_expect_secret_absent "$api_key" "$state"

# --- 2. exec wrapping nsupdate ------------------------------------------------------------------
hook_log="$CK_TMP/nsupdate-hook.log"
hook="$CK_TMP/nsupdate-hook"
cat >"$hook" <<EOF
#!/bin/sh
# PROG present|cleanup FQDN VALUE: add or delete exactly one TXT value with nsupdate.
set -eu
fqdn=\${2%.}
echo "\$1 \$fqdn \$3 env=\${CERTKEEP_DNS_FQDN:-} \${CERTKEEP_DNS_VALUE:-} \${CERTKEEP_DNS_ZONE:-}" >>'$hook_log'
case \$1 in
present) op="update add \$fqdn. 60 TXT \"\$3\"" ;;
cleanup) op="update delete \$fqdn. TXT \"\$3\"" ;;
*) echo "unknown action \$1" >&2; exit 2 ;;
esac
zone="zone \${CERTKEEP_DNS_ZONE:-example.test}"
printf '%s\n' "server $CK_DNS_NS1 53" "\$zone" "\$op" send | nsupdate -t 5 -k '$CK_DNS_KEY_FILE'
EOF
chmod 755 "$hook"
ck_run "${srv[@]}" issue -d hook.example.test -d '*.hook.example.test' --name hook \
    --dns exec --dns-exec "$hook" --dns-resolver "$CK_BIND_RESOLVER"
ck_expect_rc 0
ck_expect_cert "$state/live/hook" hook.example.test '*.hook.example.test'
name=_acme-challenge.hook.example.test
[[ -s "$hook_log" ]] || ck_fail "the exec program was never run"
# Two values presented at one name, both before any cleanup, each cleaned up once; the
# environment repeats the arguments and names the zone found from the SOA.
actions=$(cut -d' ' -f1 "$hook_log" | tr '\n' ' ')
[[ "$actions" == "present present cleanup cleanup " ]] ||
    ck_fail "exec program calls were [$actions], expected two presents then two cleanups: $(cat "$hook_log")"
while read -r action fqdn value env_fqdn env_value env_zone; do
    [[ "$fqdn" == "$name" ]] || ck_fail "exec $action was given FQDN $fqdn, expected $name"
    [[ "${env_fqdn#env=}" == "$fqdn" && "$env_value" == "$value" ]] ||
        ck_fail "exec $action: CERTKEEP_DNS_FQDN/VALUE [${env_fqdn#env=} $env_value] differ from the arguments [$fqdn $value]"
    [[ "$env_zone" == example.test ]] || ck_fail "exec $action: CERTKEEP_DNS_ZONE is [$env_zone], expected example.test"
    [[ "$value" =~ ^[A-Za-z0-9_-]{43}$ ]] || ck_fail "exec $action: value [$value] is not a DNS-01 digest"
done <"$hook_log"
presented=$(awk '$1 == "present" { print $3 }' "$hook_log" | LC_ALL=C sort)
cleaned=$(awk '$1 == "cleanup" { print $3 }' "$hook_log" | LC_ALL=C sort)
[[ "$(LC_ALL=C sort -u <<<"$presented" | wc -l)" == 2 ]] || ck_fail "the two presents carried one value twice"
[[ "$presented" == "$cleaned" ]] || ck_fail "cleanup values [$cleaned] differ from present values [$presented]"
ck_dns_expect_txt "$CK_DNS_NS1" "$name" ''
ck_dns_wait_txt "$CK_DNS_NS2" "$name" ''
ck_dns_expect_txt "$CK_DNS_NS1" _acme-challenge.example.test keep-me

# --- 3. exec whose program fails ------------------------------------------------------------------
bad="$CK_TMP/failing-hook"
# shellcheck disable=SC2016 # the program's own $1 and $2
printf '%s\n' '#!/bin/sh' 'echo "starting $1"' 'echo "zone not found for $2" >&2' 'exit 3' >"$bad"
chmod 755 "$bad"
ck_run "${srv[@]}" issue -d bad.example.test --name bad --dns exec --dns-exec "$bad" \
    --dns-resolver "$CK_BIND_RESOLVER"
ck_expect_failed_run
ck_expect_err_contains "$bad"
ck_expect_err_contains "zone not found for _acme-challenge.bad.example.test"
[[ ! -e "$state/live/bad" ]] || ck_fail "a certificate was stored although the DNS program failed"

# --- 4. exec with challtestsrv's management API, propagation check off -----------------------------
ck_start_pebble PEBBLE_AUTHZREUSE=0 # resolves at its own challtestsrv
ck_pebble_roots >/dev/null
chall_log="$CK_TMP/challtest-hook.log"
chall_hook="$CK_TMP/challtest-hook"
cat >"$chall_hook" <<EOF
#!/bin/sh
# PROG present|cleanup FQDN VALUE through pebble-challtestsrv's management API.
set -eu
fqdn=\${2%.}
echo "\$1 \$fqdn \$3" >>'$chall_log'
case \$1 in
present) curl -sf -m 5 -o /dev/null '$CK_CHALLTEST_MGMT/set-txt' -d "{\"host\":\"\$fqdn.\",\"value\":\"\$3\"}" ;;
cleanup) curl -sf -m 5 -o /dev/null '$CK_CHALLTEST_MGMT/clear-txt' -d "{\"host\":\"\$fqdn.\"}" ;;
*) exit 2 ;;
esac
EOF
chmod 755 "$chall_hook"
state2="$CK_TMP/state2"
ck_run --server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state2" --agree-tos \
    --email t@example.com issue -d chall.test -d '*.chall.test' --name chall --dns exec \
    --dns-exec "$chall_hook" --dns-propagation off --dns-resolver "$CK_CHALLTEST_DNS"
ck_expect_rc 0
ck_expect_cert "$state2/live/chall" chall.test '*.chall.test'
[[ "$(cut -d' ' -f1 "$chall_log" | tr '\n' ' ')" == "present present cleanup cleanup " ]] ||
    ck_fail "challtestsrv program calls: $(cat "$chall_log")"
left=$(dig +short +norec -p "${CK_CHALLTEST_DNS##*:}" @"${CK_CHALLTEST_DNS%:*}" _acme-challenge.chall.test TXT)
[[ -z "$left" ]] || ck_fail "challtestsrv still serves TXT $left at _acme-challenge.chall.test"
ck_log "ok"
