#!/usr/bin/env bash
# certkeep serve against Pebble, scraped by a real Prometheus and viewed in a real Chromium:
# a certificate declared but never issued is issued by the daemon's first cycle; Prometheus
# reads back certkeep_certificate_not_after_timestamp_seconds equal to the live certificate's
# notAfter, and `promtool check metrics` accepts /metrics; SIGHUP reloads the config and a new
# certificate is issued at once and shown in /metrics, Prometheus and `status --json`; a failed
# one-shot renewal shows in serve's /metrics (failure counter +1, consecutive failures 1) and no
# counter ever goes backwards between serve, the one-shot run's --metrics-file and Prometheus;
# headless Chromium renders the status page (a screenshot, and a DOM with one row per
# certificate: name, state, time left, next renewal, last result); SIGTERM stops serve with
# exit 0, a log line and its port released.
set -euo pipefail
CK_WAIT_TIMEOUT=${CK_WAIT_TIMEOUT:-60} # a loaded 2-core machine: generous deadlines
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
for tool in prometheus promtool chromium; do
    command -v "$tool" >/dev/null ||
        ck_fail "$tool not found: install Debian's prometheus and chromium (scripts/deps)"
done
ck_setup
# One-hour certificates: fresh ones are not due, so serve's cycles leave them alone.
ck_start_pebble --validity 3600 PEBBLE_AUTHZREUSE=0
state="$CK_TMP/state"
cfg="$CK_TMP/certkeep.toml"
mport=$(ck_free_port)
base="http://127.0.0.1:$mport"

