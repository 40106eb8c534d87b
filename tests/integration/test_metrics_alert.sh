#!/usr/bin/env bash
# Metrics and alerts after faults, against Pebble: `renew --metrics-file` writes the
# node_exporter textfile atomically (promtool accepts it); counters persist in the store, so
# they only grow across one-shot runs, failed ones included; a certificate inside its warn
# threshold whose renewal fails fires the alert hook once (CERTKEEP_TIME_LEFT set), not again
# on the next failing run the same day; `status` names the failure and the backoff.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
ck_start_pebble --validity 3600 PEBBLE_AUTHZREUSE=0
state="$CK_TMP/state"
prom="$CK_TMP/textfile/certkeep.prom"
mkdir -p "$CK_TMP/textfile"
alerts="$CK_TMP/alerts.log"
cat >"$CK_TMP/alert-hook" <<EOF
#!/bin/sh
echo "\$CERTKEEP_EVENT \$CERTKEEP_NAME left=\$CERTKEEP_TIME_LEFT" >>"$alerts"
EOF
chmod 0700 "$CK_TMP/alert-hook"
# warn = "2h": the 1-hour certificate is inside its warn threshold from the start.
cfg="$CK_TMP/certkeep.toml"
cat >"$cfg" <<EOF
server = "$CK_DIR_URL"
ca-bundle = "$CK_CA_BUNDLE"
state-dir = "$state"
agree-tos = true
hooks.alert = [["$CK_TMP/alert-hook"]]

[[certificate]]
name = "a.test"
domains = ["a.test"]
http-listen = "127.0.0.1:$CK_HTTP_PORT"
warn = "2h"
crit = "5m"
EOF
chmod 0600 "$cfg"
# metric NAME_AND_LABELS: its value in the textfile ("" when absent).
metric() { awk -v k="$1" '$1 == k { print $2 }' "$prom"; }
expect_metric() {
    local got
    got=$(metric "$1")
    [[ "$got" == "$2" ]] || { cat "$prom" >&2; ck_fail "$1 is '${got}', expected $2"; }
}

# --- 1. the first renew issues it; the textfile is complete and valid ------------------------
ck_run --config "$cfg" renew --metrics-file "$prom"
ck_expect_rc 0
ck_expect_out_contains "1 renewed"
promtool check metrics <"$prom" || ck_fail "promtool check metrics refused the textfile"
ck_assert_file_mode "$prom" 644
[[ -z "$(find "$CK_TMP/textfile" -type f ! -name certkeep.prom)" ]] || ck_fail "a temporary file was left beside the textfile"
not_after=$(date -d "$(openssl x509 -enddate -noout -in "$state/live/a.test/cert.pem" | cut -d= -f2)" +%s)
expect_metric 'certkeep_certificate_not_after_timestamp_seconds{name="a.test"}' "$not_after"
expect_metric 'certkeep_renewals_total{name="a.test",result="success"}' 1
expect_metric 'certkeep_renewal_consecutive_failures{name="a.test"}' 0
expect_metric 'certkeep_renew_runs_total{result="success"}' 1
expect_metric 'certkeep_certificate_warn_threshold_seconds{name="a.test"}' 7200
[[ -n "$(metric 'certkeep_acme_requests_total{endpoint="newOrder",status="201"}')" ]] || ck_fail "no newOrder request was counted"
[[ -n "$(metric certkeep_renew_check_last_success_timestamp_seconds)" ]] || ck_fail "no last-check timestamp"
[[ ! -e "$alerts" ]] || ck_fail "the alert hook fired although the renewal succeeded"

# --- 2. a failing renewal inside the warn threshold: counters, gauges and one alert ----------
dead_port=$(ck_free_port) # Pebble validates on CK_HTTP_PORT, where nobody answers now
ck_run --config "$cfg" renew --force --http-listen "127.0.0.1:$dead_port" --metrics-file "$prom"
ck_expect_rc 1
ck_expect_err_contains "a.test"
expect_metric 'certkeep_renewals_total{name="a.test",result="failure"}' 1
expect_metric 'certkeep_renewals_total{name="a.test",result="success"}' 1
expect_metric 'certkeep_renewal_consecutive_failures{name="a.test"}' 1
expect_metric 'certkeep_renew_runs_total{result="failure"}' 1
expect_metric 'certkeep_hook_runs_total{hook="alert",result="success"}' 1
[[ -n "$(metric 'certkeep_acme_problems_total{type="connection"}')$(metric 'certkeep_acme_problems_total{type="unauthorized"}')" ]] ||
    { cat "$prom" >&2; ck_fail "the failed validation's problem was not counted"; }
