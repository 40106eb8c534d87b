#!/usr/bin/env bash
# ck-slow: timing and kill tests; left out of the sanitizer run (scripts/test)
# (a) Two `issue` runs for the same --name at the same time (both --webroot, nginx serving it on
#     the port Pebble validates): both succeed (one waits for the other's lock), and the store
#     ends consistent: two complete archive versions, live on the highest.
# (b) A run killed with SIGKILL in the middle (while Pebble's validation request hangs because
#     nginx is stopped): the previous live version is untouched, no half-written version is
#     live, the lock is not left held, and a later run succeeds.
#     The next run removes the token file the killed run left in the webroot (recorded in the
#     store before it was written), but not another client's token file beside it.
# (c) A run stopped with SIGTERM (systemd stop) or SIGINT (Ctrl-C) at the same point exits
#     128+signal and, unlike after SIGKILL, removes the token file and the directories it made
#     in the webroot.
# (d) A temporary version directory (with a private key) that a dead process left in the
#     archive is removed by the next run.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
ck_start_pebble
ck_pebble_roots >/dev/null
www="$CK_TMP/www"
mkdir -p "$www"
ck_start_static_server "$www"
state="$CK_TMP/state"
common=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state"
    --agree-tos --email t@example.com)

# Fails unless archive/site/$1 is a complete, self-consistent version.
version_complete() {
    local v="$state/archive/site/$1" f
    for f in cert chain fullchain privkey; do
        [[ -s "$v/$f.pem" ]] || ck_fail "archive/site/$1/$f.pem missing or empty"
    done
    [[ -s "$v/meta.json" ]] || ck_fail "archive/site/$1/meta.json missing"
    ck_assert_file_mode "$v/privkey.pem" 600
    ck_key_matches "$v/cert.pem" "$v/privkey.pem"
    ck_verify_chain "$v/cert.pem" "$v/chain.pem" "$CK_TMP/root0.pem"
    [[ "$(cat "$v/cert.pem" "$v/chain.pem")" == "$(cat "$v/fullchain.pem")" ]] ||
        ck_fail "archive/site/$1/fullchain.pem is not cert + chain"
}
# Prints the version numbers under archive/site, sorted.
versions() { find "$state/archive/site" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n | tr '\n' ' '; }

# --- (a) two runs at once ----------------------------------------------------------------------
# The account is made first so both runs race on the certificate, not on account creation.
ck_run "${common[@]}" account register
ck_expect_rc 0
ck_run_bg "${common[@]}" issue --name site -d one.test --webroot "$www" --replace-names
pid1=$CK_BG_PID err1=$CK_BG_ERR
ck_run_bg "${common[@]}" issue --name site -d one.test -d two.test --webroot "$www" --replace-names
pid2=$CK_BG_PID err2=$CK_BG_ERR
rc1=0 rc2=0
wait "$pid1" || rc1=$?
wait "$pid2" || rc2=$?
[[ "$rc1" == 0 ]] || ck_fail "first concurrent run: exit $rc1: $(cat "$err1")"
[[ "$rc2" == 0 ]] || ck_fail "second concurrent run: exit $rc2: $(cat "$err2")"
[[ "$(versions)" == "1 2 " ]] || ck_fail "archive/site holds versions [$(versions)], expected 1 2"
version_complete 1
version_complete 2
[[ "$(readlink -f "$state/live/site")" == "$(readlink -f "$state/archive/site/2")" ]] ||
    ck_fail "live/site points to $(readlink "$state/live/site"), expected the highest version 2"
[[ -z "$(find "$www" -path '*acme-challenge*' -type f)" ]] || ck_fail "token files left in the webroot"

