import { posix } from 'node:path';
import type { Architecture } from '../config/runtimes.js';

/**
 * Pure: does a layer (or a local wheel) hold code for the function's architecture? Native code
 * is recognised by its ELF header (any file, not only `.so` and `.node`), wheels by the platform
 * tags their `*.dist-info/WHEEL` (or their file name) declares. Each problem names the file and
 * what it is built for.
 */

/** ELF e_machine values (System V ABI, "Machine" field); only these two run on Lambda. */
const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const MACHINE_OF: Record<Architecture, number> = { x86_64: EM_X86_64, arm64: EM_AARCH64 };
const MACHINE_NAMES: Record<number, string> = {
  3: 'x86 (32-bit)',
  40: 'ARM (32-bit)',
  [EM_X86_64]: 'x86-64',
  [EM_AARCH64]: 'arm64 (aarch64)',
};

/** Enough of a file's start to read its ELF header up to e_machine. */
export const ELF_HEADER_BYTES = 20;

/** e_machine of an ELF file, from its first 20 bytes; null when it is not ELF. */
export function elfMachine(head: Buffer): number | null {
  if (head.length < ELF_HEADER_BYTES || head[0] !== 0x7f || head[1] !== 0x45 || head[2] !== 0x4c || head[3] !== 0x46)
    return null;
  const data = head[5]; // EI_DATA: 1 little-endian, 2 big-endian
  if (data === 1) return head.readUInt16LE(18);
  if (data === 2) return head.readUInt16BE(18);
  return null;
}

export function machineName(machine: number): string {
  return MACHINE_NAMES[machine] ?? `ELF machine ${machine}`;
}

/**
 * A wheel platform tag's architecture: `any`, the Lambda architecture of a Linux tag
 * (`linux_x86_64`, `manylinux2014_aarch64`, `manylinux_2_17_x86_64`, `musllinux_1_1_aarch64`),
 * or null for anything else (another CPU, another operating system).
 */
export function platformArchitecture(platform: string): Architecture | 'any' | null {
  if (platform === 'any') return 'any';
  const m = /^(?:linux|manylinux\d*|manylinux_\d+_\d+|musllinux_\d+_\d+)_(x86_64|aarch64)$/.exec(platform);
  if (!m) return null;
  return m[1] === 'aarch64' ? 'arm64' : 'x86_64';
}

/** A wheel fits when one of its platforms is `any` or Linux on the function's architecture. */
function wheelFits(platforms: string[], arch: Architecture): boolean {
  return platforms.some((p) => {
    const a = platformArchitecture(p);
    return a === 'any' || a === arch;
  });
}

/** Platform tags of a `WHEEL` metadata file (`Tag: py3-none-any`, one line per tag). */
export function wheelTagPlatforms(wheelFile: string): string[] {
  return [...wheelFile.matchAll(/^Tag:\s*\S+?-\S+?-(\S+)\s*$/gm)].map((m) => m[1]!);
}

/** Platform tags of a wheel file name (`name-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl`); null if it is no wheel name. */
export function wheelNamePlatforms(fileName: string): string[] | null {
  const parts = posix
    .basename(fileName)
    .replace(/\.whl$/, '')
    .split('-');
  if (!fileName.endsWith('.whl') || parts.length < 5) return null;
  return parts.at(-1)!.split('.');
}

/** Paths that name a platform, as prebuilt packages ship one directory or file per platform (`prebuilds/linux-x64/`, `@esbuild/linux-arm64`). */
const PLATFORM_IN_PATH = /(?:^|[/._-])linux[-_](x64|x86[-_]64|amd64|arm64|aarch64)(?=$|[/._-])/gi;

function pathNamesMachine(path: string, machine: number): boolean {
  for (const m of path.matchAll(PLATFORM_IN_PATH)) {
    const named = /^(arm64|aarch64)$/i.test(m[1]!) ? EM_AARCH64 : EM_X86_64;
    if (named === machine) return true;
  }
  return false;
}

export interface LayerFile {
  /** Path inside the layer ('python/pkg/_native.so'). */
  path: string;
  /** The file's first ELF_HEADER_BYTES bytes (fewer for a smaller file). */
  head: Buffer;
}

/**
 * Every file of a layer built for another architecture, said in words (at most `limit`, then a
 * count). An ELF file whose path names its own platform (`prebuilds/linux-x64/x.node` in an arm64
 * layer) is one of several per-platform builds a package chooses from at run time, not a mistake.
 */
export function layerMismatches(
  arch: Architecture,
  files: LayerFile[],
  wheelFiles: { path: string; text: string }[],
): string[] {
  const want = MACHINE_OF[arch];
  const out: string[] = [];
  for (const f of files) {
    const machine = elfMachine(f.head);
    if (machine === null || machine === want || pathNamesMachine(f.path, machine)) continue;
    out.push(`${f.path} (ELF for ${machineName(machine)})`);
  }
  for (const w of wheelFiles) {
    const platforms = wheelTagPlatforms(w.text);
    if (platforms.length === 0 || wheelFits(platforms, arch)) continue;
    out.push(`${posix.dirname(w.path)} (wheel tagged ${platforms.join(', ')})`);
  }
  return out.sort();
}

/** A local wheel a requirements file names, when its file name says it is for another platform. */
export function localWheelMismatch(arch: Architecture, wheelPath: string): string | null {
  const platforms = wheelNamePlatforms(wheelPath);
  if (!platforms || wheelFits(platforms, arch)) return null;
  return `${wheelPath} (wheel tagged ${platforms.join(', ')})`;
}

/** One line: what is wrong, for which architecture, and what to do. */
export function describeMismatches(arch: Architecture, problems: string[], limit = 5): string {
  const shown = problems.slice(0, limit).join(', ');
  const more = problems.length > limit ? ` and ${problems.length - limit} more` : '';
  const wheels =
    arch === 'arm64'
      ? 'aarch64 (manylinux_*_aarch64) or pure-python (any) wheels'
      : 'x86_64 or pure-python (any) wheels';
  return `the dependencies hold code for another architecture than the function's ${arch}: ${shown}${more}; use ${wheels} and packages built in an ${arch} image, or change architecture`;
}
