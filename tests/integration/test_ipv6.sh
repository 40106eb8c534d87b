#!/usr/bin/env bash
# HTTP-01 standalone on IPv6: a name that resolves only to ::1 (no A record) is issued through
# the default ":PORT" responder (one dual-stack socket), while "0.0.0.0:PORT" keeps its literal
# IPv4-only meaning and so fails validation with a message naming the name.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
ip -6 addr show dev lo 2>/dev/null | grep -q '::1' || { ck_log "skipped: no IPv6 on lo"; exit 0; }
CK_NONCEREJECT=0 ck_start_pebble --ipv6-only PEBBLE_AUTHZREUSE=0
ck_pebble_roots >/dev/null
state="$CK_TMP/state"
srv=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state" --agree-tos)

ck_run "${srv[@]}" issue -d v6only.test --http-listen ":$CK_HTTP_PORT"
ck_expect_rc 0
ck_verify_chain "$state/live/v6only.test/cert.pem" "$state/live/v6only.test/chain.pem" "$CK_TMP/root0.pem"
grep -q 'http://v6only.test' "$CK_PEBBLE_LOG" || ck_fail "Pebble did not validate v6only.test over HTTP"
ck_assert_port_free "$CK_HTTP_PORT"

ck_run "${srv[@]}" issue -d v4listen.test --http-listen "0.0.0.0:$CK_HTTP_PORT"
ck_expect_rc 6
ck_expect_err_contains "v4listen.test"
ck_log "ok"
