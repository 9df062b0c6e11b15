#!/usr/bin/env bash
# Makes sure the Docker image golang:1.26-alpine exists, the build stage of every Dockerfile here.
#
# 1. If the engine already has it, nothing to do (this takes well under a second).
# 2. Else try to pull it.
# 3. Else (no registry can be reached) build a local stand-in with the same name from this
#    machine's own Go: its GOROOT at /usr/local/go, a static busybox as /bin/sh and the usual
#    applets, the host's CA bundle, /etc/passwd and /etc/group, and /tmp. It has no package
#    manager, so the Dockerfiles must not `apk add`. The module proxy is reached from inside
#    builds through the container's own network, with the host's GOPROXY and GOSUMDB.
#
# Needs: a running Docker engine, Go (`go` on PATH or /usr/local/go/bin), and a static busybox
# (Debian: busybox-static, installed here when missing and we are root).
set -euo pipefail

IMAGE="${GO_IMAGE:-golang:1.26-alpine}"
export PATH="/usr/local/go/bin:$PATH"

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
	echo "go-image: $IMAGE is present"
	exit 0
fi

echo "go-image: $IMAGE is missing; trying to pull it"
if timeout 60 docker pull "$IMAGE" >/tmp/go-image-pull.log 2>&1; then
	echo "go-image: pulled $IMAGE"
	exit 0
fi
echo "go-image: pull failed ($(tail -n 1 /tmp/go-image-pull.log)); building a local stand-in"

# A static busybox: Debian's busybox-static puts it at /bin/busybox.
busybox=""
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1; then busybox=$b; break; fi
done
if [ -z "$busybox" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
	busybox=/bin/busybox
fi
if [ -z "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
	echo "go-image: need a statically linked busybox (apt-get install busybox-static)" >&2
	exit 1
fi

goroot="$(go env GOROOT)"
goversion="$(go env GOVERSION)"
case "$goversion" in
go1.26*) ;;
*) echo "go-image: $IMAGE needs Go 1.26, this machine has $goversion" >&2; exit 1 ;;
esac

dir="$(mktemp -d /tmp/go-image.XXXXXX)"
trap 'rm -rf "$dir"' EXIT

mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,usr/local,etc/ssl/certs,root,go/bin,go/src,go/pkg,tmp,var/tmp}
cp -a "$goroot" "$dir/usr/local/go"
cp "$busybox" "$dir/bin/busybox"
# Every applet as a symlink at its usual place (bin/sh, bin/mkdir, usr/bin/env, ...).
"$busybox" --list-full | while read -r applet; do
	[ -e "$dir/$applet" ] || [ -L "$dir/$applet" ] || ln -s /bin/busybox "$dir/$applet"
done
for a in sh mkdir cp chown chmod ls cat env rm; do
	[ -e "$dir/bin/$a" ] || [ -e "$dir/usr/bin/$a" ] || { echo "go-image: busybox has no $a" >&2; exit 1; }
done
cp -L /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/ca-certificates.crt"
cat >"$dir/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/:/sbin/nologin
EOF
cat >"$dir/etc/group" <<'EOF'
root:x:0:root
nobody:x:65534:
EOF
printf 'hosts: files dns\n' >"$dir/etc/nsswitch.conf"
chmod 1777 "$dir/tmp" "$dir/var/tmp"
chmod 700 "$dir/root"

tar --numeric-owner --owner=0 --group=0 -C "$dir" -c . |
	docker import \
		--change 'ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'ENV GOPATH=/go' \
		--change 'ENV GOTOOLCHAIN=local' \
		--change "ENV GOPROXY=$(go env GOPROXY)" \
		--change "ENV GOSUMDB=$(go env GOSUMDB)" \
		--change "ENV GOLANG_VERSION=${goversion#go}" \
		--change "LABEL org.opencontainers.image.description=\"local stand-in for $IMAGE, built by .ci/go-image.sh from $goversion\"" \
		--change 'WORKDIR /go' \
		--change 'CMD ["/bin/sh"]' \
		- "$IMAGE" >/dev/null

echo "go-image: built stand-in $IMAGE from $goversion ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%d MB", $1/1e6}'))"
# Prove it can build Go at all: go version, a shell, and a writable /tmp.
docker run --rm "$IMAGE" sh -c 'go version && mkdir -p /tmp/x && rm -r /tmp/x' >/dev/null
