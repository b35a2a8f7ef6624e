#!/usr/bin/env bash
# Makes the local arm64 build image the arm64 Docker tests use, run under qemu user emulation.
# Needs the engine .ci/docker.sh starts. Idempotent: reuses the binfmt handler, the arm64 rootfs
# and an existing image.
set -euo pipefail
IMAGE="${LCI_TEST_IMAGE_ARM64:-lci-build:bookworm-arm64}"
ROOTFS="${LCI_ROOTFS_ARM64_DIR:-/var/cache/lci/rootfs-arm64}"
BINFMT=/proc/sys/fs/binfmt_misc
ENTRY="$BINFMT/qemu-aarch64"
LOGS=/var/log/lci

fail() { # fail MESSAGE [LOG]
  echo "docker-arm64: $1" >&2
  if [ -n "${2:-}" ]; then tail -30 "$2" >&2; fi
  exit 1
}

# The handler must be enabled and have the F (fix binary) flag: the kernel then opens the
# interpreter when the handler is registered, so it also runs arm64 binaries inside containers
# and chroots, where /usr/bin/qemu-aarch64-static does not exist.
binfmt_ok() {
  [ -f "$ENTRY" ] && [ "$(head -n1 "$ENTRY")" = enabled ] && grep -q '^flags: .*F' "$ENTRY"
}

mountpoint -q "$BINFMT" || mount -t binfmt_misc binfmt_misc "$BINFMT"

if binfmt_ok && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "docker-arm64: qemu-aarch64 handler enabled, image $IMAGE present"
  exit 0
fi

