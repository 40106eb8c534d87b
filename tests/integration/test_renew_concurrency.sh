#!/usr/bin/env bash
# ck-slow: two runs racing and a 13 s wait for due certificates; left out of the sanitizer run
# Concurrent renewals against Pebble.
# (a) Two plain `certkeep renew` runs started at the same moment over one state directory with 3
#     due certificates: each certificate is renewed exactly once (one order each, one new archive
#     version each), both runs exit 0, and no temporary entry is left in the store. Done twice:
#     with webroot (nginx serves the tokens) and with the standalone responder (both runs are
#     configured with the same http-listen address).
# (b) `renew --parallel 4` with 6 due certificates all answering HTTP-01 on the same listen
#     address: all are renewed through one shared responder (no "address in use"), and every live
#     certificate verifies up to Pebble's root and matches its live key.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
# 120 s certificates; renew-before = "0.99" makes them due once a tenth of the lifetime (12 s)
# has passed, and a renewed one is not due again for another 12 s: longer than the runs below,
# so a second renewal of the same certificate would be a bug, not a legitimately due one.
# PEBBLE_AUTHZREUSE=0: every renewal validates again (all through the responders under test).
ck_start_pebble --validity 120 PEBBLE_AUTHZREUSE=0
ck_pebble_roots >/dev/null
# Orders Pebble created (a request rejected for a bad nonce and retried is still one order).
orders() { grep -c '^Pebble .* Added order "' "$CK_PEBBLE_LOG" || true; }
# Prints the version numbers under archive/NAME of state dir $1, sorted, space-separated.
versions() { find "$1/archive/$2" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n | tr '\n' ' '; }

# Writes STATE.toml for state dir STATE declaring the certificates NAME..., each with the
# challenge setting LINE (e.g. http-listen = "..."); prints its path.
write_config() {
    local state=$1 line=$2 cfg="$1.toml" n
    shift 2
    {
        printf 'server = "%s"\nca-bundle = "%s"\nstate-dir = "%s"\nagree-tos = true\n' \
            "$CK_DIR_URL" "$CK_CA_BUNDLE" "$state"
        for n in "$@"; do
            printf '\n[[certificate]]\nname = "%s"\ndomains = ["%s"]\n%s\n' "$n" "$n" "$line"
            printf 'renew-before = "0.99"\n'
        done
    } >"$cfg"
    chmod 0600 "$cfg"
    printf '%s\n' "$cfg"
}

# race CONFIG: starts two `renew --config CONFIG` at the same moment and waits for both; their
# exit codes in RC1/RC2, output in $CK_TMP/r{1,2}.{out,err}.
race() {
    local cfg=$1 go="$CK_TMP/go.$RANDOM" pid1 pid2
    # Both wait for the same file, so they start within a few milliseconds of each other.
    run_at_go() {
        while [[ ! -e "$go" ]]; do sleep 0.005; done
        exec "$CERTKEEP_BIN" --config "$cfg" renew
    }
    run_at_go >"$CK_TMP/r1.out" 2>"$CK_TMP/r1.err" </dev/null &
    pid1=$!
    ck_track_pid "$pid1"
    run_at_go >"$CK_TMP/r2.out" 2>"$CK_TMP/r2.err" </dev/null &
    pid2=$!
    ck_track_pid "$pid2"
    sleep 0.3
    touch "$go"
    RC1=0 RC2=0
    wait "$pid1" || RC1=$?
    wait "$pid2" || RC2=$?
}

# check_race STATE ORDERS_BEFORE NAME...: both runs exited 0, each certificate renewed exactly
# once (one order, version 2 live), no temporary entry left in the store.
check_race() {
    local state=$1 before=$2 n placed renewed runs
    shift 2
    runs="run 1 (exit $RC1): $(cat "$CK_TMP/r1.out" "$CK_TMP/r1.err")
run 2 (exit $RC2): $(cat "$CK_TMP/r2.out" "$CK_TMP/r2.err")"
    # Standalone (BUSY_OK=1): two processes cannot both listen on one port, so a run may fail
    # the certificates it tried while the other held the port (exit 1, no backoff recorded):
    # the other run renews them. Any other error is a failure of the test.
    local r
    for r in 1 2; do
        local rc_var="RC$r"
        [[ "${!rc_var}" == 0 ]] && continue
        if [[ "${BUSY_OK:-0}" == 1 && "${!rc_var}" == 1 ]] &&
            ! grep '^certkeep: error:' "$CK_TMP/r$r.err" | grep -vq 'Address already in use'; then
            continue
        fi
        ck_fail "two concurrent renew runs did not both exit 0:
$runs"
    done
    placed=$(($(orders) - before))
    [[ "$placed" == "$#" ]] || ck_fail "two concurrent runs placed $placed orders for $# due certificates:
$runs"
    renewed=$(cat "$CK_TMP/r1.out" "$CK_TMP/r2.out" | grep -c '^renewed ' || true)
    [[ "$renewed" == "$#" ]] || ck_fail "the two runs report $renewed renewals, expected $# in all:
$runs"
    for n in "$@"; do
        [[ "$(versions "$state" "$n")" == "1 2 " ]] ||
            ck_fail "archive/$n holds versions [$(versions "$state" "$n")], expected 1 2"
        [[ "$(readlink -f "$state/live/$n")" == "$(readlink -f "$state/archive/$n/2")" ]] ||
            ck_fail "live/$n is not version 2"
        ck_key_matches "$state/live/$n/cert.pem" "$state/live/$n/privkey.pem"
        ck_verify_chain "$state/live/$n/cert.pem" "$state/live/$n/chain.pem" "$CK_TMP/root0.pem"
    done
    n=$(find "$state" -mindepth 1 -name '.*')
    [[ -z "$n" ]] || ck_fail "temporary entries left in the store: $n"
}

