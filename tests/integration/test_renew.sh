#!/usr/bin/env bash
# certkeep renew against Pebble: what `issue` stored is renewed later with the settings it was
# issued with; a certificate that is not due creates no order; --force renews; renew-before in
# a config file makes certificates due; a certificate declared but never issued is issued;
# hooks run in order with their environment and JSON; a failing pre hook stops the run before
# any order; a failing deploy hook keeps the certificate, exits 1 and is retried by the next
# run; a failed renewal leaves the live files intact and backs off (no order on the next run);
# changed identifiers are re-issued; keep-versions prunes old versions.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
# 120 s certificates: by default due with half the lifetime left, 60 s after issuance; and never
# before a tenth of the lifetime (12 s) has passed, whatever renew-before says.
# PEBBLE_AUTHZREUSE=0 so that every renewal really validates again.
ck_start_pebble --validity 120 PEBBLE_AUTHZREUSE=0
state="$CK_TMP/state"
common=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state")
listen=(--http-listen "127.0.0.1:$CK_HTTP_PORT")
orders() { ck_count_requests '^POST /order-plz'; }
serial() { openssl x509 -in "$state/live/$1/cert.pem" -noout -serial | cut -d= -f2; }

# A probe hook: appends the event, its environment and its stdin to $HOOK_LOG.
hooks="$CK_TMP/hooks"
mkdir -m 0700 "$hooks"
cat >"$hooks/probe" <<'SH'
#!/bin/sh
{
    echo "event=$CERTKEEP_EVENT name=${CERTKEEP_NAME:-} domains=${CERTKEEP_DOMAINS:-} arg=${1:-}"
    echo "renewed=${CERTKEEP_RENEWED:-} failed=${CERTKEEP_FAILED:-} serial=${CERTKEEP_SERIAL:-}"
    echo "secret=${CERTKEEP_EAB_HMAC_KEY:-none}"
    echo "stdin=$(cat)"
    if [ -n "${CERTKEEP_FULLCHAIN:-}" ]; then
        echo "live_serial=$(openssl x509 -in "$CERTKEEP_FULLCHAIN" -noout -serial | cut -d= -f2)"
    fi
} >>"$HOOK_LOG"
SH
cat >"$hooks/fail" <<'SH'
#!/bin/sh
echo "reload failed: nginx is not running" >&2
exit 3
SH
chmod 0755 "$hooks/probe" "$hooks/fail"
export HOOK_LOG="$CK_TMP/hook.log"
: >"$HOOK_LOG"

# --- 1. issue runs its deploy hook; a plain renew then has nothing due: no order ---------------
ck_run "${common[@]}" --agree-tos issue -d a.test "${listen[@]}" --deploy-hook "$hooks/probe"
ck_expect_rc 0
grep -q "event=deploy name=a.test domains=a.test" "$HOOK_LOG" ||
    ck_fail "issue did not run its deploy hook: $(cat "$HOOK_LOG")"
before=$(orders)
ck_run --state-dir "$state" renew
ck_expect_rc 0
ck_expect_out_contains "0 renewed"
[[ $(orders) == "$before" ]] || ck_fail "a renew with nothing due placed an order"

# The ARI certificate ID (RFC 9773 §4.1) kept with the version, from a real CA's certificate:
# base64url(AKI keyIdentifier) "." base64url(DER serial), computed here with openssl.
b64url() { tr -d '\n' | basenc --base16 -d | basenc --base64url -w0 | tr -d '='; }
aki=$(openssl x509 -in "$state/live/a.test/cert.pem" -noout -ext authorityKeyIdentifier |
    grep -oE '([0-9A-F]{2}:)+[0-9A-F]{2}' | head -n 1 | tr -d ':')
