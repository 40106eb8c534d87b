#!/usr/bin/env bash
# Self-test of lib.sh without certkeep: lego (Debian's 4.9.1) is the ACME client.
# Checks ck_start_pebble (plain and --eab), ck_pebble_roots, ck_verify_chain, ck_cert_names,
# ck_key_matches, ck_count_requests, ck_tree_hash, ck_free_port, ck_start_static_server and ck_run.
# Run: bash tests/integration/harness_selftest.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
source "$here/lib.sh"
command -v lego >/dev/null || { echo "SKIP: lego is not installed (scripts/deps --bench)"; exit 77; }
ck_setup

# ck_free_port: distinct ports, also across subshells.
ports=$(for _ in 1 2 3 4 5 6 7 8; do ck_free_port; done)
[[ $(sort -u <<<"$ports" | wc -l) == 8 ]] || ck_fail "ck_free_port handed out a port twice"

# lego_issue NAME [extra lego args...]: issues a certificate for NAME into $CK_TMP/lego-NAME.
lego_issue() {
    local name=$1
    shift
    LEGO_CA_CERTIFICATES=$CK_CA_BUNDLE timeout 120 lego --server "$CK_DIR_URL" --accept-tos \
        --email selftest@example.com --key-type ec256 --http --http.port "127.0.0.1:$CK_HTTP_PORT" \
        --path "$CK_TMP/lego-$name" -d "$name" "$@" run >"$CK_TMP/lego-$name.log" 2>&1 ||
        { cat "$CK_TMP/lego-$name.log" >&2; ck_fail "lego could not issue $name"; }
}

# check_issued NAME: the chain verifies against Pebble's root, names and key match.
check_issued() {
    local name=$1 certs="$CK_TMP/lego-$1/certificates" root="$CK_TMP/root0.pem"
    ck_pebble_roots >/dev/null
    ck_verify_chain "$certs/$name.crt" "$certs/$name.issuer.crt" "$root"
    ck_verify_chain "$certs/$name.crt" "$certs/$name.crt" "$root" # lego's .crt is a full chain
    [[ "$(ck_cert_names "$certs/$name.crt")" == "$name" ]] || ck_fail "wrong names in $name.crt"
    ck_key_matches "$certs/$name.crt" "$certs/$name.key"
}

# 1. Plain Pebble, with a nonce rejection rate so lego's badNonce retry is exercised.
ck_start_pebble PEBBLE_AUTHZREUSE=0
before=$(ck_count_requests '')
lego_issue test.example
check_issued test.example
orders=$(ck_count_requests '^POST /order-plz$')
total=$(($(ck_count_requests '') - before))
[[ "$orders" -ge 1 && "$total" -ge 8 ]] || ck_fail "request counts look wrong: orders=$orders total=$total"
echo "ok - lego issued test.example via Pebble ($total ACME requests, $orders new-order)"

# A wrong root must not verify (run the assertion in a subshell: ck_fail exits it).
other="$CK_TMP/other-ca"
ck_make_tls_identity "$other"
if (ck_verify_chain "$CK_TMP/lego-test.example/certificates/test.example.crt" '' "$other/ca.pem") 2>/dev/null; then
    ck_fail "ck_verify_chain accepted a wrong root"
fi
if (ck_key_matches "$CK_TMP/lego-test.example/certificates/test.example.crt" "$other/key.pem") 2>/dev/null; then
    ck_fail "ck_key_matches accepted a wrong key"
fi
echo "ok - ck_verify_chain and ck_key_matches reject wrong inputs"

# ck_tree_hash: stable, sensitive to content and mode.
h1=$(ck_tree_hash "$CK_TMP/lego-test.example")
[[ "$h1" == "$(ck_tree_hash "$CK_TMP/lego-test.example")" ]] || ck_fail "ck_tree_hash is not stable"
chmod 640 "$CK_TMP/lego-test.example/certificates/test.example.key"
[[ "$h1" != "$(ck_tree_hash "$CK_TMP/lego-test.example")" ]] || ck_fail "ck_tree_hash missed a mode change"
ck_assert_file_mode "$CK_TMP/lego-test.example/certificates/test.example.key" 640
echo "ok - ck_tree_hash and ck_assert_file_mode"

# 2. A second Pebble requiring external account binding, with alternate roots.
ck_start_pebble --eab PEBBLE_ALTERNATE_ROOTS=1
[[ -n "$CK_EAB_KID" && -n "$CK_EAB_HMAC" ]] || ck_fail "--eab did not export CK_EAB_KID/CK_EAB_HMAC"
if LEGO_CA_CERTIFICATES=$CK_CA_BUNDLE timeout 60 lego --server "$CK_DIR_URL" --accept-tos \
    --email noeab@example.com --http --http.port "127.0.0.1:$CK_HTTP_PORT" \
    --path "$CK_TMP/lego-noeab" -d noeab.example run >"$CK_TMP/lego-noeab.log" 2>&1; then
    ck_fail "Pebble with --eab accepted an account without external account binding"
fi
lego_issue eab.example --eab --kid "$CK_EAB_KID" --hmac "$CK_EAB_HMAC"
check_issued eab.example
[[ $(ck_pebble_roots | grep -c '/root[0-9]*\.pem$') == 2 ]] || ck_fail "expected 2 roots with PEBBLE_ALTERNATE_ROOTS=1"
echo "ok - lego issued eab.example with EAB (kid $CK_EAB_KID); 2 roots available"

# 3. nginx serving a directory on a free port.
mkdir -p "$CK_TMP/www/.well-known/acme-challenge"
echo "hello-token" >"$CK_TMP/www/.well-known/acme-challenge/tok"
ck_start_static_server "$CK_TMP/www" "$(ck_free_port)"
body=$(curl -sf -m 5 "http://127.0.0.1:$CK_STATIC_PORT/.well-known/acme-challenge/tok")
[[ "$body" == hello-token ]] || ck_fail "nginx served '$body'"
echo "ok - nginx served a file on port $CK_STATIC_PORT"

# 4. ck_run captures output and exit code without aborting.
CERTKEEP_BIN=/bin/sh
ck_run -c 'echo out; echo err >&2; exit 3'
ck_expect_rc 3
ck_expect_out_contains out
ck_expect_err_contains err
echo "ok - ck_run captured rc=3, stdout and stderr"
echo "harness self-test passed"
