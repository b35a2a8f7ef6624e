#!/usr/bin/env bash
# Installs and starts a Docker engine and makes the local build image the Docker tests use.
# Idempotent: reuses a running engine and an existing image.
set -euo pipefail
IMAGE="${LCI_TEST_IMAGE:-lci-build:bookworm}"
ROOTFS="${LCI_ROOTFS_DIR:-/var/cache/lci/rootfs}"

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  mkdir -p /var/log/lci
  (dockerd --iptables=false --storage-driver=overlay2 >/var/log/lci/dockerd.log 2>&1 &) 
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    # overlay2 is not available everywhere (e.g. nested overlayfs); vfs always works.
    pkill dockerd || true; sleep 2
    (dockerd --iptables=false --storage-driver=vfs >/var/log/lci/dockerd.log 2>&1 &)
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  fi
  docker info >/dev/null 2>&1 || { echo "docker engine did not start; see /var/log/lci/dockerd.log" >&2; tail -20 /var/log/lci/dockerd.log >&2; exit 1; }
fi

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "docker: engine up, image $IMAGE present"
  exit 0
fi

if [ ! -x "$ROOTFS/usr/bin/pip3" ] || [ ! -x "$ROOTFS/usr/bin/npm" ]; then
  rm -rf "$ROOTFS"; mkdir -p "$ROOTFS"
  debootstrap --variant=minbase bookworm "$ROOTFS" >/var/log/lci/debootstrap.log 2>&1 \
    || { tail -30 /var/log/lci/debootstrap.log >&2; exit 1; }
  cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
  mount -t proc proc "$ROOTFS/proc"
  trap 'umount "$ROOTFS/proc" 2>/dev/null || true' EXIT
  chroot "$ROOTFS" apt-get update -qq
  chroot "$ROOTFS" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    python3-pip python3-wheel nodejs npm ca-certificates >/var/log/lci/chroot-apt.log 2>&1 \
    || { tail -30 /var/log/lci/chroot-apt.log >&2; exit 1; }
  chroot "$ROOTFS" apt-get clean
  umount "$ROOTFS/proc"; trap - EXIT
fi
tar -C "$ROOTFS" --exclude=./proc -c . | docker import - "$IMAGE" >/dev/null
echo "docker: engine up, image $IMAGE built"