# --- (b) SIGKILL in the middle of a run --------------------------------------------------------
live_before=$(readlink "$state/live/site")
archive_before=$(ck_tree_hash "$state/archive")
accounts_before=$(ck_tree_hash "$state/accounts")
mapfile -t nginx_pids < <(pgrep -P "$CK_STATIC_PID" || true) # its worker(s)
kill -STOP "$CK_STATIC_PID" "${nginx_pids[@]}"
ck_defer "kill -CONT $CK_STATIC_PID ${nginx_pids[*]} 2>/dev/null"
ck_run_bg "${common[@]}" issue --name site -d one.test -d three.test --webroot "$www" --replace-names
victim=$CK_BG_PID
# Wait until the token is published and Pebble is trying to fetch it (the fetch hangs).
validating() {
    find "$www" -path '*acme-challenge*' -type f | grep -q . &&
        grep -q 'Attempting to validate w/ HTTP: http://three.test' "$CK_PEBBLE_LOG"
}
ck_wait_until "certkeep reaches HTTP-01 validation" "$victim" validating
kill -KILL "$victim"
wait "$victim" 2>/dev/null || true
kill -CONT "$CK_STATIC_PID" "${nginx_pids[@]}"
mapfile -t leftover < <(find "$www" -path '*acme-challenge*' -type f)
((${#leftover[@]} > 0)) || ck_fail "test set-up: the killed run left no token file"
# Another ACME client's live token in the same directory must survive our clean-up.
foreign="$www/.well-known/acme-challenge/other-client-token-AAAAAAAAAAAAAAAAAAAAAA"
echo 'other client' >"$foreign"

[[ "$(readlink "$state/live/site")" == "$live_before" ]] ||
    ck_fail "live/site moved from $live_before to $(readlink "$state/live/site") after the killed run"
[[ "$(ck_tree_hash "$state/archive")" == "$archive_before" ]] || ck_fail "the killed run changed the archive"
[[ "$(ck_tree_hash "$state/accounts")" == "$accounts_before" ]] || ck_fail "the killed run changed the account"
version_complete 2

# A later run must not be blocked by the dead run's lock, and must produce version 3.
start=$SECONDS
ck_run "${common[@]}" issue --name site -d one.test -d three.test --webroot "$www" --replace-names
ck_expect_rc 0
((SECONDS - start < 30)) || ck_fail "the run after the crash took $((SECONDS - start)) s (stale lock?)"
[[ "$(versions)" == "1 2 3 " ]] || ck_fail "archive/site holds versions [$(versions)], expected 1 2 3"
version_complete 3
[[ "$(readlink -f "$state/live/site")" == "$(readlink -f "$state/archive/site/3")" ]] ||
    ck_fail "live/site points to $(readlink "$state/live/site"), expected version 3"
names=$(ck_cert_names "$state/live/site/cert.pem")
[[ "$names" == $'one.test\nthree.test' ]] || ck_fail "live/site has names [$names]"
for f in "${leftover[@]}"; do
    [[ ! -e "$f" ]] || ck_fail "the token file $f the killed run left is still there"
done
[[ "$(cat "$foreign")" == 'other client' ]] || ck_fail "another client's token file was removed"
rm -f "$foreign"

# --- (c) SIGTERM / SIGINT in the middle of a run ------------------------------------------------
# Started with the default signal disposition (a background job of a script ignores SIGINT).
for sig in TERM INT; do
    www2="$CK_TMP/www-$sig"
    mkdir -p "$www2"
    echo keep >"$www2/index.html"
    www2_before=$(ck_tree_hash "$www2")
    kill -STOP "$CK_STATIC_PID" "${nginx_pids[@]}"
    # Nothing serves $www2, and nginx is stopped: Pebble's fetch hangs, the run waits.
    env --default-signal="$sig" "$CERTKEEP_BIN" "${common[@]}" issue --name "sig-$sig" \
        -d "sig-$sig.test" --webroot "$www2" >"$CK_TMP/sig-$sig.out" 2>"$CK_TMP/sig-$sig.err" </dev/null &
    victim=$!
    ck_track_pid "$victim"
    validating() {
        find "$www2" -path '*acme-challenge*' -type f | grep -q . &&
            grep -qi "Attempting to validate w/ HTTP: http://sig-$sig.test" "$CK_PEBBLE_LOG"
    }
    ck_wait_until "certkeep reaches HTTP-01 validation" "$victim" validating
    kill -"$sig" "$victim"
    # Exited (or a zombie) = the signal stopped it, not the end of the hanging validation.
    gone() { [[ ! -e "/proc/$victim" ]] || grep -qE '^[0-9]+ \(.*\) Z' "/proc/$victim/stat"; }
    ck_wait_until "certkeep stops on SIG$sig" '' gone
    rc=0
    wait "$victim" || rc=$?
    kill -CONT "$CK_STATIC_PID" "${nginx_pids[@]}"
    want=$((128 + $(kill -l "$sig")))
    [[ "$rc" == "$want" ]] || ck_fail "SIG$sig: exit $rc, expected $want: $(cat "$CK_TMP/sig-$sig.err")"
    [[ ! -e "$state/live/sig-$sig" ]] || ck_fail "SIG$sig: a certificate was stored"
    [[ "$(ck_tree_hash "$www2")" == "$www2_before" ]] ||
        ck_fail "SIG$sig mid-run (exit $rc) leaves in the webroot: $(find "$www2/.well-known" 2>/dev/null | tr '\n' ' ')"
    grep -q "interrupted by SIG$sig" "$CK_TMP/sig-$sig.err" ||
        ck_fail "SIG$sig: no one-line note on stderr: $(cat "$CK_TMP/sig-$sig.err")"
done

# --- (d) a dead process's temporary version is removed ----------------------------------------
sleep 30 &
dead=$!
kill "$dead"
wait "$dead" 2>/dev/null || true
tmpv="$state/archive/site/.tmp-9-$dead"
mkdir -p "$tmpv"
echo 'secret' >"$tmpv/privkey.pem"
ck_run "${common[@]}" issue --name site -d one.test -d three.test --webroot "$www"
ck_expect_rc 0
[[ ! -e "$tmpv" ]] || ck_fail "a dead process's temporary version (with a key) is still in the archive"
ck_log "ok"
