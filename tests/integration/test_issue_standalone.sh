#!/usr/bin/env bash
# Issuance through the built-in HTTP-01 responder against Pebble (30% of good nonces rejected):
# a 3-name certificate that verifies up to Pebble's root, the on-disk layout and permissions,
# a second issuance for the same name (new version, old one kept), key types, --name, and that
# the responder's port is released afterwards, and an IP identifier (RFC 8738).
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
ck_start_pebble
ck_pebble_roots >/dev/null

state="$CK_TMP/state"
common=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state"
    --agree-tos --email t@example.com)
listen=(--http-listen "127.0.0.1:$CK_HTTP_PORT")

# Prints the key type line of a private key ("Private-Key: (256 bit, 2 primes)" / "ASN1 OID: ...").
key_desc() { openssl pkey -in "$1" -noout -text 2>/dev/null | grep -E '^(Private-Key|RSA Private-Key|ASN1 OID|NIST CURVE)' | tr '\n' ' '; }

# --- 1. three names, default key type -------------------------------------------------------
ck_run "${common[@]}" issue -d a.test -d b.test -d c.test "${listen[@]}"
ck_expect_rc 0
live="$state/live/a.test"
ck_expect_out_contains "$live/fullchain.pem"
grep -qiE 'expire[s]?[^0-9]*20[0-9]{2}-[0-9]{2}-[0-9]{2}' <<<"$CK_OUT" ||
    { ck_show_run; ck_fail "stdout does not give the expiry date"; }
ck_assert_port_free "$CK_HTTP_PORT"

# The default chain ends at root 0; the fullchain (leaf first) and cert+chain both verify.
ck_verify_chain "$live/cert.pem" "$live/chain.pem" "$CK_TMP/root0.pem"
ck_verify_chain "$live/fullchain.pem" "$live/fullchain.pem" "$CK_TMP/root0.pem"
[[ "$(cat "$live/cert.pem" "$live/chain.pem")" == "$(cat "$live/fullchain.pem")" ]] ||
    ck_fail "fullchain.pem is not cert.pem followed by chain.pem"
names=$(ck_cert_names "$live/cert.pem")
[[ "$names" == $'a.test\nb.test\nc.test' ]] || ck_fail "SAN names are [$names], expected a.test b.test c.test"
ck_key_matches "$live/cert.pem" "$live/privkey.pem"
[[ "$(key_desc "$live/privkey.pem")" == *prime256v1* ]] ||
    ck_fail "default key is not EC P-256: $(key_desc "$live/privkey.pem")"

# Layout and permissions: secrets 0600, every directory 0700, live -> archive/NAME/1.
[[ -L "$live" ]] || ck_fail "$live is not a symlink"
[[ "$(readlink -f "$live")" == "$(readlink -f "$state/archive/a.test/1")" ]] ||
    ck_fail "live/a.test points to $(readlink "$live"), expected archive/a.test/1"
ck_assert_file_mode "$state/archive/a.test/1/privkey.pem" 600
for f in cert chain fullchain privkey; do
    [[ -s "$state/archive/a.test/1/$f.pem" ]] || ck_fail "archive/a.test/1/$f.pem missing or empty"
done
[[ -s "$state/archive/a.test/1/meta.json" ]] || ck_fail "archive/a.test/1/meta.json missing"
acct=$(ck_account_json "$state")
ck_account_key_pem "$acct" | grep -q 'BEGIN PRIVATE KEY' || ck_fail "no account key in $acct"
ck_assert_file_mode "$acct" 600
while IFS= read -r d; do
    ck_assert_file_mode "$d" 700
done < <(find "$state" -type d)
v1_hash=$(ck_tree_hash "$state/archive/a.test/1")
v1_serial=$(openssl x509 -in "$live/cert.pem" -noout -serial)

# --- 2. again for the same name: version 2, live moves, version 1 untouched -----------------
ck_run "${common[@]}" issue -d a.test -d b.test -d c.test "${listen[@]}"
ck_expect_rc 0
[[ "$(readlink -f "$live")" == "$(readlink -f "$state/archive/a.test/2")" ]] ||
    ck_fail "after the second issue live/a.test points to $(readlink "$live"), expected archive/a.test/2"
[[ "$(ck_tree_hash "$state/archive/a.test/1")" == "$v1_hash" ]] || ck_fail "archive/a.test/1 changed"
[[ "$(openssl x509 -in "$live/cert.pem" -noout -serial)" != "$v1_serial" ]] ||
    ck_fail "version 2 has the same certificate as version 1"
ck_verify_chain "$live/cert.pem" "$live/chain.pem" "$CK_TMP/root0.pem"
ck_key_matches "$live/cert.pem" "$live/privkey.pem"
ck_assert_file_mode "$state/archive/a.test/2/privkey.pem" 600
ck_assert_port_free "$CK_HTTP_PORT"

# --- 3. key types and --name ----------------------------------------------------------------
ck_run "${common[@]}" issue -d rsa.test --key-type rsa2048 "${listen[@]}"
ck_expect_rc 0
k="$state/live/rsa.test/privkey.pem"
[[ "$(key_desc "$k")" == *"2048 bit"* && "$(openssl pkey -in "$k" -noout -text)" == *modulus* ]] ||
    ck_fail "--key-type rsa2048 gave: $(key_desc "$k")"
ck_key_matches "$state/live/rsa.test/cert.pem" "$k"
ck_verify_chain "$state/live/rsa.test/cert.pem" "$state/live/rsa.test/chain.pem" "$CK_TMP/root0.pem"

ck_run "${common[@]}" issue -d p384.test --key-type ec-p384 --name custom "${listen[@]}"
ck_expect_rc 0
k="$state/live/custom/privkey.pem"
[[ -L "$state/live/custom" ]] || ck_fail "--name custom did not store under live/custom"
[[ ! -e "$state/live/p384.test" ]] || ck_fail "--name custom also created live/p384.test"
[[ "$(readlink -f "$state/live/custom")" == "$(readlink -f "$state/archive/custom/1")" ]] ||
    ck_fail "live/custom points to $(readlink "$state/live/custom")"
[[ "$(key_desc "$k")" == *secp384r1* ]] || ck_fail "--key-type ec-p384 gave: $(key_desc "$k")"
ck_key_matches "$state/live/custom/cert.pem" "$k"
[[ "$(ck_cert_names "$state/live/custom/cert.pem")" == p384.test ]] || ck_fail "live/custom has the wrong names"
ck_expect_out_contains "$state/live/custom/fullchain.pem"
ck_assert_port_free "$CK_HTTP_PORT"

# --- 4. an IP identifier (RFC 8738): an IP SAN, validated over HTTP-01 ------------------------
ck_run "${common[@]}" issue -d 127.0.0.1 -d ip.test "${listen[@]}"
ck_expect_rc 0
ip_sans=$(openssl x509 -in "$state/live/127.0.0.1/cert.pem" -noout -ext subjectAltName 2>/dev/null)
grep -q 'IP Address:127.0.0.1' <<<"$ip_sans" || ck_fail "no IP SAN 127.0.0.1 in: $ip_sans"
grep -q 'DNS:ip.test' <<<"$ip_sans" || ck_fail "no DNS SAN ip.test in: $ip_sans"
ck_verify_chain "$state/live/127.0.0.1/cert.pem" "$state/live/127.0.0.1/chain.pem" "$CK_TMP/root0.pem"
ck_log "ok"
