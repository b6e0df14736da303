#!/usr/bin/env bash
# CI: the production stack of deploy/, run for real on this machine, then loaded for a minute.
#
# nginx from Debian (deploy/nginx/lapas-training.conf with its ports, paths and certificate moved
# into a temporary directory) with a self-signed certificate, in front of gunicorn
# (deploy/gunicorn.conf.py) on the PostgreSQL database PG_URL, already migrated and seeded by
# `manage.py seed_demo`, with two background workers. Checks: HTTP redirects to HTTPS, static
# files come from nginx with a long cache, /media/ is not served, an upload above nginx's size
# limit gets our bilingual 413 page (static/errors/413.html), X-Real-IP reaches the app
# (the audit log records the client's address, not nginx's), /health/ answers 200; then wrk
# for STACK_LOAD_SECONDS (60) through nginx over HTTPS: a trainer's marking page and a staff
# member's inmate list, logged in. Any answer but 200, or any socket error, fails the step; the
# throughput and latency percentiles are printed. Everything started here stops on exit.
#
# Usage: PG_URL=postgres://... CREDENTIAL_KEY=... scripts/ci-stack.sh
set -euo pipefail
cd "$(dirname "$0")/.."

: "${PG_URL:?PG_URL must name the PostgreSQL database seeded with the demo (manage.py seed_demo)}"
: "${CREDENTIAL_KEY:?CREDENTIAL_KEY must be the one the demo was seeded with (it opens the signing keys)}"
HTTPS_PORT=${STACK_HTTPS_PORT:-8443}
HTTP_PORT=${STACK_HTTP_PORT:-8080}
APP_PORT=${STACK_APP_PORT:-8001}
LOAD_SECONDS=${STACK_LOAD_SECONDS:-60}
PY=.venv/bin/python
# The demo's password (lapas_training/demo.py).
PASSWORD=pelatihan-2025

echo "== production stack: nginx, gunicorn, two workers on PostgreSQL, $LOAD_SECONDS s of load"
scripts/system-deps.sh nginx wrk openssl curl

tmp=$(mktemp -d /tmp/ci-stack.XXXXXX)
# nginx's workers run as an unprivileged user: they must reach the static files in here.
chmod 755 "$tmp"
pids=()
stop_all() {
  status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    for log in gunicorn worker-1 worker-2 nginx-error; do
      echo "--- last lines of $log.log"
      tail -20 "$tmp/$log.log" 2>/dev/null || true
    done
  fi
  rm -rf "$tmp"
}
trap stop_all EXIT

fail() {
  echo "ci-stack: $*" >&2
  exit 1
}

# The app as deploy/env.example configures it, but in the temporary directory.
export DATABASE_URL="$PG_URL" SECRET_KEY=ci-stack DEBUG=0 \
  ALLOWED_HOSTS=localhost CSRF_TRUSTED_ORIGINS="https://localhost:$HTTPS_PORT" \
  PUBLIC_BASE_URL="https://localhost:$HTTPS_PORT" BEHIND_PROXY=1 SECURE_SSL_REDIRECT=1 \
  STATIC_ROOT="$tmp/static" MEDIA_ROOT="$tmp/media" BACKUP_DIR="$tmp/backups" \
  GUNICORN_BIND="127.0.0.1:$APP_PORT" XDG_CACHE_HOME="$tmp/cache"
# A CI machine's disk is not a production server's: 1 GiB free is not expected here.
export HEALTH_MIN_FREE_MB=100
mkdir -p "$MEDIA_ROOT/private" "$BACKUP_DIR"
base="https://localhost:$HTTPS_PORT"
# Every request to nginx goes to 127.0.0.1, from 127.0.0.2: the address the app must see.
curl_nginx() {
  curl -sS -k --resolve "localhost:$HTTPS_PORT:127.0.0.1" --resolve "localhost:$HTTP_PORT:127.0.0.1" \
    --interface 127.0.0.2 "$@"
}

echo "-- collectstatic, certificate"
$PY manage.py collectstatic --noinput -v 0
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$tmp/privkey.pem" -out "$tmp/fullchain.pem" 2>/dev/null

echo "-- gunicorn and two workers"
.venv/bin/gunicorn lapas_training.wsgi --config deploy/gunicorn.conf.py >"$tmp/gunicorn.log" 2>&1 &
pids+=($!)
for n in 1 2; do
  $PY manage.py db_worker --no-reload --worker-id "ci-stack-$n" >"$tmp/worker-$n.log" 2>&1 &
  pids+=($!)
done

