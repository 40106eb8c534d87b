#!/usr/bin/env bash
# contrib/prometheus/certkeep.rules.yml: `promtool check rules` accepts it, `promtool test rules`
# passes its unit tests (certkeep.rules.test.yml), every alert has a test, and the tests catch
# broken rules: each mutation below (a changed threshold, `for` or matching) must fail them.
# Needs only promtool (Debian `prometheus`, scripts/deps); no Pebble, no certkeep binary.
# ck-slow: it runs no certkeep code, so the sanitizer build has nothing to add.
set -euo pipefail

src=${CERTKEEP_SOURCE_DIR:?CERTKEEP_SOURCE_DIR must be the repository root}/contrib/prometheus
rules=certkeep.rules.yml
tests=certkeep.rules.test.yml

fail() {
    printf '[ck] FAIL: %s\n' "$*" >&2
    exit 1
}

command -v promtool >/dev/null ||
    fail "promtool not found: install Debian's prometheus package (scripts/deps)"
[[ -f "$src/$rules" && -f "$src/$tests" ]] || fail "missing $src/$rules or $src/$tests"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- 1. syntax and unit tests ------------------------------------------------------------------
if ! out=$(promtool check rules "$src/$rules" 2>&1); then
    printf '%s\n' "$out" >&2
    fail "promtool check rules rejects $rules (output above)"
fi
# promtool resolves rule_files relative to the test file, so run from its directory.
if ! out=$(cd "$src" && promtool test rules "$tests" 2>&1); then
    printf '%s\n' "$out" >&2
    fail "promtool test rules: the unit tests in $tests fail (output above)"
fi

# --- 2. every alert has at least one test ------------------------------------------------------
mapfile -t alerts < <(sed -n 's/^ *- alert: *\([A-Za-z0-9_]*\).*/\1/p' "$src/$rules")
((${#alerts[@]} >= 8)) || fail "expected at least 8 alerts in $rules, found ${#alerts[@]}"
for a in "${alerts[@]}"; do
    grep -q "alertname: $a\$" "$src/$tests" || fail "alert $a has no test in $tests"
done

# --- 3. the tests fail when a rule is broken ---------------------------------------------------
# mutate DESC SED-EXPR: runs the tests in the background on a copy of the rules changed by
# SED-EXPR; check_mutations then expects every such run to fail.
mut_pids=() mut_descs=()
mutate() {
    local desc=$1 expr=$2 dir="$tmp/m${#mut_pids[@]}"
    mkdir "$dir"
    cp "$src/$tests" "$dir/$tests"
    sed "$expr" "$src/$rules" >"$dir/$rules"
    cmp -s "$src/$rules" "$dir/$rules" && fail "mutation '$desc' did not change $rules (update it)"
    (cd "$dir" && promtool test rules "$tests" >/dev/null 2>&1) &
    mut_pids+=($!)
    mut_descs+=("$desc")
}
check_mutations() {
    local i
    for i in "${!mut_pids[@]}"; do
        if wait "${mut_pids[$i]}"; then
            fail "the unit tests still pass with a broken rule: ${mut_descs[$i]}"
        fi
    done
}
mutate "warn cap 14 d -> 15 d" 's/14 \* 86400/15 * 86400/g'
mutate "crit cap 7 d -> 8 d" 's/7 \* 86400/8 * 86400/g'
mutate "no cap on the warn threshold" \
    's/clamp_max(certkeep_certificate_warn_threshold_seconds, 14 \* 86400)/certkeep_certificate_warn_threshold_seconds/'
mutate "no fallback without threshold gauges" '/0 \* certkeep_certificate_not_after_timestamp_seconds/s/14 \* 86400/0/'
mutate "chain alert without 'before the leaf'" \
    's/^\( *certkeep_chain_not_after_timestamp_seconds\)$/\1 > 0 or \1/'
mutate "renewal failing at 1 failure" 's/consecutive_failures >= 2/consecutive_failures >= 1/'
mutate "stale after 25 h" 's/> 86400$/> 90000/'
mutate "hook alert misses new failure series" 's/^\( *\)certkeep_build_info offset 1h$/\1certkeep_build_info offset 1h == 2/'
mutate "hook alert on old counters" 's/^\( *\)certkeep_build_info offset 1h$/\1certkeep_build_info/'
mutate "hook alert counts successes" 's/certkeep_hook_runs_total{result!="success"}\[1h\]/certkeep_hook_runs_total[1h]/'
mutate "for: 1h -> 30m" 's/for: 1h/for: 30m/'
mutate "expiry without for" '/for: 5m/d'
mutate "matching on name only" 's/< (/< on(name) group_left (/'
check_mutations

printf '[ck] ok: %s passes promtool check and test rules; %s alerts tested; %s broken variants caught\n' \
    "$rules" "${#alerts[@]}" "${#mut_pids[@]}"