# Prints /metrics; a non-zero status if serve does not answer (callers may be retrying).
scrape() { curl -sf -m 5 "$base/metrics"; }
# Prints the value of the series KEY (exactly as exposed, labels included) in metrics text FILE.
value_in() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
# Prints the value of series KEY on serve's /metrics now ('' when absent).
metric() {
    scrape >"$CK_TMP/.scrape" || return 1
    value_in "$1" "$CK_TMP/.scrape"
}
# Succeeds when series KEY on /metrics has value WANT.
metric_is() { [[ "$(metric "$1")" == "$2" ]]; }
# Prints notAfter / notBefore of the live certificate NAME in seconds since the epoch.
cert_time() {
    date -u -d "$(openssl x509 -in "$state/live/$2/cert.pem" -noout "-$1" | cut -d= -f2)" +%s
}
# Fails unless every counter (*_total) of metrics text OLD is in NEW with a value >= its old one.
assert_counters_monotonic() {
    local old=$1 new=$2 what=$3 bad
    bad=$(awk '
        FNR == NR { if ($1 ~ /^[a-z_]+_total(\{|$)/) old[$1] = $2; next }
        { new[$1] = $2 }
        END { for (k in old) if (!(k in new) || new[k] + 0 < old[k] + 0)
                  printf "%s %s -> %s; ", k, old[k], (k in new ? new[k] : "absent") }' "$old" "$new")
    [[ -z "$bad" ]] || ck_fail "counters went backwards ($what): $bad"
}

cat >"$cfg" <<EOF
server = "$CK_DIR_URL"
ca-bundle = "$CK_CA_BUNDLE"
state-dir = "$state"
agree-tos = true

[[certificate]]
name = "a.test"
domains = ["a.test"]
http-listen = "127.0.0.1:$CK_HTTP_PORT"
EOF
chmod 0600 "$cfg"

# --- 1. serve issues the declared, never issued certificate in its first cycle -----------------
ck_run_bg --config "$cfg" serve --metrics-listen "127.0.0.1:$mport" --interval 2s
serve_pid=$CK_BG_PID
serve_log=$CK_BG_OUT

# Prometheus starts meanwhile: scrapes serve every second.
prom_port=$(ck_free_port)
prom="http://127.0.0.1:$prom_port"
mkdir -p "$CK_TMP/prometheus/data"
cat >"$CK_TMP/prometheus/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: certkeep
    static_configs:
      - targets: ["127.0.0.1:$mport"]
EOF
prometheus --config.file="$CK_TMP/prometheus/prometheus.yml" \
    --storage.tsdb.path="$CK_TMP/prometheus/data" --web.listen-address="127.0.0.1:$prom_port" \
    >"$CK_TMP/prometheus/log" 2>&1 </dev/null &
prom_pid=$!
ck_track_pid "$prom_pid"
# Prints the value of the one series EXPR selects through Prometheus's query API ('' if none).
prom_value() {
    curl -sf -m 5 -G "$prom/api/v1/query" --data-urlencode "query=$1" |
        sed -n 's/.*"value":\[[0-9.e+]*,"\([^"]*\)"\].*/\1/p'
}
prom_value_is() { [[ "$(prom_value "$1")" == "$2" ]]; }

ck_wait_until "serve's first log line (log: $serve_log)" "$serve_pid" \
    grep -qF "metrics on $base/metrics" "$serve_log"
ck_wait_until "serve to issue a.test (log: $serve_log)" "$serve_pid" \
    metric_is 'certkeep_renewals_total{name="a.test",result="success"}' 1
[[ -s "$state/live/a.test/cert.pem" ]] ||
    ck_fail "serve counts a.test as renewed but there is no live cert.pem"
# One log line per event, written when it happens (a daemon's log is a file or a pipe).
CK_WAIT_TIMEOUT=10 ck_wait_until \
    "serve to log a.test's issuance when it happened (flushed at once; log: $serve_log)" "$serve_pid" \
    grep -q '^renewed   a\.test (version 1)' "$serve_log"
[[ "$(curl -sf -m 5 "$base/-/healthy")" == "certkeep is running" ]] ||
    ck_fail "GET /-/healthy did not answer 'certkeep is running'"
not_after_a=$(cert_time enddate a.test)
[[ "$(metric 'certkeep_certificate_not_after_timestamp_seconds{name="a.test"}')" == "$not_after_a" ]] ||
    ck_fail "/metrics notAfter of a.test is not $not_after_a (openssl):" \
        "$(grep not_after "$CK_TMP/.scrape")"
[[ "$(value_in 'certkeep_certificate_not_before_timestamp_seconds{name="a.test"}' "$CK_TMP/.scrape")" == \
    "$(cert_time startdate a.test)" ]] || ck_fail "/metrics notBefore of a.test differs from openssl's"

# promtool accepts the exposition (no lint problem either).
if ! lint=$(promtool check metrics <"$CK_TMP/.scrape" 2>&1) || [[ -n "$lint" ]]; then
    ck_fail "promtool check metrics rejects /metrics: $lint"
fi

# --- 2. Prometheus reads the same notAfter back ---------------------------------------------
ck_wait_until "Prometheus ready on $prom (log: $CK_TMP/prometheus/log)" "$prom_pid" \
    curl -sf -m 2 -o /dev/null "$prom/-/ready"
ck_wait_until "Prometheus to scrape a.test's notAfter ($not_after_a) from serve" "$prom_pid" \
    prom_value_is 'certkeep_certificate_not_after_timestamp_seconds{job="certkeep",name="a.test"}' \
    "$not_after_a"
prom_value_is 'up{job="certkeep"}' 1 || ck_fail "Prometheus says the certkeep target is not up"

# --- 3. SIGHUP: a certificate added to the config is issued at once --------------------------
cat >>"$cfg" <<EOF

[[certificate]]
name = "b.test"
domains = ["b.test"]
http-listen = "127.0.0.1:$CK_HTTP_PORT"
EOF
kill -HUP "$serve_pid"
ck_wait_until "serve to reload the config after SIGHUP (log: $serve_log)" "$serve_pid" \
    grep -qF "reloaded the config: 2 certificates declared" "$serve_log"
ck_wait_until "serve to issue b.test after SIGHUP" "$serve_pid" \
    metric_is 'certkeep_renewals_total{name="b.test",result="success"}' 1
CK_WAIT_TIMEOUT=10 ck_wait_until \
    "serve to log b.test's issuance when it happened (flushed at once; log: $serve_log)" "$serve_pid" \
    grep -q '^renewed   b\.test (version 1)' "$serve_log"
not_after_b=$(cert_time enddate b.test)
ck_wait_until "b.test's notAfter in serve's /metrics" "$serve_pid" \
    metric_is 'certkeep_certificate_not_after_timestamp_seconds{name="b.test"}' "$not_after_b"
ck_wait_until "Prometheus to scrape b.test's notAfter" "$prom_pid" \
    prom_value_is 'certkeep_certificate_not_after_timestamp_seconds{job="certkeep",name="b.test"}' \
    "$not_after_b"
# Prints the object of certificate $1 in `status --json` on one line, without blanks.
status_of() {
    ck_run --config "$cfg" status --json
    ck_expect_rc 0
    tr -d ' \n' <<<"$CK_OUT" | sed 's/},{/}\n{/g' | grep -F "\"name\":\"$1\"" ||
        ck_fail "status --json does not list $1: $CK_OUT"
}
b_json=$(status_of b.test) || exit 1
for want in '"issued":true' '"last_result":"success"' '"health":"ok"'; do
    grep -qF "$want" <<<"$b_json" || ck_fail "status --json for b.test lacks $want: $b_json"
done

# --- 4. a failed one-shot renewal shows in serve's /metrics; counters never go backwards -------
scrape >"$CK_TMP/before.prom" || ck_fail "GET $base/metrics failed"
fail_key='certkeep_renewals_total{name="a.test",result="failure"}'
failures_before=$(value_in "$fail_key" "$CK_TMP/before.prom")
serial_a=$(openssl x509 -in "$state/live/a.test/cert.pem" -noout -serial)
# Pebble validates a.test on $CK_HTTP_PORT while this run answers on a port nobody asks: invalid.
dead_port=$(ck_free_port)
ck_run --config "$cfg" renew --force --name a.test --http-listen "127.0.0.1:$dead_port" \
    --metrics-file "$CK_TMP/oneshot.prom"
ck_expect_rc 1
[[ "$(openssl x509 -in "$state/live/a.test/cert.pem" -noout -serial)" == "$serial_a" ]] ||
    ck_fail "a failed renewal changed the live certificate"
want_failures=$((${failures_before:-0} + 1))
[[ "$(value_in "$fail_key" "$CK_TMP/oneshot.prom")" == "$want_failures" ]] ||
    ck_fail "the one-shot --metrics-file does not count the failure:" \
        "$(grep renewals_total "$CK_TMP/oneshot.prom")"
ck_wait_until "serve's /metrics to count a.test's failed renewal ($want_failures)" "$serve_pid" \
    metric_is "$fail_key" "$want_failures"
scrape >"$CK_TMP/after.prom" || ck_fail "GET $base/metrics failed"
[[ "$(value_in 'certkeep_renewal_consecutive_failures{name="a.test"}' "$CK_TMP/after.prom")" == 1 ]] ||
    ck_fail "consecutive failures of a.test: $(grep consecutive "$CK_TMP/after.prom")"
[[ "$(value_in 'certkeep_renewal_consecutive_failures{name="b.test"}' "$CK_TMP/after.prom")" == 0 ]] ||
    ck_fail "b.test's consecutive failures are not 0 after a.test failed"
[[ "$(value_in 'certkeep_certificate_not_after_timestamp_seconds{name="a.test"}' "$CK_TMP/after.prom")" == \
    "$not_after_a" ]] || ck_fail "after a failed renewal /metrics no longer shows the live a.test"
assert_counters_monotonic "$CK_TMP/before.prom" "$CK_TMP/oneshot.prom" "serve -> one-shot renew"
assert_counters_monotonic "$CK_TMP/oneshot.prom" "$CK_TMP/after.prom" "one-shot renew -> serve"
if ! lint=$(promtool check metrics <"$CK_TMP/after.prom" 2>&1) || [[ -n "$lint" ]]; then
    ck_fail "promtool check metrics rejects /metrics after a failure: $lint"
fi

# --- 5. headless Chromium: a screenshot and the DOM of the status page -------------------------
# Chromium as root needs --no-sandbox; a profile and HOME of its own under $CK_TMP each.
chromium_run() {
    local profile=$1
    shift
    mkdir -p "$CK_TMP/$profile"
    HOME="$CK_TMP/$profile" timeout -k 5 90 chromium --headless --no-sandbox --disable-gpu \
        --user-data-dir="$CK_TMP/$profile/data" --window-size=1200,800 "$@" "$base/" \
        2>"$CK_TMP/$profile.err" </dev/null
}
chromium_run chromium-shot --screenshot="$CK_TMP/page.png" >/dev/null &
shot_pid=$!
ck_track_pid "$shot_pid"
chromium_run chromium-dom --dump-dom >"$CK_TMP/page.html" &
dom_pid=$!
ck_track_pid "$dom_pid"
wait "$shot_pid" || ck_fail "chromium --screenshot failed: $(tail -n 5 "$CK_TMP/chromium-shot.err")"
wait "$dom_pid" || ck_fail "chromium --dump-dom failed: $(tail -n 5 "$CK_TMP/chromium-dom.err")"

# The screenshot: a 1200x800 PNG much larger than a blank page's (about 4.5 KB).
png="$CK_TMP/page.png"
[[ -s "$png" ]] || ck_fail "chromium wrote no screenshot"
[[ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" == 89504e470d0a1a0a ]] ||
    ck_fail "the screenshot is not a PNG"
# Width and height: two big-endian 32-bit numbers at offset 16 (the IHDR chunk).
size=$(od -An -j16 -N8 -tu1 "$png" |
    awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 "x" (($5 * 256 + $6) * 256 + $7) * 256 + $8 }')
[[ "$size" == 1200x800 ]] || ck_fail "the screenshot is $size, not 1200x800"
(($(stat -c %s "$png") > 12000)) || ck_fail "the screenshot is nearly empty ($(stat -c %s "$png") bytes)"

# The DOM: no script; a summary; one row per certificate with its cells.
dom="$CK_TMP/page.html"
if grep -qi '<script' "$dom"; then ck_fail "the status page has a <script>"; fi
grep -qF '<p class="summary">2 certificates:' "$dom" ||
    ck_fail "no summary of 2 certificates in the DOM: $(cat "$dom")"
# Prints the cell of class CLASS in the row of certificate NAME (inner HTML, tags kept).
cell_html() {
    grep -o "<tr id=\"cert-$1\"[^>]*>.*</tr>" "$dom" | sed 's/<td /\n<td /g' |
        sed -n "s/^<td class=\"$2\">\(.*\)<\/td>.*$/\1/p"
}
cell_text() { cell_html "$1" "$2" | sed 's/<[^>]*>/ /g; s/  */ /g; s/^ //; s/ $//'; }
check_row() {
    local name=$1 result=$2 failures=$3 json next
    grep -qE "<tr id=\"cert-${name//./\\.}\" class=\"ok\">" "$dom" ||
        ck_fail "no <tr id=\"cert-$name\" class=\"ok\"> in the DOM: $(grep -o '<tr id=[^>]*>' "$dom")"
    [[ "$(cell_text "$name" name)" == "$name" ]] ||
        ck_fail "row $name: name cell is '$(cell_text "$name" name)'"
    # Time left: a bar coloured by health, then e.g. "59m12s ok".
    cell_html "$name" left | grep -qF '<div class="fill ok"' || ck_fail "row $name: no green bar"
    [[ "$(cell_text "$name" left)" =~ ^([0-9]+[dhms])+\ ok$ ]] ||
        ck_fail "row $name: time left cell is '$(cell_text "$name" left)'"
    # Next renewal: the time status --json gives.
    json=$(status_of "$name") || exit 1
    next=$(sed -n 's/.*"next_renewal":"\([^"]*\)".*/\1/p' <<<"$json")
    [[ -n "$next" ]] || ck_fail "status --json gives no next_renewal for $name: $json"
    cell_html "$name" next | grep -qF "<time datetime=\"$next\">" ||
        ck_fail "row $name: next renewal is not $next: $(cell_html "$name" next)"
    [[ "$(cell_text "$name" result)" == "$result" ]] ||
        ck_fail "row $name: last result is '$(cell_text "$name" result)', expected $result"
    [[ "$(cell_text "$name" failures)" == "$failures" ]] ||
        ck_fail "row $name: failures '$(cell_text "$name" failures)', expected $failures"
}
check_row a.test failure 1
check_row b.test success 0
[[ -n "$(cell_text a.test error)" ]] || ck_fail "row a.test shows no error for its failed renewal"

# Prometheus saw no counter reset during the whole run.
resets=$(prom_value 'sum(resets({job="certkeep",__name__=~"certkeep_.+_total"}[10m]))')
[[ "$resets" == 0 ]] || ck_fail "Prometheus saw counter resets: ${resets:-no answer}"

# --- 6. SIGTERM: exit 0 within seconds, a log line, the port released --------------------------
# Gone or a zombie (exited, not yet waited for: kill -0 still succeeds on it).
serve_gone() { [[ ! -e /proc/$serve_pid || "$(awk '{ print $3 }' "/proc/$serve_pid/stat")" == Z ]]; }
kill -TERM "$serve_pid"
CK_WAIT_TIMEOUT=15 ck_wait_until "serve to stop after SIGTERM" "" serve_gone
rc=0
wait "$serve_pid" || rc=$?
((rc == 0)) || ck_fail "serve exited with status $rc after SIGTERM (log: $(tail -n 3 "$serve_log"))"
grep -qE '^stopp(ed|ing on SIGTERM)' "$serve_log" ||
    ck_fail "serve did not log that it stopped: $(tail -n 3 "$serve_log")"
ck_assert_port_free "$mport"

# --- 7. --metrics-allow: a client outside the allowed networks gets no answer -------------------
for allow in 192.0.2.0/24 127.0.0.0/8; do
    port=$(ck_free_port)
    ck_run_bg --config "$cfg" serve --metrics-listen "127.0.0.1:$port" --interval 1h \
        --metrics-allow "$allow"
    pid=$CK_BG_PID
    # The listener is up once it refuses or answers rather than failing to connect.
    CK_WAIT_TIMEOUT=30 ck_wait_until "serve on port $port" "$pid" \
        bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"
    if [[ $allow == 127.0.0.0/8 ]]; then
        curl -sf -m 5 -o /dev/null "http://127.0.0.1:$port/-/healthy" ||
            ck_fail "--metrics-allow $allow refused a client from 127.0.0.1"
    elif curl -sf -m 5 -o /dev/null "http://127.0.0.1:$port/metrics"; then
        ck_fail "--metrics-allow $allow let a client from 127.0.0.1 read /metrics"
    fi
    kill -TERM "$pid"
    wait "$pid" || ck_fail "serve --metrics-allow $allow exited with status $? after SIGTERM"
done
ck_log "ok"