[[ "$(wc -l <"$alerts")" == 1 ]] || ck_fail "the alert hook ran $(wc -l <"$alerts") times, expected once"
grep -Eq '^alert a\.test left=[0-9]+m' "$alerts" || ck_fail "alert hook got: $(cat "$alerts")"
ck_expect_err_contains "alert: a.test"

# status shows the failure and its error; the next renewal stays the lifetime's due time (the
# 1-minute backoff ends before it).
ck_run --config "$cfg" status --json
ck_expect_rc 0
jq -e '.[0] | .consecutive_failures == 1 and .last_result == "failure" and .next_renewal_reason == "lifetime" and (.last_error | test("validation of a.test")) and .health == "warning"' <<<"$CK_OUT" >/dev/null ||
    { ck_show_run; ck_fail "status --json does not show the failure"; }
ck_run --config "$cfg" status
ck_expect_out_contains "failure"
ck_expect_out_contains "last error: validation of a.test"

# --- 3. failing again the same day: no second alert; counters keep growing -------------------
ck_run --config "$cfg" renew --force --http-listen "127.0.0.1:$dead_port" --metrics-file "$prom"
ck_expect_rc 1
[[ "$(wc -l <"$alerts")" == 1 ]] || ck_fail "the alert hook fired again the same day"
expect_metric 'certkeep_renewals_total{name="a.test",result="failure"}' 2
expect_metric 'certkeep_renewal_consecutive_failures{name="a.test"}' 2
expect_metric 'certkeep_hook_runs_total{hook="alert",result="success"}' 1

# --- 4. a run without --metrics-file still counts; the next textfile has it all --------------
ck_run --config "$cfg" renew --force
ck_expect_rc 0
ck_run --config "$cfg" renew --metrics-file "$prom"
ck_expect_rc 0
expect_metric 'certkeep_renewals_total{name="a.test",result="success"}' 2
expect_metric 'certkeep_renewals_total{name="a.test",result="failure"}' 2
expect_metric 'certkeep_renewal_consecutive_failures{name="a.test"}' 0
expect_metric 'certkeep_renew_runs_total{result="success"}' 3
promtool check metrics <"$prom" || ck_fail "promtool check metrics refused the textfile"

# --- 5. a certificate whose first issuance fails: status shows its backoff ----------------------
cat >>"$cfg" <<EOF

[[certificate]]
name = "c.test"
domains = ["c.test"]
http-listen = "127.0.0.1:$dead_port"
EOF
ck_run --config "$cfg" renew --metrics-file "$prom"
ck_expect_rc 1
ck_expect_err_contains "c.test"
expect_metric 'certkeep_renewal_consecutive_failures{name="c.test"}' 1
[[ -z "$(metric 'certkeep_certificate_not_after_timestamp_seconds{name="c.test"}')" ]] || ck_fail "a never-issued certificate has an expiry"
ck_run --config "$cfg" status --json
jq -e '.[] | select(.name == "c.test") | .issued == false and .not_after == null and .next_renewal_reason == "backoff" and .consecutive_failures == 1' <<<"$CK_OUT" >/dev/null ||
    { ck_show_run; ck_fail "status --json does not show c.test's backoff"; }
ck_run --config "$cfg" status
ck_expect_out_contains "(backoff)"
ck_expect_out_contains "never issued"

# --- 6. a textfile directory that does not exist: a clear error, exit 1 ----------------------
ck_run --config "$cfg" renew --metrics-file "$CK_TMP/missing/certkeep.prom"
ck_expect_rc 1
ck_expect_err_contains "$CK_TMP/missing"
ck_log "ok"
