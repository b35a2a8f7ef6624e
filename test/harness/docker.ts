import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { LABEL } from '../../src/builder/docker.js';
import { tempDir } from './tmp.js';

/** The local build image .ci/docker.sh makes (no registry is reachable here). */
export const TEST_IMAGE = process.env.LCI_TEST_IMAGE ?? 'lci-build:bookworm';

/** The local arm64 build image .ci/docker-arm64.sh makes; its containers run under qemu emulation. */
export const TEST_IMAGE_ARM64 = process.env.LCI_TEST_IMAGE_ARM64 ?? 'lci-build:bookworm-arm64';

export const docker = new Docker();

/** Fails (never skips) when the engine or the image is missing: these tests need a real Docker. */
export async function requireDocker(): Promise<void> {
  try {
    await docker.ping();
  } catch (e) {
    throw new Error(`no Docker engine (${(e as Error).message}); start one with .ci/docker.sh`);
  }
  try {
    await docker.getImage(TEST_IMAGE).inspect();
  } catch {
    throw new Error(`image ${TEST_IMAGE} is missing; make it with .ci/docker.sh`);
  }
}

/** requireDocker, and the arm64 image with an arm64 config (fails, never skips). */
export async function requireArm64Image(): Promise<void> {
  await requireDocker();
  const info = await docker
    .getImage(TEST_IMAGE_ARM64)
    .inspect()
    .catch(() => {
      throw new Error(`image ${TEST_IMAGE_ARM64} is missing; make it with .ci/docker-arm64.sh`);
    });
  if (info.Architecture !== 'arm64')
    throw new Error(
      `image ${TEST_IMAGE_ARM64} is built for ${info.Architecture}, not arm64; make it with .ci/docker-arm64.sh`,
    );
}

/**
 * One regular file out of an image (a real shared object of that image's architecture, say),
 * through a container that is created, never started, and removed.
 */
export async function fileFromImage(image: string, path: string): Promise<Buffer> {
  const info = await docker.getImage(image).inspect();
  const container = await docker.createContainer({
    Image: image,
    Cmd: ['true'],
    platform: `${info.Os}/${info.Architecture}`,
  } as Docker.ContainerCreateOptions);
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of (await container.getArchive({ path })) as NodeJS.ReadableStream)
      chunks.push(Buffer.from(chunk as Buffer));
    const tar = Buffer.concat(chunks);
    // One ustar entry: a 512-byte header (size in octal at offset 124), then the data.
    if (tar[156] !== 0x30 && tar[156] !== 0) throw new Error(`${path} in ${image} is not a regular file`);
    const size = Number.parseInt(tar.subarray(124, 136).toString('ascii').replace(/\0.*$/, '').trim(), 8);
    return tar.subarray(512, 512 + size);
  } finally {
    await container.remove({ force: true });
  }
}

/**
 * The label lci puts on the build containers of the project whose config sits in `projectDir`:
 * tests count only their own project's containers, so test runs sharing an engine never see
 * each other's.
 */
export function projectLabel(projectDir: string): string {
  return `${LABEL}.project=${join(projectDir, '.lci')}`;
}

/** Containers lci created for one project between two instants, counted by the engine (its event log), not by lci. */
export async function containersCreated(projectDir: string, sinceMs: number, untilMs: number): Promise<number> {
  const stream = (await docker.getEvents({
    since: Math.floor(sinceMs / 1000),
    until: Math.ceil(untilMs / 1000) + 1,
    filters: JSON.stringify({ type: ['container'], event: ['create'], label: [projectLabel(projectDir)] }),
  })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  // The engine's since/until are whole seconds: a container created in the same second before
  // sinceMs would count. Each event carries its time in nanoseconds; keep those inside the window.
  const from = BigInt(sinceMs) * 1_000_000n;
  const to = BigInt(untilMs) * 1_000_000n;
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => BigInt(/"timeNano":(\d+)/.exec(l)?.[1] ?? '0'))
    .filter((t) => t >= from && t <= to).length;
}

/** A project's build containers that still exist, running or not. */
export async function leftoverContainers(projectDir: string): Promise<number> {
  return (await docker.listContainers({ all: true, filters: { label: [projectLabel(projectDir)] } })).length;
}

/**
 * An image whose config says linux/amd64 but whose programs (dash, uname, libc) are aarch64, as
 * `docker import` makes of an arm64 root filesystem on this engine: a few MB taken from the arm64
 * image. Its containers run under emulation and `uname -m` says aarch64. Kept under a fixed tag.
 */
export async function arm64ProgramsAmd64Config(): Promise<string> {
  const tag = 'lci-test:arm64-programs-amd64-config';
  const present = await docker
    .getImage(tag)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (present) return tag;
  const root = join(tempDir(), 'rootfs');
  const files = [
    'usr/bin/dash',
    'usr/bin/uname',
    'usr/lib/aarch64-linux-gnu/libc.so.6',
    'usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1',
  ];
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), await fileFromImage(TEST_IMAGE_ARM64, `/${f}`));
    chmodSync(join(root, f), 0o755);
  }
  symlinkSync('dash', join(root, 'usr/bin/sh'));
  symlinkSync('aarch64-linux-gnu/ld-linux-aarch64.so.1', join(root, 'usr/lib/ld-linux-aarch64.so.1'));
  symlinkSync('usr/bin', join(root, 'bin'));
  symlinkSync('usr/lib', join(root, 'lib'));
  execFileSync('sh', ['-c', 'tar -C "$1" -c . | docker import - "$2" >/dev/null', 'sh', root, tag]);
  return tag;
}
