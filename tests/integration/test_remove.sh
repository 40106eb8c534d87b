#!/usr/bin/env bash
# certkeep remove against Pebble: `remove --name N` stops managing N (renew, even --force, no
# longer renews it) while its live files stay for the server still using them; `--delete` also
# removes its archive (keys included), live link and state; an unknown name exits 2 naming it;
# removing a certificate a config file still declares warns, naming that config file.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
ck_start_pebble PEBBLE_AUTHZREUSE=0
state="$CK_TMP/state"
common=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state" --agree-tos)
listen=(--http-listen "127.0.0.1:$CK_HTTP_PORT")
# Orders Pebble created (a request rejected for a bad nonce and retried is still one order).
orders() { grep -c '^Pebble .* Added order "' "$CK_PEBBLE_LOG" || true; }

for n in a.test b.test; do
    ck_run "${common[@]}" issue -d "$n" "${listen[@]}"
    ck_expect_rc 0
done

# --- 1. remove without --delete: not renewed any more, files stay ------------------------------
live_a=$(ck_tree_hash "$state/live/a.test/")
archive_a=$(ck_tree_hash "$state/archive/a.test")
ck_run --state-dir "$state" remove --name a.test
ck_expect_rc 0
ck_expect_out_contains "a.test"
before=$(orders)
ck_run --state-dir "$state" --ca-bundle "$CK_CA_BUNDLE" renew --force
ck_expect_rc 0
ck_expect_out_contains "renewed   b.test (version 2)"
if grep -q 'a\.test' <<<"$(grep -E '^(renewed|dry-run|busy) ' <<<"$CK_OUT")"; then
    ck_show_run
    ck_fail "renew --force renewed the removed a.test"
fi
(($(orders) - before == 1)) || ck_fail "renew --force placed $(($(orders) - before)) orders, expected 1 (b.test)"
[[ "$(ck_tree_hash "$state/live/a.test/")" == "$live_a" ]] || ck_fail "the live files of the removed a.test changed"
[[ "$(ck_tree_hash "$state/archive/a.test")" == "$archive_a" ]] || ck_fail "the archive of the removed a.test changed"
ck_key_matches "$state/live/a.test/cert.pem" "$state/live/a.test/privkey.pem"
# Naming it explicitly does not bring it back either: a usage error that says why.
before=$(orders)
ck_run --state-dir "$state" --ca-bundle "$CK_CA_BUNDLE" renew --force --name a.test
ck_expect_rc 2
ck_expect_err_contains "no longer managed"
[[ "$(orders)" == "$before" ]] || ck_fail "renew --force --name a.test ordered a removed certificate"
[[ ! -e "$state/archive/a.test/2" ]] || ck_fail "renew --force --name a.test renewed a removed certificate"

# --- 2. remove --delete: versions, keys, live link and state are gone ---------------------------
ck_run --state-dir "$state" remove --name a.test --delete
ck_expect_rc 0
for d in archive/a.test live/a.test state/a.test; do
    [[ ! -e "$state/$d" && ! -L "$state/$d" ]] || ck_fail "remove --delete left $d"
done
# (Lock files stay: removing one another run may hold would be racy; they hold nothing.)
left=$(find "$state" -path "$state/locks" -prune -o -name '*a.test*' -print)
[[ -z "$left" ]] || ck_fail "remove --delete left: $left"
[[ -e "$state/live/b.test/privkey.pem" ]] || ck_fail "remove --delete of a.test touched b.test"
ck_run --state-dir "$state" --ca-bundle "$CK_CA_BUNDLE" renew --force
ck_expect_rc 0
ck_expect_out_contains "1 renewed"

# --- 3. an unknown name: usage error naming it ---------------------------------------------------
ck_run --state-dir "$state" remove --name nosuch.test
ck_expect_rc 2
ck_expect_err_contains "nosuch.test"
ck_run --state-dir "$state" remove --name a.test --delete
ck_expect_rc 2
ck_expect_err_contains "a.test"

# --- 4. still declared in the config file: a warning naming the file ----------------------------
cfg="$CK_TMP/certkeep.toml"
cat >"$cfg" <<EOF
server = "$CK_DIR_URL"
ca-bundle = "$CK_CA_BUNDLE"
state-dir = "$state"
agree-tos = true

[[certificate]]
name = "b.test"
domains = ["b.test"]
http-listen = "127.0.0.1:$CK_HTTP_PORT"
EOF
chmod 0600 "$cfg"
ck_run --config "$cfg" remove --name b.test
ck_expect_rc 0
ck_expect_err_contains "warning"
ck_expect_err_contains "$cfg"
grep -F -- "$cfg" <<<"$CK_ERR" | grep -q 'b\.test' || { ck_show_run; ck_fail "the warning does not name b.test"; }
[[ -e "$state/live/b.test/privkey.pem" ]] || ck_fail "remove without --delete removed the live key"
ck_log "ok"
