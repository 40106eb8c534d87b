#!/usr/bin/env bash
# ck-slow: its request budget is a property of the optimised build, not of the sanitizer one
# The account commands: register (prints the account URL, key 0600), registering again finds the
# same account, show prints URL, status, contact and the RFC 7638 JWK thumbprint (checked against
# one computed here from the stored account key), show without an account exits 3 pointing at
# `account register`; es384 and rs256 account keys register and issue. Also the documented
# request budget: a second issuance with a known account takes at most 9 ACME requests
# (no nonce rejection, no authorization reuse, so every step is really done).
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
CK_NONCEREJECT=0 ck_start_pebble PEBBLE_AUTHZREUSE=0
ck_pebble_roots >/dev/null
srv=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE")
listen=(--http-listen "127.0.0.1:$CK_HTTP_PORT")

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
# Hex text to bytes, with coreutils only (basenc is in coreutils; xxd is not in a minimal system).
unhex() { tr 'a-f' 'A-F' | basenc --base16 -d; }
# Prints the RFC 7638 thumbprint of the public key of private key file $1 (EC P-256/P-384, RSA).
thumbprint() {
    local key=$1 text jwk n e len
    text=$(openssl pkey -in "$key" -noout -text)
    if grep -q 'ASN1 OID' <<<"$text"; then
        local crv=P-256
        len=32
        grep -q secp384r1 <<<"$text" && { crv=P-384; len=48; }
        local xy x y
        xy=$(openssl pkey -in "$key" -pubout -outform DER | tail -c $((2 * len)) | basenc --base16 -w0)
        x=$(printf '%s' "${xy:0:$((2 * len))}" | unhex | b64url)
        y=$(printf '%s' "${xy:$((2 * len))}" | unhex | b64url)
        jwk=$(printf '{"crv":"%s","kty":"EC","x":"%s","y":"%s"}' "$crv" "$x" "$y")
    else
        n=$(openssl rsa -in "$key" -noout -modulus 2>/dev/null | cut -d= -f2 | unhex | b64url)
        e=$(printf '%x' "$(sed -n 's/^publicExponent: \([0-9]*\).*/\1/p' <<<"$text")")
        ((${#e} % 2 == 0)) || e="0$e"
        e=$(printf '%s' "$e" | unhex | b64url)
        jwk=$(printf '{"e":"%s","kty":"RSA","n":"%s"}' "$e" "$n")
    fi
    printf '%s' "$jwk" | openssl dgst -sha256 -binary | b64url
}

# --- register, register again, show ----------------------------------------------------------
state="$CK_TMP/state"
ck_run "${srv[@]}" --state-dir "$state" --agree-tos --email t@example.com account register
ck_expect_rc 0
url=$(grep -m1 -oE 'https://[^ ]*/my-account/[A-Za-z0-9_-]+' <<<"$CK_OUT" || true)
[[ -n "$url" ]] || { ck_show_run; ck_fail "account register does not print the account URL"; }
json=$(ck_account_json "$state")
ck_assert_file_mode "$json" 600
key="$CK_TMP/account-key.pem" # the stored key, extracted for openssl
ck_account_key_pem "$json" >"$key"
grep -q 'BEGIN PRIVATE KEY' "$key" || ck_fail "no account key in $json"
[[ "$(grep -c 'POST /sign-me-up' "$CK_PEBBLE_LOG")" -ge 1 ]] || ck_fail "Pebble saw no newAccount request"
key_hash=$(ck_account_key_pem "$json" | sha256sum)

ck_run "${srv[@]}" --state-dir "$state" --agree-tos --email t@example.com account register
ck_expect_rc 0
grep -qi 'already' <<<"$CK_OUT$CK_ERR" || { ck_show_run; ck_fail "second register does not say already registered"; }
ck_expect_out_contains "$url"
[[ "$(ck_account_key_pem "$json" | sha256sum)" == "$key_hash" ]] || ck_fail "second register replaced the account key"

# A key whose URL was lost (a crash after the key was written, before newAccount answered):
# register finds the account by its key (onlyReturnExisting) instead of creating one, and stores
# the URL again.
sed -i 's/^\( *"url": *\)".*"\(,\{0,1\}\)$/\1""\2/' "$json"
[[ -z "$(ck_account_url "$json")" ]] || ck_fail "test set-up: could not blank the stored URL"
ck_run "${srv[@]}" --state-dir "$state" --agree-tos account register
ck_expect_rc 0
grep -qi 'found the account' <<<"$CK_OUT" || { ck_show_run; ck_fail "register with a known key did not find its account"; }
ck_expect_out_contains "$url"
[[ "$(ck_account_url "$json")" == "$url" ]] || ck_fail "the recovered account URL was not stored again"
[[ "$(ck_account_key_pem "$json" | sha256sum)" == "$key_hash" ]] || ck_fail "recovery replaced the account key"

ck_run "${srv[@]}" --state-dir "$state" account show
ck_expect_rc 0
ck_expect_out_contains "$url"
grep -qiE 'status[^a-z]*valid' <<<"$CK_OUT" || { ck_show_run; ck_fail "account show does not say status valid"; }
ck_expect_out_contains "mailto:t@example.com"
tp=$(thumbprint "$key")
[[ ${#tp} == 43 ]] || ck_fail "could not compute the thumbprint of $key here: [$tp]"
ck_expect_out_contains "$tp"

# --- show on an empty state dir ---------------------------------------------------------------
ck_run "${srv[@]}" --state-dir "$CK_TMP/empty" account show
ck_expect_rc 3
ck_expect_err_contains "account register"
[[ "$(grep -c . <<<"$CK_ERR")" == 1 ]] || { ck_show_run; ck_fail "error is not one line"; }
[[ ! -e "$CK_TMP/empty" ]] || ck_fail "account show created the state dir"

# --- request budget: second issuance with a known account -------------------------------------
ck_run "${srv[@]}" --state-dir "$state" issue -d first.test "${listen[@]}"
ck_expect_rc 0
before=$(ck_count_requests '')
ck_run "${srv[@]}" --state-dir "$state" issue -d second.test "${listen[@]}"
ck_expect_rc 0
after=$(ck_count_requests '')
reqs=$((after - before))
ck_log "second issuance: $reqs ACME requests"
((reqs <= 9)) || ck_fail "second issuance with a known account took $reqs ACME requests (target <= 9): $(
    sed -n 's/^Pebble [0-9/]* [0-9:]* \([A-Z]* [^ ]*\) -> calling handler()$/\1/p' "$CK_PEBBLE_LOG" | tail -n "$reqs" | tr '\n' ',')"
# One newAccount to register, then one onlyReturnExisting lookup each by the second register
# (it asks the CA) and by the register that recovered the lost URL; none by issue since.
(($(ck_count_requests '^POST /sign-me-up$') == 3)) || ck_fail "the known account was registered again"

# --- other account key types ------------------------------------------------------------------
for kt in es384 rs256; do
    s="$CK_TMP/state-$kt"
    ck_run "${srv[@]}" --state-dir "$s" --account-key-type "$kt" --agree-tos --email "$kt@example.com" account register
    ck_expect_rc 0
    kj=$(ck_account_json "$s")
    ck_assert_file_mode "$kj" 600
    k="$CK_TMP/account-$kt.pem"
    ck_account_key_pem "$kj" >"$k"
    text=$(openssl pkey -in "$k" -noout -text)
    case $kt in
    es384) grep -q secp384r1 <<<"$text" || ck_fail "es384 account key is not P-384" ;;
    rs256) grep -qE 'Private-Key: \((2048|3072|4096) bit' <<<"$text" || ck_fail "rs256 account key is not RSA" ;;
    esac
    ck_run "${srv[@]}" --state-dir "$s" account show
    ck_expect_rc 0
    tp=$(thumbprint "$k")
    [[ ${#tp} == 43 ]] || ck_fail "could not compute the thumbprint of $k here: [$tp]"
    ck_expect_out_contains "$tp"
    ck_run "${srv[@]}" --state-dir "$s" issue -d "$kt.test" "${listen[@]}"
    ck_expect_rc 0
    ck_verify_chain "$s/live/$kt.test/cert.pem" "$s/live/$kt.test/chain.pem" "$CK_TMP/root0.pem"
done
(($(ck_count_requests '^POST /sign-me-up$') == 5)) || ck_fail "expected 5 newAccount requests in all (3 registrations, 2 lookups)"
ck_log "ok"
