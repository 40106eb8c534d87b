#!/usr/bin/env bash
# Deploy verification with a real nginx: after the deploy hook, certkeep connects to
# --verify HOST:PORT (SNI = the first name) and confirms that the served leaf is the new one.
# A deploy hook that reloads nginx passes; one that "forgets" to reload is a failed deploy
# (exit 1, the certificate is kept) and the next `renew` retries the deploy without ordering.
set -euo pipefail
source "$CERTKEEP_SOURCE_DIR/tests/integration/lib.sh"
ck_setup
ck_start_pebble PEBBLE_AUTHZREUSE=0
state="$CK_TMP/state"
common=(--server "$CK_DIR_URL" --ca-bundle "$CK_CA_BUNDLE" --state-dir "$state")
listen=(--http-listen "127.0.0.1:$CK_HTTP_PORT")
served_serial() {
    openssl s_client -connect "127.0.0.1:$tls_port" -servername a.test </dev/null 2>/dev/null |
        openssl x509 -noout -serial | cut -d= -f2
}
live_serial() { openssl x509 -in "$state/live/a.test/cert.pem" -noout -serial | cut -d= -f2; }

ck_run "${common[@]}" --agree-tos issue -d a.test "${listen[@]}"
ck_expect_rc 0

# nginx serving the live files over TLS on a free port, as a site would.
tls_port=$(ck_free_port)
ngx="$CK_TMP/nginx"
mkdir -p "$ngx/tmp"
user_line=''
((EUID == 0)) && user_line='user root root;'
cat >"$ngx/nginx.conf" <<EOF
$user_line
daemon off;
worker_processes 1;
pid $ngx/nginx.pid;
error_log $ngx/error.log info;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $ngx/tmp/body;
    proxy_temp_path $ngx/tmp/proxy;
    fastcgi_temp_path $ngx/tmp/fastcgi;
    uwsgi_temp_path $ngx/tmp/uwsgi;
    scgi_temp_path $ngx/tmp/scgi;
    server {
        listen 127.0.0.1:$tls_port ssl;
        server_name a.test;
        ssl_certificate $state/live/a.test/fullchain.pem;
        ssl_certificate_key $state/live/a.test/privkey.pem;
        location / { return 200 "ok\n"; }
    }
}
EOF
/usr/sbin/nginx -p "$ngx" -e "$ngx/error.log" -c "$ngx/nginx.conf" >"$ngx/stdout.log" 2>&1 </dev/null &
ck_track_pid $!
ck_wait_until "nginx TLS on 127.0.0.1:$tls_port (log: $ngx/error.log)" "$!" \
    bash -c "openssl s_client -connect 127.0.0.1:$tls_port </dev/null >/dev/null 2>&1"
[[ $(served_serial) == "$(live_serial)" ]] || ck_fail "nginx does not serve the issued certificate"

hooks="$CK_TMP/hooks"
mkdir -m 0700 "$hooks"
printf '#!/bin/sh\nexec kill -HUP "$(cat %s/nginx.pid)"\n' "$ngx" >"$hooks/reload-nginx"
printf '#!/bin/sh\necho "pretending to reload"\n' >"$hooks/forget"
chmod 0755 "$hooks/reload-nginx" "$hooks/forget"

# --- 1. the hook reloads nginx: verified ---------------------------------------------------------
ck_run --state-dir "$state" --ca-bundle "$CK_CA_BUNDLE" renew --force \
    --deploy-hook "$hooks/reload-nginx" --verify "127.0.0.1:$tls_port"
ck_expect_rc 0
ck_expect_out_contains "deployed  a.test"
[[ $(served_serial) == "$(live_serial)" ]] || ck_fail "nginx does not serve the renewed certificate"

# --- 2. the hook forgets to reload: a failed deploy, exit 1, certificate kept --------------------
old=$(served_serial | tr A-F a-f)
ck_run --state-dir "$state" --ca-bundle "$CK_CA_BUNDLE" renew --force \
    --deploy-hook "$hooks/forget" --verify "127.0.0.1:$tls_port" --verify-timeout 3s
ck_expect_rc 1
ck_expect_err_contains "still presents serial"
ck_expect_err_contains "$old"
ck_expect_out_contains "renewed   a.test (version 3)"
[[ $(live_serial) != "$old" ]] || ck_fail "the renewed certificate was not kept"

# --- 3. the next renew retries the deploy (no order), and it verifies ----------------------------
before=$(ck_count_requests '^POST /order-plz')
ck_run --state-dir "$state" --ca-bundle "$CK_CA_BUNDLE" renew \
    --deploy-hook "$hooks/reload-nginx" --verify "127.0.0.1:$tls_port"
ck_expect_rc 0
ck_expect_out_contains "deployed  a.test (a deploy a previous run left pending)"
[[ $(ck_count_requests '^POST /order-plz') == "$before" ]] || ck_fail "retrying the deploy placed an order"
[[ $(served_serial) == "$(live_serial)" ]] || ck_fail "nginx does not serve the live certificate after the retry"

# --- 4. issue --verify: the same check, and exit 1 when it fails ---------------------------------
ck_run "${common[@]}" issue -d a.test "${listen[@]}" --deploy-hook "$hooks/forget" \
    --verify "127.0.0.1:$tls_port"
# issue's default verify patience is 30 s: the failure is the outcome that matters here.
ck_expect_rc 1
ck_expect_err_contains "deploy failed"
ck_log "ok"
