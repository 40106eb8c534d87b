#!/usr/bin/env bash
# Issuance with --webroot: certkeep writes the HTTP-01 responses into a directory that nginx
# serves on the port Pebble validates. Proves the certificate verifies, that certkeep leaves the
# webroot as it found it (no token files, no directories it created), and that when the web
# server does not serve that directory the run fails with exit 6 naming the domain and the
# token file it wrote is removed anyway.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
ck_start_pebble
ck_pebble_roots >/dev/null

www="$CK_TMP/www"
mkdir -p "$www"
echo hello >"$www/index.html"
ck_start_static_server "$www"
state="$CK_TMP/state"
common=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state"
    --agree-tos --email t@example.com)

# --- success: 2 names through nginx ---------------------------------------------------------
www_before=$(ck_tree_hash "$www")
ck_run "${common[@]}" issue -d a.test -d www.a.test --webroot "$www"
ck_expect_rc 0
live="$state/live/a.test"
ck_verify_chain "$live/cert.pem" "$live/chain.pem" "$CK_TMP/root0.pem"
ck_key_matches "$live/cert.pem" "$live/privkey.pem"
names=$(ck_cert_names "$live/cert.pem")
[[ "$names" == $'a.test\nwww.a.test' ]] || ck_fail "SAN names are [$names], expected a.test www.a.test"
# nginx really served the challenges (so the webroot path was used, not some other responder).
grep -q 'GET /.well-known/acme-challenge/[A-Za-z0-9_-]* HTTP/1.1" 200' "$(dirname "$CK_STATIC_LOG")/access.log" ||
    ck_fail "nginx never served a challenge response with status 200"
[[ ! -e "$www/.well-known" ]] || ck_fail "certkeep left $(find "$www/.well-known")"
[[ "$(ck_tree_hash "$www")" == "$www_before" ]] || ck_fail "the webroot was not left as it was"

# Same again with a pre-existing .well-known/acme-challenge: certkeep must keep those dirs
# (it did not create them) and remove only its token files.
mkdir -p "$www/.well-known/acme-challenge"
echo keep >"$www/.well-known/acme-challenge/unrelated.txt"
www_before=$(ck_tree_hash "$www")
ck_run "${common[@]}" issue -d a.test -d www.a.test --webroot "$www"
ck_expect_rc 0
[[ "$(readlink "$live")" == *archive/a.test/2 ]] || ck_fail "live/a.test points to $(readlink "$live")"
[[ "$(ck_tree_hash "$www")" == "$www_before" ]] ||
    ck_fail "the webroot changed: $(find "$www/.well-known" -printf '%p ')"

# --- failure: the webroot is not what nginx serves ------------------------------------------
# nginx serves $www, certkeep writes under $other. While nginx is stopped (SIGSTOP) Pebble's
# validation request hangs, so the test can see the token file certkeep wrote; after SIGCONT
# nginx answers 404 and validation fails.
other="$CK_TMP/other"
mkdir -p "$other"
# The store (accounts, archive, live) must not change; a lock file for the name may remain.
store_hash() { ck_tree_hash "$state/accounts"; ck_tree_hash "$state/archive"; ck_tree_hash "$state/live"; }
state_before=$(store_hash)
mapfile -t nginx_pids < <(pgrep -P "$CK_STATIC_PID" || true) # its worker(s)
kill -STOP "$CK_STATIC_PID" "${nginx_pids[@]}"
ck_defer "kill -CONT $CK_STATIC_PID ${nginx_pids[*]} 2>/dev/null"
ck_run_bg "${common[@]}" issue -d unserved.test --webroot "$other"
bg=$CK_BG_PID
token_file() { find "$other/.well-known/acme-challenge" -type f -name '*' 2>/dev/null | grep -q .; }
ck_wait_until "certkeep writes the token file under $other" "$bg" token_file
token=$(find "$other/.well-known/acme-challenge" -type f -printf '%f\n')
[[ "$token" =~ ^[A-Za-z0-9_-]+$ ]] || ck_fail "unexpected token file name(s): $token"
kill -CONT "$CK_STATIC_PID" "${nginx_pids[@]}"
rc=0
wait "$bg" || rc=$?
err=$(cat "$CK_BG_ERR")
[[ "$rc" == 6 ]] || ck_fail "unserved webroot: expected exit 6, got $rc; stderr: $err"
grep -q 'unserved.test' <<<"$err" || ck_fail "error does not name the domain: $err"
[[ "$(grep -c . <<<"$err")" == 1 && "$err" == "certkeep: error: "* ]] ||
    ck_fail "error is not one 'certkeep: error:' line: $err"
[[ ! -e "$other/.well-known/acme-challenge/$token" ]] || ck_fail "token file $token was left behind"
[[ ! -e "$other/.well-known" ]] || ck_fail "certkeep left $(find "$other/.well-known")"
[[ "$(store_hash)" == "$state_before" ]] || ck_fail "the failed run changed the store"
ck_log "ok"
