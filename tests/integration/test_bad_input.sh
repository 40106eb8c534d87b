#!/usr/bin/env bash
# Wrong input and unusable environments: each case must fail with ONE "certkeep: error:" line
# that names the problem, the documented exit code (2 usage, 3 local, 4 network/TLS), and write
# NOTHING: a fresh --state-dir must not exist afterwards, and an existing store (with an account
# and a certificate) must be left exactly as it was.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
ck_start_pebble
srv=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE")
listen=(--http-listen "127.0.0.1:$CK_HTTP_PORT")

# A store that already has an account and a certificate.
existing="$CK_TMP/existing"
ck_run "${srv[@]}" --state-dir "$existing" --agree-tos --email t@example.com issue -d have.test "${listen[@]}"
ck_expect_rc 0
existing_hash=$(ck_tree_hash "$existing")

# A check that fails because of a known certkeep bug is recorded here so the rest of the test
# still runs; the test fails at the end while any is left.
bugs=0
bug() { printf '[ck] BUG: %s\n' "$*" >&2; bugs=$((bugs + 1)); }

n=0
# check RC TEXT [--existing] ARGS...: runs certkeep ARGS --state-dir DIR with a fresh DIR (and,
# with --existing, with the existing store too: for cases that get past the option checks).
# Checks exit RC, one error line containing TEXT (fixed string, case-insensitive), nothing on
# stdout, and nothing written: the fresh DIR must not exist afterwards; the existing store's hash
# is compared once at the end (hashing is slow, and any write would still show there).
check() {
    local rc=$1 text=$2 existing_too=false dir
    shift 2
    if [[ "$1" == --existing ]]; then existing_too=true; shift; fi
    n=$((n + 1))
    dir="$CK_TMP/fresh-$n"
    ck_run --state-dir "$dir" "$@"
    expect_error "$rc" "$text" "$*"
    [[ ! -e "$dir" ]] || ck_fail "case '$*' created $(find "$dir" | tr '\n' ' ')"
    $existing_too || return 0
    ck_run --state-dir "$existing" "$@"
    expect_error "$rc" "$text" "$* (existing store)"
}
expect_error() {
    local rc=$1 text=$2 what=$3
    [[ "$CK_RC" == "$rc" ]] || { ck_show_run; ck_fail "case '$what': exit $CK_RC, expected $rc"; }
    [[ "$(grep -c . <<<"$CK_ERR")" == 1 && "$CK_ERR" == "certkeep: error: "* ]] ||
        { ck_show_run; ck_fail "case '$what': stderr is not one 'certkeep: error:' line"; }
    grep -qiF -- "$text" <<<"$CK_ERR" || { ck_show_run; ck_fail "case '$what': error does not mention '$text'"; }
    [[ -z "$CK_OUT" ]] || { ck_show_run; ck_fail "case '$what': printed on stdout"; }
}

# --- usage errors (2) -------------------------------------------------------------------------
for d in 'bad_domain!.com' '-a.example.com' 'a..example.com'; do
    check 2 "$d" --existing "${srv[@]}" --agree-tos issue -d "$d" "${listen[@]}"
done
check 2 'dns-01' --existing "${srv[@]}" --agree-tos issue -d '*.example.com' "${listen[@]}"
check 2 'ec-p256' --existing "${srv[@]}" --agree-tos issue -d ok.test --key-type dsa1024 "${listen[@]}"
# The unknown key type message lists all valid types.
for t in ec-p256 ec-p384 rsa2048 rsa3072 rsa4096; do
    grep -qF -- "$t" <<<"$CK_ERR" || { ck_show_run; ck_fail "unknown key type error does not list $t"; }
done
check 2 'domain' "${srv[@]}" --agree-tos issue "${listen[@]}"
check 2 'frobnicate' "${srv[@]}" --agree-tos frobnicate
check 2 '--no-such-option' "${srv[@]}" --agree-tos issue -d ok.test --no-such-option "${listen[@]}"
check 2 'webroot' "${srv[@]}" --agree-tos issue -d ok.test "${listen[@]}" --webroot "$CK_TMP"
check 2 '--agree-tos' "${srv[@]}" --email t@example.com issue -d ok.test "${listen[@]}"
check 2 'not-a-url' --server not-a-url --ca-bundle "$CK_CA_BUNDLE" --agree-tos issue -d ok.test "${listen[@]}"

# Certificate names that would escape or hide in the store, or an explicitly empty one.
for name in ../evil a/b .hidden 'x y'; do
    check 2 "$name" --existing "${srv[@]}" --agree-tos issue -d ok.test --name "$name" "${listen[@]}"
done
# An empty --name (say, from an unset variable) must not silently fall back to the first domain.
ck_run --state-dir "$CK_TMP/fresh-empty-name" "${srv[@]}" --agree-tos issue -d ok.test --name '' "${listen[@]}"
[[ "$CK_RC" == 2 && ! -e "$CK_TMP/fresh-empty-name" ]] ||
    bug "--name '' exits $CK_RC and stores a certificate, expected exit 2 (invalid certificate name) and nothing written"

# --- local problems (3) ------------------------------------------------------------------------
check 3 "$CK_TMP/no-such-dir" --existing "${srv[@]}" --agree-tos issue -d ok.test --webroot "$CK_TMP/no-such-dir"
check 3 "$CK_TMP/no-such-ca.pem" --existing --server "$CK_DIR_URL" --ca-bundle "$CK_TMP/no-such-ca.pem" \
    --agree-tos issue -d ok.test "${listen[@]}"
# Port in use: nginx holds a free port; the error names the address.
busy=$(ck_free_port)
mkdir -p "$CK_TMP/www"
ck_start_static_server "$CK_TMP/www" "$busy"
check 3 "127.0.0.1:$busy" --existing "${srv[@]}" --agree-tos issue -d ok.test --http-listen "127.0.0.1:$busy"
ck_http_answers "http://127.0.0.1:$busy/" || ck_fail "nginx on the busy port was disturbed"

# --- network / TLS (4) -------------------------------------------------------------------------
dead=$(ck_free_port)
check 4 "127.0.0.1:$dead" --existing --server "https://127.0.0.1:$dead/dir" --ca-bundle "$CK_CA_BUNDLE" \
    --agree-tos issue -d ok.test "${listen[@]}"
# A CA bundle from another (throwaway) CA does not verify Pebble's TLS certificate.
ck_make_tls_identity "$CK_TMP/other-ca"
check 4 '--ca-bundle' --existing --server "$CK_DIR_URL" --ca-bundle "$CK_TMP/other-ca/ca.pem" \
    --agree-tos issue -d ok.test "${listen[@]}"

[[ "$(ck_tree_hash "$existing")" == "$existing_hash" ]] ||
    ck_fail "one of the failing cases changed the existing store"

# --- help ----------------------------------------------------------------------------------------
ck_run --help
ck_expect_rc 0
grep -qE '^ *issue' <<<"$CK_OUT" || { ck_show_run; ck_fail "--help does not list the issue command"; }
((bugs == 0)) || ck_fail "$bugs check(s) failed on certkeep bugs (BUG lines above)"
ck_log "ok ($n cases)"
