#!/usr/bin/env bash
# Smoke test of docker-compose.yml: build the images, start the stack, wait until it is healthy,
# check it from the host over the published ports, and always tear it down (with its volumes).
#
#   bash .ci/compose-smoke.sh                    # Compose v2 if `docker compose` works, else v1
#   COMPOSE=docker-compose bash .ci/compose-smoke.sh     # force one variant
#   KEEP_DOCKERD=1 bash .ci/compose-smoke.sh     # leave a dockerd that this script started running
#
# As root it installs what is missing (Debian: docker.io docker-compose busybox-static curl) and
# starts dockerd when no engine answers. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

PROJECT="${COMPOSE_PROJECT:-valet-smoke}"
HEALTHY_TIMEOUT="${HEALTHY_TIMEOUT:-180}"
MAX_IMAGE_MB="${MAX_IMAGE_MB:-25}"
BASE=http://localhost:9001

say() { printf '== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# --- what it needs ----------------------------------------------------------------------------
static_busybox() { [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; }
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v docker >/dev/null || missing+=(docker.io)
command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
static_busybox || missing+=(busybox-static)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || fail "missing ${missing[*]}; run as root or install them"
	say "apt-get install -y ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${missing[@]}" >/dev/null
fi

dockerd_pid=""
dockerd_log=""
stop_dockerd() {
	[ -n "$dockerd_pid" ] || return 0
	if [ -n "${KEEP_DOCKERD:-}" ]; then
		say "leaving dockerd running (pid $dockerd_pid)"
		return 0
	fi
	say "stopping dockerd (pid $dockerd_pid)"
	kill -TERM "$dockerd_pid" 2>/dev/null || true
	for _ in $(seq 30); do kill -0 "$dockerd_pid" 2>/dev/null || return 0; sleep 1; done
	kill -KILL "$dockerd_pid" 2>/dev/null || true
}

compose=()
cleanup() {
	rc=$?
	set +e
	if [ ${#compose[@]} -gt 0 ]; then
		if [ $rc -ne 0 ]; then
			say "logs after failure"
			"${compose[@]}" ps
			"${compose[@]}" logs --no-color --tail 50
		fi
		say "${compose[*]} down -v"
		"${compose[@]}" down -v --remove-orphans </dev/null
	fi
	stop_dockerd
	if [ $rc -eq 0 ]; then say "compose smoke: PASS"; else echo "compose smoke: FAIL (exit $rc)" >&2; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- an engine ----------------------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
	command -v dockerd >/dev/null || fail "no Docker engine answers and there is no dockerd"
	dockerd_log="$(mktemp /tmp/dockerd.XXXXXX.log)"
	say "starting dockerd (log: $dockerd_log)"
	dockerd >"$dockerd_log" 2>&1 </dev/null &
	dockerd_pid=$!
	for _ in $(seq 60); do
		docker info >/dev/null 2>&1 && break
		kill -0 "$dockerd_pid" 2>/dev/null || { tail -n 20 "$dockerd_log" >&2; fail "dockerd exited"; }
		sleep 1
	done
	docker info >/dev/null 2>&1 || { tail -n 20 "$dockerd_log" >&2; fail "dockerd did not answer within 60 s"; }
fi

# --- the build image ----------------------------------------------------------------------------
bash .ci/go-image.sh || fail ".ci/go-image.sh"

# --- which Compose ------------------------------------------------------------------------------
if [ -n "${COMPOSE:-}" ]; then
	read -r -a cmd <<<"$COMPOSE"
elif docker compose version >/dev/null 2>&1; then
	cmd=(docker compose)
else
	cmd=(docker-compose)
fi
say "using ${cmd[*]}: $("${cmd[@]}" version 2>/dev/null | head -n 1)"
compose=("${cmd[@]}" -p "$PROJECT" -f docker-compose.yml)

if curl -s -o /dev/null --max-time 2 "$BASE/healthz"; then
	fail "something already answers on port 9001; stop it first (make run? another compose project?)"
fi
"${compose[@]}" config -q || fail "the compose file is not valid for ${compose[*]}"

# --- up -----------------------------------------------------------------------------------------
say "${compose[*]} up -d --build"
t0=$(date +%s)
"${compose[@]}" up -d --build </dev/null
t1=$(date +%s)
cid="$("${compose[@]}" ps -q authserver)"
[ -n "$cid" ] || fail "no authserver container"

say "waiting for authserver to be healthy (at most ${HEALTHY_TIMEOUT} s)"
status=""
while :; do
	status="$(docker inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{else}}no-healthcheck{{end}}' "$cid")"
	case "$status" in
	running/healthy) break ;;
	*/unhealthy | exited/* | dead/* | */no-healthcheck) fail "authserver is $status" ;;
	esac
	[ $(($(date +%s) - t1)) -lt "$HEALTHY_TIMEOUT" ] || fail "authserver not healthy after ${HEALTHY_TIMEOUT} s ($status)"
	sleep 1
done
t2=$(date +%s)

# --- checks from the host -----------------------------------------------------------------------
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$1"; }

c="$(code "$BASE/healthz")"
[ "$c" = 200 ] || fail "GET /healthz: $c, want 200"
say "GET /healthz: 200"

meta="$(curl -fsS --max-time 10 "$BASE/.well-known/oauth-authorization-server")" ||
	fail "GET /.well-known/oauth-authorization-server failed"
printf '%s' "$meta" | grep -Eq '"issuer"[[:space:]]*:[[:space:]]*"http://localhost:9001"' ||
	fail "metadata has no \"issuer\":\"http://localhost:9001\": $meta"
say "GET /.well-known/oauth-authorization-server: issuer is http://localhost:9001"

c="$(code "$BASE/authorize?client_id=printing&redirect_uri=http%3A%2F%2Fevil.example%2F")"
[ "$c" = 400 ] || fail "GET /authorize with a foreign redirect_uri: $c, want 400 (never a redirect)"
say "GET /authorize?client_id=printing&redirect_uri=http://evil.example/: 400"

user="$(docker inspect -f '{{.Config.User}}' "$cid")"
[ "$user" = 65532:65532 ] || fail "authserver runs as '$user', want 65532:65532"
volume="$(docker inspect -f '{{range .Mounts}}{{if eq .Destination "/data"}}{{.Name}}{{end}}{{end}}' "$cid")"
[ -n "$volume" ] || fail "no volume at /data"
db="$(docker run --rm -v "$volume:/data:ro" --entrypoint /bin/ls golang:1.26-alpine -ln /data/authserver.db)" ||
	fail "no /data/authserver.db in volume $volume"
say "volume $volume holds the database: $db"

image="$(docker inspect -f '{{.Image}}' "$cid")"
bytes="$(docker image inspect -f '{{.Size}}' "$image")"
say "image:"
docker image ls --no-trunc | awk -v id="$image" 'NR == 1 || $3 == id'
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
say "image size: $mb MB (limit $MAX_IMAGE_MB MB)"
awk -v b="$bytes" -v m="$MAX_IMAGE_MB" 'BEGIN { exit !(b <= m * 1e6) }' || fail "image is $mb MB, over $MAX_IMAGE_MB MB"

say "timing: up --build took $((t1 - t0)) s; started -> healthy $((t2 - t1)) s; up -> healthy $((t2 - t0)) s"