echo "-- nginx"
site="$tmp/site.conf"
sed -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
  -e "s|listen 443 ssl http2;|listen 127.0.0.1:$HTTPS_PORT ssl http2;|" \
  -e '/listen \[::\]/d' \
  -e "s|server_name pelatihan.example.go.id;|server_name localhost;|" \
  -e "s|https://\$host\$request_uri|https://\$host:$HTTPS_PORT\$request_uri|" \
  -e "s|/etc/ssl/lapas-training/|$tmp/|" \
  -e "s|alias /var/lib/lapas-training/static/;|alias $tmp/static/;|" \
  -e "s|root /var/lib/lapas-training/static;|root $tmp/static;|" \
  -e "s|server 127.0.0.1:8001;|server 127.0.0.1:$APP_PORT;|" \
  deploy/nginx/lapas-training.conf >"$site"
# Each rewrite must have taken: a production path or port left here would test nothing.
for stale in "listen 80;" "listen 443 " "/etc/ssl/" "/var/lib/" 'https://$host$request_uri'; do
  if grep -qF -- "$stale" "$site"; then
    fail "deploy/nginx/lapas-training.conf changed: '$stale' was not rewritten"
  fi
done
grep -qF "server 127.0.0.1:$APP_PORT;" "$site" || fail "the upstream was not rewritten"
cat >"$tmp/nginx.conf" <<NGINX
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log $tmp/nginx-access.log;
    client_body_temp_path $tmp/nginx-body;
    proxy_temp_path $tmp/nginx-proxy;
    fastcgi_temp_path $tmp/nginx-fastcgi;
    uwsgi_temp_path $tmp/nginx-uwsgi;
    scgi_temp_path $tmp/nginx-scgi;
    include $site;
}
NGINX
nginx -t -q -p "$tmp" -e "$tmp/nginx-error.log" -c "$tmp/nginx.conf" || fail "nginx -t refused the site"
nginx -p "$tmp" -e "$tmp/nginx-error.log" -c "$tmp/nginx.conf" -g "daemon off;" &
pids+=($!)

up=0
for _ in $(seq 1 60); do
  code=$(curl_nginx -o /dev/null -w '%{http_code}' "$base/accounts/login/" 2>/dev/null || true)
  [ "$code" = 200 ] && up=1 && break
  sleep 1
done
[ "$up" -eq 1 ] || fail "the login page did not answer through nginx within 60 s (last: $code)"
for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a process of the stack died (pid $pid)"; done

echo "-- HTTP redirects to HTTPS"
location=$(curl_nginx -o /dev/null -w '%{http_code} %{redirect_url}' "http://localhost:$HTTP_PORT/inmates/")
[ "$location" = "301 $base/inmates/" ] || fail "http:// answered '$location'"

echo "-- static files from nginx, cached for a year"
stylesheet=$(curl_nginx "$base/accounts/login/" | grep -o '/static/[^"]*\.css' | head -1)
[ -n "$stylesheet" ] || fail "the login page links no stylesheet"
headers=$(curl_nginx -D - -o /dev/null "$base$stylesheet")
grep -q "^HTTP/[0-9.]* 200" <<<"$headers" || fail "$stylesheet: $(head -1 <<<"$headers")"
grep -qi "^cache-control: public, max-age=31536000, immutable" <<<"$headers" ||
  fail "$stylesheet is not cached for a year"

echo "-- /media/ is not served by nginx"
secret="private file $(date +%s%N)"
echo "$secret" >"$MEDIA_ROOT/private/probe.txt"
media=$(curl_nginx -w '\n%{http_code}' "$base/media/private/probe.txt")
[ "$(tail -1 <<<"$media")" != 200 ] || fail "/media/ served a private file"
if grep -qF "$secret" <<<"$media"; then fail "/media/ served a private file"; fi

echo "-- an upload above client_max_body_size (12m) gets our 413 page"
# nginx refuses it before the app (or a login) is asked; the officer must read why, in Indonesian.
head -c $((13 * 1024 * 1024)) /dev/zero >"$tmp/too-large.xlsx"
too_large=$(curl_nginx -w '\n%{http_code}' -F "file=@$tmp/too-large.xlsx" "$base/inmates/import/")
[ "$(tail -1 <<<"$too_large")" = 413 ] || fail "a 13 MiB upload answered $(tail -1 <<<"$too_large")"
grep -qF "Berkas terlalu besar" <<<"$too_large" || fail "a 13 MiB upload did not get static/errors/413.html"

