#!/usr/bin/env bash
# key-group / key-mode: a service that does not run as root reads the private key through its
# group. `issue --key-group nogroup --key-mode 0640` leaves the live privkey.pem group nogroup,
# mode 0640, readable by a process running as nobody:nogroup (through the directories above it)
# and not by one in another group; the account keys stay unreadable to it. A `renew --force`
# makes a new key with the same group and mode. A mode giving others access is refused (exit 2)
# before any order.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
((EUID == 0)) || { ck_log "skipped: needs root (chown to another group, setpriv)"; exit 0; }
if ! getent group nogroup >/dev/null || ! id nobody >/dev/null 2>&1; then
    ck_log "skipped: no nobody user or nogroup group"
    exit 0
fi
ck_start_pebble PEBBLE_AUTHZREUSE=0
# The state dir sits in $CK_TMP: let other users search (not list) it, as /var/lib is.
chmod 0711 "$CK_TMP"
state="$CK_TMP/state"
common=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state" --agree-tos)
listen=(--http-listen "127.0.0.1:$CK_HTTP_PORT")
key="$state/live/a.test/privkey.pem"
# Runs ARGS as nobody with only group G (numeric or name), no supplementary groups.
as_nobody() {
    local g=$1
    shift
    setpriv --reuid=nobody --regid="$g" --clear-groups -- "$@"
}
check_key_access() {
    [[ "$(stat -L -c %G "$key")" == nogroup ]] || ck_fail "$key is group $(stat -L -c %G "$key"), expected nogroup"
    ck_assert_file_mode "$(readlink -f "$key")" 640
    ck_key_matches "$state/live/a.test/cert.pem" "$key"
    local got
    got=$(as_nobody nogroup cat "$key" 2>&1) || ck_fail "nobody:nogroup cannot read the key: $got"
    [[ "$got" == "$(cat "$key")" ]] || ck_fail "nobody:nogroup read something else than the key"
    as_nobody nogroup cat "$state/live/a.test/fullchain.pem" >/dev/null 2>&1 ||
        ck_fail "nobody:nogroup cannot read the fullchain next to the key"
    # Another group gets nothing: the access is the group's, not the world's.
    if as_nobody daemon cat "$key" >/dev/null 2>&1; then
        ck_fail "nobody in group daemon can read the key"
    fi
    # The account key and the renewal records stay root's.
    local f
    for f in "$(ck_account_json "$state")" "$state/accounts"; do
        if as_nobody nogroup ls "$f" >/dev/null 2>&1; then
            ck_fail "nobody:nogroup can read $f"
        fi
    done
    if as_nobody nogroup ls "$state/state/a.test" >/dev/null 2>&1; then
        ck_fail "nobody:nogroup can list $state/state/a.test"
    fi
}

# --- 1. issue with a key group ------------------------------------------------------------------
ck_run "${common[@]}" issue -d a.test "${listen[@]}" --key-group nogroup --key-mode 0640
ck_expect_rc 0
check_key_access
old_key=$(ck_pubkey "$key")

# --- 2. renew --force: a new key, same group and mode -------------------------------------------
ck_run --state-dir "$state" --ca-bundle "$CK_CA_BUNDLE" renew --force
ck_expect_rc 0
ck_expect_out_contains "renewed   a.test (version 2)"
[[ "$(ck_pubkey "$key")" != "$old_key" ]] || ck_fail "renew kept the old key (reuse-key is not set)"
check_key_access

# --- 3. a mode giving others access is refused before any order ----------------------------------
before=$(ck_count_requests '^POST /order-plz')
ck_run "${common[@]}" issue -d b.test "${listen[@]}" --key-group nogroup --key-mode 0644
ck_expect_rc 2
ck_expect_err_contains "0644"
[[ $(ck_count_requests '^POST /order-plz') == "$before" ]] || ck_fail "an order was placed for a refused key-mode"
[[ ! -e "$state/live/b.test" ]] || ck_fail "a certificate was stored with key-mode 0644"
ck_log "ok"