sn=$(openssl x509 -in "$state/live/a.test/cert.pem" -noout -serial | cut -d= -f2)
((${#sn} % 2 == 0)) || sn="0$sn"
[[ $sn =~ ^[89A-F] ]] && sn="00$sn" # DER INTEGER: a leading 00 keeps it positive
want_id="$(b64url <<<"$aki").$(b64url <<<"$sn")"
[[ -n "$aki" ]] || ck_fail "Pebble's certificate has no Authority Key Identifier"
grep -qF "\"ari_cert_id\": \"$want_id\"" "$state/live/a.test/meta.json" ||
    ck_fail "meta.json does not hold the ARI certificate ID $want_id: $(cat "$state/live/a.test/meta.json")"

# --- 2. --force renews with the stored settings (server, listen address, hook) -----------------
: >"$HOOK_LOG"
old=$(serial a.test)
CERTKEEP_EAB_HMAC_KEY=leaked ck_run --state-dir "$state" --ca-bundle "$CK_CA_BUNDLE" renew --force
ck_expect_rc 0
ck_expect_out_contains "renewed   a.test (version 2)"
new=$(serial a.test)
[[ "$old" != "$new" ]] || ck_fail "renew --force did not replace the live certificate"
grep -q "event=deploy name=a.test" "$HOOK_LOG" || ck_fail "the stored deploy hook did not run on renew"
grep -q "live_serial=$new" "$HOOK_LOG" ||
    ck_fail "at deploy time the live files did not hold the new certificate: $(cat "$HOOK_LOG")"
grep -q "serial=$new" "$HOOK_LOG" || ck_fail "CERTKEEP_SERIAL is not the new serial: $(cat "$HOOK_LOG")"
grep -q '"event":"deploy"' "$HOOK_LOG" || ck_fail "the hook got no JSON on stdin: $(cat "$HOOK_LOG")"
grep -q "secret=none" "$HOOK_LOG" || ck_fail "a hook inherited CERTKEEP_EAB_HMAC_KEY"

# --- 3. a config: renew-before makes a.test due, b.test was never issued; pre deploy post -----
: >"$HOOK_LOG"
cfg="$CK_TMP/certkeep.toml"
cat >"$cfg" <<EOF
server = "$CK_DIR_URL"
ca-bundle = "$CK_CA_BUNDLE"
state-dir = "$state"
agree-tos = true
hooks.pre = [["$hooks/probe", "pre"]]
hooks.post = [["$hooks/probe", "post"]]

[[certificate]]
name = "a.test"
domains = ["a.test"]
http-listen = "127.0.0.1:$CK_HTTP_PORT"
renew-before = "0.99"
keep-versions = 1
hooks.deploy = [["$hooks/probe"]]

[[certificate]]
name = "b.test"
domains = ["b.test"]
http-listen = "127.0.0.1:$CK_HTTP_PORT"
renew-before = "1s"
EOF
chmod 0600 "$cfg"
# renew-before 0.99 is due once a tenth of the lifetime passed: 12 s after version 2.
issued=$(stat -c %Y "$state/archive/a.test/2")
while (($(date +%s) < issued + 13)); do sleep 1; done
ck_run --config "$cfg" renew
ck_expect_rc 0
ck_expect_out_contains "renewed   a.test (version 3)"
ck_expect_out_contains "renewed   b.test (version 1)"
events=$(sed -n 's/^event=\([a-z]*\) .*/\1/p' "$HOOK_LOG" | tr '\n' ' ')
[[ "$events" == "pre deploy post " ]] || ck_fail "hook order is [$events], expected [pre deploy post]"
grep -q "renewed=a.test b.test" "$HOOK_LOG" || ck_fail "post hook did not get CERTKEEP_RENEWED: $(cat "$HOOK_LOG")"
# keep-versions = 1: the live version 3 and one old version (2) remain.
versions=$(ls "$state/archive/a.test" | sort -n | tr '\n' ' ')
[[ "$versions" == "2 3 " ]] || ck_fail "keep-versions = 1 left versions [$versions], expected [2 3]"

# A config file others can write is refused (exit 2), as sudo and cron do.
chmod 0666 "$cfg"
ck_run --config "$cfg" renew
ck_expect_rc 2
ck_expect_err_contains "writable by other users"
chmod 0600 "$cfg"

# --- 4. a failing pre hook stops the run before any order --------------------------------------
before=$(orders)
ck_run --config "$cfg" renew --force --pre-hook "$hooks/fail"
ck_expect_rc 1
ck_expect_err_contains "nothing was renewed"
[[ $(orders) == "$before" ]] || ck_fail "an order was placed although the pre hook failed"

# --- 5. a failing deploy hook keeps the certificate, exits 1, and is retried --------------------
ck_run --config "$cfg" renew --name b.test --force --deploy-hook "$hooks/fail"
ck_expect_rc 1
ck_expect_err_contains "deploy failed"
ck_expect_err_contains "exited with status 3"
ck_expect_out_contains "renewed   b.test (version 2)"
: >"$HOOK_LOG"
before=$(orders)
ck_run --config "$cfg" renew --name b.test --deploy-hook "$hooks/probe"
ck_expect_rc 0
ck_expect_out_contains "deployed  b.test (a deploy a previous run left pending)"
[[ $(orders) == "$before" ]] || ck_fail "retrying a deploy placed an order"
grep -q "event=deploy name=b.test" "$HOOK_LOG" || ck_fail "the pending deploy was not retried"

# --- 6. a failed renewal leaves the live files intact, then backs off ---------------------------
live_before=$(ck_tree_hash "$state/live/b.test/")
dead_port=$(ck_free_port)
ck_run --config "$cfg" renew --name b.test --force --http-listen "127.0.0.1:$dead_port" --failure-hook "$hooks/probe"
ck_expect_rc 1
[[ $(ck_tree_hash "$state/live/b.test/") == "$live_before" ]] || ck_fail "a failed renewal changed the live files"
grep -q "event=failure name=b.test" "$HOOK_LOG" || ck_fail "the failure hook did not run"
# b.test is now due (identifiers changed) but backing off: no order, said so, exit 0.
sed -i 's/^domains = \["b.test"\]$/domains = ["b.test", "c.test"]/' "$cfg"
before=$(orders)
ck_run --config "$cfg" renew --name b.test
ck_expect_rc 0
ck_expect_out_contains "backing off"
[[ $(orders) == "$before" ]] || ck_fail "a renewal backing off placed an order"

# --- 7. --force overrides the backoff; changed identifiers are issued --------------------------
ck_run --config "$cfg" renew --name b.test --force
ck_expect_rc 0
names=$(ck_cert_names "$state/live/b.test/cert.pem")
[[ "$names" == $'b.test\nc.test' ]] || ck_fail "b.test now names [$names], expected b.test c.test"

# --- 8. stored but no longer declared: not renewed, said so -------------------------------------
ck_run "${common[@]}" --agree-tos issue -d d.test "${listen[@]}"
ck_expect_rc 0
ck_run --config "$cfg" renew --force
ck_expect_rc 0
ck_expect_err_contains "not declared in the config file, so not renewed: d.test"
[[ -e "$state/archive/d.test/2" ]] && ck_fail "an undeclared certificate was renewed"
ck_log "ok"