mkdir -p "$LOGS"
need=()
command -v qemu-aarch64-static >/dev/null || need+=(qemu-user-static)
command -v update-binfmts >/dev/null || need+=(binfmt-support)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [ ${#need[@]} -gt 0 ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } \
    >"$LOGS/qemu-apt.log" 2>&1 || fail "could not install ${need[*]}" "$LOGS/qemu-apt.log"
fi

if ! binfmt_ok; then
  {
    # Debian's registration (/usr/share/binfmts/qemu-aarch64) asks for the F flag already.
    [ -f "$ENTRY" ] || update-binfmts --import qemu-aarch64 || true
    [ -f "$ENTRY" ] || update-binfmts --enable qemu-aarch64 || true
    if [ -f "$ENTRY" ] && [ "$(head -n1 "$ENTRY")" != enabled ]; then echo 1 >"$ENTRY"; fi
    if ! binfmt_ok; then
      # Registered without F (or not at all): register it again by hand, with F.
      def=/usr/share/binfmts/qemu-aarch64
      interp=$(sed -n 's/^interpreter //p' "$def")
      magic=$(sed -n 's/^magic //p' "$def")
      mask=$(sed -n 's/^mask //p' "$def")
      offset=$(sed -n 's/^offset //p' "$def")
      flags=F
      grep -q '^preserve yes' "$def" && flags+=P
      if [ -f "$ENTRY" ]; then echo -1 >"$ENTRY"; fi
      printf ':qemu-aarch64:M:%s:%s:%s:%s:%s\n' "${offset:-0}" "$magic" "$mask" "$interp" "$flags" \
        >"$BINFMT/register"
    fi
    cat "$ENTRY"
  } >"$LOGS/binfmt.log" 2>&1 || true
  binfmt_ok || fail "the qemu-aarch64 binfmt handler is not enabled with the F flag" "$LOGS/binfmt.log"
fi
echo "docker-arm64: qemu-aarch64 handler enabled ($(grep '^flags:' "$ENTRY"))"
if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "docker-arm64: image $IMAGE present"
  exit 0
fi

docker info >/dev/null 2>&1 || fail "no Docker engine; .ci/docker.sh starts it"

if [ ! -x "$ROOTFS/usr/bin/pip3" ] || [ ! -x "$ROOTFS/usr/bin/npm" ]; then
  umount "$ROOTFS/proc" 2>/dev/null || true
  rm -rf --one-file-system "$ROOTFS"; mkdir -p "$ROOTFS"
  debootstrap --arch=arm64 --variant=minbase bookworm "$ROOTFS" >"$LOGS/debootstrap-arm64.log" 2>&1 \
    || fail "debootstrap failed" "$LOGS/debootstrap-arm64.log"
  cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
  mount -t proc proc "$ROOTFS/proc"
  trap 'umount "$ROOTFS/proc" 2>/dev/null || true' EXIT
  { chroot "$ROOTFS" apt-get update -qq \
    && chroot "$ROOTFS" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      python3-pip python3-wheel nodejs npm ca-certificates \
    && chroot "$ROOTFS" apt-get clean; } >"$LOGS/chroot-apt-arm64.log" 2>&1 \
    || fail "installing the packages in the arm64 rootfs failed" "$LOGS/chroot-apt-arm64.log"
  umount "$ROOTFS/proc"; trap - EXIT
fi

# docker import records the engine's architecture (amd64) whatever --platform says, so the image
# goes through docker save, gets architecture arm64 in its config, and is loaded back.
log="$LOGS/image-arm64.log"
tmp_tag="lci-build:arm64-import-$$"
work=$(mktemp -d /var/tmp/lci-arm64-image.XXXXXX)
trap 'docker rmi "$tmp_tag" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
: >"$log"
imported=$(tar -C "$ROOTFS" --exclude=./proc -c . | docker import --platform linux/arm64 - "$tmp_tag" 2>>"$log") \
  || fail "docker import failed" "$log"
docker save "$tmp_tag" 2>>"$log" | tar -C "$work" -x 2>>"$log" || fail "docker save failed" "$log"
python3 - "$work" >>"$log" 2>&1 <<'PY' || fail "editing the saved image failed" "$log"
# Sets architecture arm64 in the image config of a `docker save` directory (docker's own
# layout, and the OCI layout newer engines add) and renames the config, and any OCI manifest or
# index naming it, after its new sha256.
import hashlib, json, os, sys

root = sys.argv[1]
renamed = {}  # old digest -> (new digest, size)

def read(rel):
    with open(os.path.join(root, rel), "rb") as f:
        return f.read()

def store(rel_dir, data, suffix=""):
    digest = hashlib.sha256(data).hexdigest()
    rel = os.path.join(rel_dir, digest + suffix)
    with open(os.path.join(root, rel), "wb") as f:
        f.write(data)
    return rel, "sha256:" + digest

def dump(obj):
    return json.dumps(obj, separators=(",", ":")).encode()

def arm64(obj):
    obj["architecture"] = "arm64"
    obj["variant"] = "v8"
    obj["os"] = "linux"

stale = set()
manifest = json.loads(read("manifest.json"))
for entry in manifest:
    old = entry["Config"]
    config = json.loads(read(old))
    arm64(config)
    name = os.path.basename(old)
    suffix = ".json" if name.endswith(".json") else ""
    new, digest = store(os.path.dirname(old), dump(config), suffix)
    renamed["sha256:" + name[: len(name) - len(suffix)]] = (digest, os.path.getsize(os.path.join(root, new)))
    if new != old:
        stale.add(old)
    entry["Config"] = new
    print(f"config {old} -> {new}")
with open(os.path.join(root, "manifest.json"), "wb") as f:
    f.write(dump(manifest))

# Legacy per-layer "json" files (docker's own layout) carry an architecture too; nothing names
# them by digest.
for name in os.listdir(root):
    legacy = os.path.join(name, "json")
    if os.path.isfile(os.path.join(root, legacy)):
        obj = json.loads(read(legacy))
        if "architecture" in obj:
            arm64(obj)
            with open(os.path.join(root, legacy), "wb") as f:
                f.write(dump(obj))

def fix(desc):
    """Rewrites the OCI blob desc points to if it names a renamed blob; updates desc."""
    changed = False
    if "platform" in desc:
        desc["platform"]["architecture"] = "arm64"
        desc["platform"]["variant"] = "v8"
        changed = True
    digest = desc["digest"]
    if digest in renamed:
        desc["digest"], desc["size"] = renamed[digest]
        return True
    media = desc.get("mediaType", "")
    if "manifest" not in media and "index" not in media:
        return changed
    rel = os.path.join("blobs", *digest.split(":", 1))
    obj = json.loads(read(rel))
    inner = False
    if "config" in obj and obj["config"]["digest"] in renamed:
        obj["config"]["digest"], obj["config"]["size"] = renamed[obj["config"]["digest"]]
        inner = True
    for child in obj.get("manifests", []):
        inner = fix(child) or inner
    if inner:
        data = dump(obj)
        new, new_digest = store(os.path.dirname(rel), data)
        renamed[digest] = (new_digest, len(data))
        stale.add(rel)
        desc["digest"], desc["size"] = new_digest, len(data)
        print(f"{media or 'blob'} {digest} -> {new_digest}")
        changed = True
    return changed

if os.path.isfile(os.path.join(root, "index.json")):
    index = json.loads(read("index.json"))
    for desc in index.get("manifests", []):
        fix(desc)
    with open(os.path.join(root, "index.json"), "wb") as f:
        f.write(dump(index))
    print("layout: docker manifest.json + OCI index.json")
else:
    print("layout: docker manifest.json")
for rel in stale:
    os.remove(os.path.join(root, rel))
PY
tar -C "$work" -c . | docker load >>"$log" 2>&1 || fail "docker load failed" "$log"
docker tag "$tmp_tag" "$IMAGE" >>"$log" 2>&1 || fail "docker tag failed" "$log"
docker rmi "$tmp_tag" "$imported" >>"$log" 2>&1 || true

platform=$(docker image inspect --format '{{.Os}}/{{.Architecture}}' "$IMAGE")
machine=$(docker run --rm --network none --platform linux/arm64 "$IMAGE" uname -m 2>>"$log" || true)
if [ "$platform" != linux/arm64 ] || [ "$machine" != aarch64 ]; then
  docker rmi "$IMAGE" >/dev/null 2>&1 || true
  fail "$IMAGE is $platform and runs as '$machine', not linux/arm64 and aarch64" "$log"
fi
echo "docker-arm64: image $IMAGE built"