echo "-- log in (staff and a trainer: no second factor for them)"
login() {
  local user=$1 jar="$tmp/$1.cookies" token answer
  token=$(curl_nginx -c "$jar" -b "$jar" "$base/accounts/login/" |
    grep -o 'name="csrfmiddlewaretoken" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  # A forged X-Real-IP: nginx must replace it with the real client address.
  answer=$(curl_nginx -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' \
    -H "Referer: $base/accounts/login/" -H "X-Real-IP: 203.0.113.9" \
    --data-urlencode "username=$user" --data-urlencode "password=$PASSWORD" \
    --data-urlencode "csrfmiddlewaretoken=$token" "$base/accounts/login/")
  [ "$answer" = 302 ] || fail "logging in as $user answered $answer"
  awk '$6 == "sessionid" { print $7 }' "$jar"
}
STACK_STAFF_SESSION=$(login staff)
STACK_TRAINER_SESSION=$(login trainer.blk)
[ -n "$STACK_STAFF_SESSION" ] && [ -n "$STACK_TRAINER_SESSION" ] || fail "no session cookie"

echo "-- X-Real-IP reaches the app"
# gunicorn sees nginx (127.0.0.1); the audit log must hold the client's 127.0.0.2.
addresses=$($PY manage.py shell -v 0 -c "
from lapas_training.models import AuditEvent
print(' '.join(str(event.address) for event in AuditEvent.objects.filter(
    kind='login', user__username__in=['staff', 'trainer.blk']).order_by('-at')[:2]))")
[ "$addresses" = "127.0.0.2 127.0.0.2" ] || fail "the audit log recorded the logins from '$addresses'"

echo "-- /health/ through nginx"
health=$(curl_nginx -w '\n%{http_code}' "$base/health/")
[ "$(tail -1 <<<"$health")" = 200 ] || fail "/health/ answered: $health"
echo "$health" | head -1

echo "-- a credential verified as an employer would: did:web and its status list over TLS"
# Reissued here so that its DID and links name this stack's address (the demo's were signed for
# the default PUBLIC_BASE_URL); verify_credential then resolves them through nginx, trusting
# only the stack's self-signed certificate.
code=$($PY manage.py shell -v 0 -c "
from certificates.models import Certificate
from certificates.services import reissue_certificate
old = Certificate.objects.filter(kind='completion', revoked_at=None).order_by('pk').first()
new = reissue_certificate(certificate=old, by=old.issued_by, reason='CI stack: credential check')
open('$tmp/credential.jwt', 'w').write(new.credential.token)
print(new.verification_code)")
SSL_CERT_FILE="$tmp/fullchain.pem" $PY manage.py verify_credential "$tmp/credential.jwt" \
  >"$tmp/verify.log" 2>&1 || { cat "$tmp/verify.log"; fail "a fresh credential did not verify"; }
grep -q "did:web:localhost%3A$HTTPS_PORT:issuers:" "$tmp/verify.log" ||
  fail "verify_credential did not resolve the stack's did:web"
$PY manage.py shell -v 0 -c "
from certificates.models import Certificate
from certificates.services import revoke_certificate
certificate = Certificate.objects.get(verification_code='$code')
revoke_certificate(certificate=certificate, by=certificate.issued_by, reason='CI stack: revoked')"
if SSL_CERT_FILE="$tmp/fullchain.pem" $PY manage.py verify_credential "$tmp/credential.jwt" \
  >"$tmp/verify.log" 2>&1; then
  cat "$tmp/verify.log"; fail "a revoked credential still verified"
fi
grep -qi "revoked" "$tmp/verify.log" || { cat "$tmp/verify.log"; fail "no revocation reported"; }
echo "A credential verified through nginx, and failed once revoked."

# The trainer's busiest session (most participants on the marking page).
session=$($PY manage.py shell -v 0 -c "
from django.contrib.auth import get_user_model
from django.db.models import Count
from programs.models import TrainingSession
trainer = get_user_model().objects.get(username='trainer.blk')
print(TrainingSession.objects.filter(program__program_partners__partner=trainer.partner_id)
      .annotate(n=Count('program__enrollments')).order_by('-n', 'pk').first().pk)")
export STACK_MARK_PATH="/sessions/$session/attendance/" STACK_STAFF_SESSION STACK_TRAINER_SESSION
for page in "$STACK_MARK_PATH:$STACK_TRAINER_SESSION" "/inmates/:$STACK_STAFF_SESSION"; do
  code=$(curl_nginx -o /dev/null -w '%{http_code}' -b "sessionid=${page#*:}" "$base${page%%:*}")
  [ "$code" = 200 ] || fail "${page%%:*} answered $code before the load test"
done

echo "-- load: wrk for $LOAD_SECONDS s through nginx ($STACK_MARK_PATH and /inmates/)"
report=$(wrk --threads 2 --connections 8 --duration "${LOAD_SECONDS}s" --timeout 10s \
  --script scripts/ci-stack.lua "$base/")
echo "$report"
result=$(grep "^STACK_RESULT" <<<"$report") || fail "wrk printed no result"
[ "$result" = "STACK_RESULT not_200=0 socket_errors=0" ] || fail "the load test had errors: $result"
for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a process of the stack died under load"; done
echo "The stack served ${LOAD_SECONDS} s of load through nginx without an error."
