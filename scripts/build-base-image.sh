#!/usr/bin/env bash
# Builds a Java 17 runtime base image from Debian packages, for hosts where no container registry is reachable
# (only a Debian mirror). The result is what src/main/docker/Dockerfile.jvm needs: glibc, bash, useradd, a JRE.
#   scripts/build-base-image.sh [image-name]        (default qwen-jre-base:bookworm; needs root, debootstrap, docker)
#   docker build --build-arg BASE_IMAGE=qwen-jre-base:bookworm -f src/main/docker/Dockerfile.jvm -t qwen-image-api .
set -euo pipefail

IMAGE="${1:-qwen-jre-base:bookworm}"
SUITE="${SUITE:-bookworm}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

if docker image inspect "$IMAGE" > /dev/null 2>&1; then
    echo "base image $IMAGE exists"
    exit 0
fi
for tool in debootstrap docker; do
    command -v "$tool" > /dev/null || { echo "needs $tool (apt-get install debootstrap docker.io)" >&2; exit 1; }
done

ROOTFS="$(mktemp -d /tmp/qwen-rootfs.XXXXXX)"
trap 'rm -rf "$ROOTFS"' EXIT
debootstrap --variant=minbase --include=openjdk-17-jre-headless,passwd,ca-certificates \
    "$SUITE" "$ROOTFS" "$MIRROR" > "$ROOTFS.log" 2>&1 || { tail -20 "$ROOTFS.log" >&2; exit 1; }
rm -f "$ROOTFS.log"
# a smaller image: no package lists, caches, docs or man pages
chroot "$ROOTFS" apt-get clean
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/var/cache/*
tar -C "$ROOTFS" -c . | docker import \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$IMAGE" > /dev/null
echo "built $IMAGE"
