#!/usr/bin/env bash
# --preferred-chain with Pebble serving one alternate chain (PEBBLE_ALTERNATE_ROOTS=1: roots at
# /roots/0 and /roots/1, offered through Link rel="alternate"): naming root 1's CN makes the
# stored fullchain end at root 1 (and not root 0); without the flag the default chain (root 0)
# is kept; meta.json records the top issuer of the chain that was stored.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
ck_start_pebble PEBBLE_ALTERNATE_ROOTS=1
ck_pebble_roots >/dev/null
[[ -s "$CK_TMP/root1.pem" ]] || ck_fail "Pebble serves no /roots/1 with PEBBLE_ALTERNATE_ROOTS=1"
state="$CK_TMP/state"
common=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state"
    --agree-tos --email t@example.com)
listen=(--http-listen "127.0.0.1:$CK_HTTP_PORT")

cn_of() { openssl x509 -in "$1" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= *//p'; }
root0_cn=$(cn_of "$CK_TMP/root0.pem")
root1_cn=$(cn_of "$CK_TMP/root1.pem")
[[ -n "$root1_cn" && "$root0_cn" != "$root1_cn" ]] || ck_fail "roots have CNs [$root0_cn] [$root1_cn]"

# Fails unless the fullchain of certificate NAME verifies against root file $2 only.
verifies_only_against() {
    local fc="$state/live/$1/fullchain.pem" good=$2 bad=$3
    ck_verify_chain "$fc" "$fc" "$good"
    if openssl verify -CAfile "$bad" -untrusted "$fc" "$fc" >/dev/null 2>&1; then
        ck_fail "$1 fullchain also verifies against $bad"
    fi
}
# Prints the chain_top_issuer-like field of meta.json (the issuer CN of the chain's top cert).
meta_top() { grep -o '"chain_top_issuer": *"[^"]*"' "$state/archive/$1/1/meta.json" | sed 's/.*: *"//; s/"$//'; }

# --- preferred: root 1 ------------------------------------------------------------------------
ck_run "${common[@]}" issue -d alt.test --preferred-chain "$root1_cn" "${listen[@]}"
ck_expect_rc 0
verifies_only_against alt.test "$CK_TMP/root1.pem" "$CK_TMP/root0.pem"
ck_key_matches "$state/live/alt.test/cert.pem" "$state/live/alt.test/privkey.pem"
[[ "$(meta_top alt.test)" == "$root1_cn" ]] ||
    ck_fail "meta.json chain_top_issuer is [$(meta_top alt.test)], expected [$root1_cn]"

# --- no preference: the default chain, root 0 -------------------------------------------------
ck_run "${common[@]}" issue -d default.test "${listen[@]}"
ck_expect_rc 0
verifies_only_against default.test "$CK_TMP/root0.pem" "$CK_TMP/root1.pem"
[[ "$(meta_top default.test)" == "$root0_cn" ]] ||
    ck_fail "meta.json chain_top_issuer is [$(meta_top default.test)], expected [$root0_cn]"

# --- preferring root 0 explicitly, and a CN no chain has: both keep the default chain --------
ck_run "${common[@]}" issue -d pref0.test --preferred-chain "$root0_cn" "${listen[@]}"
ck_expect_rc 0
verifies_only_against pref0.test "$CK_TMP/root0.pem" "$CK_TMP/root1.pem"
ck_run "${common[@]}" issue -d nomatch.test --preferred-chain "No Such Root CA" "${listen[@]}"
ck_expect_rc 0
verifies_only_against nomatch.test "$CK_TMP/root0.pem" "$CK_TMP/root1.pem"
ck_log "ok"
