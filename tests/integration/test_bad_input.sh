#!/usr/bin/env bash
# Wrong input and unusable environments: each case must fail with ONE "certkeep: error:" line
# that names the problem, the documented exit code (2 usage, 3 local, 4 network/TLS), and lose
# nothing: a usage error or a local problem found before the store is opened leaves no fresh
# --state-dir behind; a later failure may leave the state directory with locks (and an account),
# never a certificate; an existing store (with an account and a certificate) keeps its
# certificates exactly as they were.
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
existing_hash=$(ck_tree_hash "$existing/archive")


n=0
# check RC TEXT [--existing] [--late] ARGS...: runs certkeep ARGS --state-dir DIR with a fresh DIR
# (and, with --existing, with the existing store too: for cases that get past the option checks).
# --late: the problem shows only after the CA answered, so the state directory may exist.
# Checks exit RC, one error line containing TEXT (fixed string, case-insensitive), nothing on
# stdout, and nothing written: the fresh DIR must not exist afterwards; the existing store's hash
# is compared once at the end (hashing is slow, and any write would still show there).
check() {
    local rc=$1 text=$2 existing_too=false late=false dir
    shift 2
    if [[ "$1" == --existing ]]; then existing_too=true; shift; fi
    if [[ "$1" == --late ]]; then late=true; shift; fi
    n=$((n + 1))
    dir="$CK_TMP/fresh-$n"
    ck_run --state-dir "$dir" "$@"
    expect_error "$rc" "$text" "$*"
    if ! $late && [[ "$rc" == 2 || "$rc" == 3 ]]; then
        [[ ! -e "$dir" ]] || ck_fail "case '$*' created $(find "$dir" | tr '\n' ' ')"
    else
        [[ -z "$(find "$dir" \( -path '*/archive/*' -o -path '*/live/*' \) 2>/dev/null)" ]] ||
            ck_fail "case '$*' stored a certificate: $(find "$dir" | tr '\n' ' ')"
    fi
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
check 2 '--agree-tos' --late "${srv[@]}" --email t@example.com issue -d ok.test "${listen[@]}"
[[ -z "$(find "$CK_TMP/fresh-$n" -name account.json)" ]] || ck_fail "an account was stored without --agree-tos"
check 2 'not-a-url' --server not-a-url --ca-bundle "$CK_CA_BUNDLE" --agree-tos issue -d ok.test "${listen[@]}"
# https only: an http:// server is refused before any request (lego's CVE-2025-54799).
check 2 'https only' --server "${CK_DIR_URL/https:/http:}" --ca-bundle "$CK_CA_BUNDLE" --agree-tos \
    issue -d ok.test "${listen[@]}"
# Port 0 would be a random port the CA cannot know.
check 2 'port 0' "${srv[@]}" --agree-tos issue -d ok.test --http-listen :0
# An invalid --email is refused before any request (not a CA round trip, exit 5).
before=$(ck_count_requests '')
check 2 'email' "${srv[@]}" --agree-tos --email 'ops at example.com' issue -d ok.test "${listen[@]}"
(($(ck_count_requests '') == before)) || ck_fail "an invalid --email reached the CA"
check 2 'top-level label is numeric' "${srv[@]}" --agree-tos issue -d a.123 "${listen[@]}"
# A first -d over 64 characters gets a derived name instead of "invalid certificate name".
long="$(printf 'a%.0s' {1..60}).test"
ck_run --state-dir "$CK_TMP/long" "${srv[@]}" --agree-tos issue -d "$long" "${listen[@]}"
ck_expect_rc 0
[[ -n "$(find "$CK_TMP/long/live" -mindepth 1 -maxdepth 1 -name 'aaaa*')" ]] ||
    ck_fail "no live certificate under a derived name for a 64+ character domain"
# A typo in -d must not replace the live certificate of an existing name.
orders=$(ck_count_requests '^POST /order-plz$')
ck_run "${srv[@]}" --agree-tos --state-dir "$existing" issue --name have.test -d other.test "${listen[@]}"
expect_error 2 'have.test' 'a changed name set without --replace-names'
ck_expect_err_contains 'other.test'
ck_expect_err_contains '--replace-names'
(($(ck_count_requests '^POST /order-plz$') == orders)) || ck_fail "a changed name set still placed an order"


# Certificate names that would escape or hide in the store, or an explicitly empty one.
for name in ../evil a/b .hidden 'x y'; do
    check 2 "$name" --existing "${srv[@]}" --agree-tos issue -d ok.test --name "$name" "${listen[@]}"
done
# An empty --name (say, from an unset variable) must not silently fall back to the first domain.
check 2 '--name' "${srv[@]}" --agree-tos issue -d ok.test --name '' "${listen[@]}"

# --- local problems (3) ------------------------------------------------------------------------
check 3 "$CK_TMP/no-such-dir" --existing "${srv[@]}" --agree-tos issue -d ok.test --webroot "$CK_TMP/no-such-dir"
check 3 "$CK_TMP/no-such-ca.pem" --existing --server "$CK_DIR_URL" --ca-bundle "$CK_TMP/no-such-ca.pem" \
    --agree-tos issue -d ok.test "${listen[@]}"
echo 'not a certificate' >"$CK_TMP/garbage-ca.pem"
check 3 'no readable PEM certificate' --existing --server "$CK_DIR_URL" --ca-bundle "$CK_TMP/garbage-ca.pem" \
    --agree-tos issue -d ok.test "${listen[@]}"
touch "$CK_TMP/a-file"
ck_run --state-dir "$CK_TMP/a-file" "${srv[@]}" --agree-tos issue -d ok.test "${listen[@]}"
expect_error 3 'not a directory' '--state-dir FILE'
# Foreign things where a version or the live link goes are refused before any order.
orders=$(ck_count_requests '^POST /order-plz$')
planted="$CK_TMP/planted"
cp -a "$existing" "$planted"
mkdir -p "$CK_TMP/elsewhere"
ln -s "$CK_TMP/elsewhere" "$planted/archive/evil.test"
ck_run --state-dir "$planted" "${srv[@]}" --agree-tos issue -d evil.test "${listen[@]}"
expect_error 3 'archive/evil.test' 'a symlink at archive/NAME'
[[ -z "$(ls -A "$CK_TMP/elsewhere")" ]] || ck_fail "the run wrote through a planted archive symlink"
echo 'my own file' >"$planted/live/mine.test"
ck_run --state-dir "$planted" "${srv[@]}" --agree-tos issue -d mine.test "${listen[@]}"
expect_error 3 'live/mine.test' 'a regular file at live/NAME'
[[ "$(cat "$planted/live/mine.test")" == 'my own file' ]] || ck_fail "a foreign file at live/NAME was replaced"
(($(ck_count_requests '^POST /order-plz$') == orders)) || ck_fail "a refused store still placed an order"
# An empty account key beside a valid account record: "unreadable", exit 3, never a throwaway key.
broken="$CK_TMP/broken-key"
cp -a "$existing" "$broken"
json=$(ck_account_json "$broken")
sed -i 's/^\( *"key": *\)".*"\(,\{0,1\}\)$/\1""\2/' "$json"
ck_run --state-dir "$broken" "${srv[@]}" --agree-tos issue -d have.test "${listen[@]}"
expect_error 3 'unreadable' 'an empty account key'
# A webroot whose .well-known is a symlink another user planted.
web="$CK_TMP/hostile-www"
mkdir -p "$web" "$CK_TMP/attacker"
ln -s "$CK_TMP/attacker" "$web/.well-known"
chown -h 65534:65534 "$web/.well-known"
check 3 '.well-known' "${srv[@]}" --agree-tos issue -d ok.test --webroot "$web"
[[ -z "$(ls -A "$CK_TMP/attacker")" ]] || ck_fail "the run wrote through a planted webroot symlink"
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

[[ "$(ck_tree_hash "$existing/archive")" == "$existing_hash" ]] ||
    ck_fail "one of the failing cases changed the existing store's certificates"

# --- help ----------------------------------------------------------------------------------------
ck_run --help
ck_expect_rc 0
grep -qE '^ *issue' <<<"$CK_OUT" || { ck_show_run; ck_fail "--help does not list the issue command"; }

# --- output: SIGPIPE is ignored, a failed write to stdout is reported --------------------------
ck_run --state-dir "$existing" "${srv[@]}" --agree-tos issue -d have.test "${listen[@]}" --key-type ec-p384
ck_expect_rc 0
rc=0
"$CERTKEEP_BIN" --state-dir "$existing" "${srv[@]}" issue -d have.test "${listen[@]}" \
    >/dev/full 2>"$CK_TMP/full.err" </dev/null || rc=$?
[[ "$rc" == 3 ]] || ck_fail "stdout on a full device: exit $rc, expected 3: $(cat "$CK_TMP/full.err")"
grep -q 'cannot write to standard output' "$CK_TMP/full.err" || ck_fail "a failed stdout write is not reported"
grep -q 'stored' "$CK_TMP/full.err" || ck_fail "the stdout error does not say the certificate was stored"
rc=0
"$CERTKEEP_BIN" --state-dir "$existing" "${srv[@]}" issue -d have.test "${listen[@]}" \
    2>"$CK_TMP/pipe.err" </dev/null | { exec 0<&-; sleep 0.5; } || rc=${PIPESTATUS[0]}
[[ "$rc" != 141 ]] || ck_fail "certkeep died of SIGPIPE (exit 141) after storing the certificate"
ck_log "ok ($n cases)"