listen_line="http-listen = \"127.0.0.1:$CK_HTTP_PORT\""
www="$CK_TMP/www"
mkdir -p "$www"
state_a="$CK_TMP/state-a" state_b="$CK_TMP/state-b" state_w="$CK_TMP/state-w"
names_a=(a1.test a2.test a3.test)
names_b=(b1.test b2.test b3.test b4.test b5.test b6.test)
names_w=(w1.test w2.test w3.test)
cfg_a=$(write_config "$state_a" "$listen_line" "${names_a[@]}")
cfg_b=$(write_config "$state_b" "$listen_line" "${names_b[@]}")
cfg_w=$(write_config "$state_w" "$listen_line" "${names_w[@]}")

# Declared but never issued: a plain renew issues them all (version 1).
for cfg in "$cfg_a" "$cfg_b" "$cfg_w"; do
    ck_run --config "$cfg" renew
    ck_expect_rc 0
done
for n in "${names_a[@]}"; do [[ "$(versions "$state_a" "$n")" == "1 " ]] || ck_fail "$n not issued"; done
for n in "${names_b[@]}"; do [[ "$(versions "$state_b" "$n")" == "1 " ]] || ck_fail "$n not issued"; done
for n in "${names_w[@]}"; do [[ "$(versions "$state_w" "$n")" == "1 " ]] || ck_fail "$n not issued"; done

# Not due yet: nothing is ordered.
before=$(orders)
ck_run --config "$cfg_a" renew
ck_expect_rc 0
ck_expect_out_contains "0 renewed"
[[ $(orders) == "$before" ]] || ck_fail "a renew with nothing due placed an order"

# Wait until every certificate is due (13 s after the newest version 1).
newest=0
for d in "$state_a"/archive/*/1 "$state_b"/archive/*/1 "$state_w"/archive/*/1; do
    t=$(stat -c %Y "$d")
    ((t > newest)) && newest=$t
done
while (($(date +%s) < newest + 13)); do sleep 0.5; done

# --- (a) two renew runs at the same moment, webroot ----------------------------------------------
# The w certificates now answer through a webroot that nginx serves on Pebble's HTTP port.
cfg_w=$(write_config "$state_w" "webroot = \"$www\"" "${names_w[@]}")
ck_start_static_server "$www"
before=$(orders)
race "$cfg_w"
check_race "$state_w" "$before" "${names_w[@]}"
[[ -z "$(find "$www" -path '*acme-challenge*' -type f)" ]] || ck_fail "token files left in the webroot"
ck_kill_pid "$CK_STATIC_PID"
port_free() { [[ -z "$(ss -ltnH "sport = :$CK_HTTP_PORT")" ]]; }
ck_wait_until "nginx releases port $CK_HTTP_PORT" '' port_free

# --- (b) --parallel 4, six certificates on one listen address ----------------------------------
before=$(orders)
start=$SECONDS
ck_run --config "$cfg_b" renew --parallel 4
ck_expect_rc 0
ck_expect_out_contains "6 renewed, 0 failed"
if grep -qi 'in use' <<<"$CK_OUT$CK_ERR"; then
    ck_show_run
    ck_fail "parallel renewals fought over the listen address"
fi
placed=$(($(orders) - before))
[[ "$placed" == 6 ]] || ck_fail "--parallel 4 placed $placed orders for 6 due certificates"
for n in "${names_b[@]}"; do
    live="$state_b/live/$n"
    [[ "$(readlink -f "$live")" == "$(readlink -f "$state_b/archive/$n/2")" ]] ||
        ck_fail "live/$n is not the renewed version 2"
    ck_verify_chain "$live/cert.pem" "$live/chain.pem" "$CK_TMP/root0.pem"
    ck_key_matches "$live/cert.pem" "$live/privkey.pem"
    [[ "$(ck_cert_names "$live/cert.pem")" == "$n" ]] || ck_fail "live/$n names $(ck_cert_names "$live/cert.pem")"
done
leftovers=$(find "$state_b" -mindepth 1 -name '.*')
[[ -z "$leftovers" ]] || ck_fail "temporary entries left in the store: $leftovers"
ck_assert_port_free "$CK_HTTP_PORT"
ck_log "parallel renew of 6 took $((SECONDS - start)) s"

# --- (a) two renew runs at the same moment, standalone on the same listen address ----------------
# The run that loses a certificate's lock waits for it and finds it renewed; a certificate it
# locked first while the other process held the port fails locally (no backoff) and is renewed
# by the other run: every certificate is renewed exactly once.
before=$(orders)
race "$cfg_a"
BUSY_OK=1 check_race "$state_a" "$before" "${names_a[@]}"
ck_assert_port_free "$CK_HTTP_PORT"
ck_log "ok"
