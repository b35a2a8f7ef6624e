import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  closeSync,
  constants,
  lstatSync,
  chmodSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRIVATE_DIR_MODE, userCacheDir } from '../private-files.js';
import { lciVersion } from '../version.js';
import type { PathSegment, Unlocated } from './source.js';

/**
 * The verdict of the checks that read nothing but the configuration itself (the schema,
 * references between sections, globs, names, collisions, runtimes, shared layers, build steps),
 * kept in `.lci/cache/` so that a run on a configuration checked before does not check it again.
 * Only a configuration that passed is kept, with its warnings; the checks of the files it names
 * (paths, descriptors, what git tracks) run every time.
 *
 * Trusted only when everything the checks read is the same: the key hashes lci's version and
 * build, the config file's absolute path (a repository is never trusted with another's verdict),
 * how it is shown, the section it sits in, its directory in the repository, the day (runtimes
 * deprecate by date) and the text itself; families expanded from directories add what they
 * expanded to. An entry is signed with a key kept outside the repository (in the user's cache
 * directory), so a verdict committed to the repository or written by anyone else is ignored, as
 * is anything unreadable.
 */

export interface CheckInputs {
  text: string;
  filepath: string;
  shownAs: string;
  root: PathSegment[];
  configDirInRepo: string;
  today: string;
}

/** What a cached verdict holds: what function families expanded to, and the warnings of the checks. */
export interface CachedChecks {
  families: string;
  warnings: Unlocated[];
}

const FORMAT = 1;
const ENTRY = join('cache', 'config-checks.json');

export function checkKey(inputs: CheckInputs, build = buildStamp()): string {
  const h = createHash('sha256');
  for (const part of [
    `lci config checks ${FORMAT}`,
    build,
    inputs.filepath,
    inputs.shownAs,
    JSON.stringify(inputs.root),
    inputs.configDirInRepo,
    inputs.today,
  ])
    h.update(`${part}\0`);
  h.update(inputs.text);
  return h.digest('hex');
}

/** What a configuration's function families expanded to, or '' without families: the checks read it too. */
export function familiesStamp(expanded: unknown, members: Map<string, string>): string {
  if (members.size === 0) return '';
  return createHash('sha256')
    .update(JSON.stringify([...members]))
    .update('\0')
    .update(JSON.stringify(expanded))
    .digest('hex');
}

/** The verdict kept for `key` in `stateDir`, or null (none, another key, a signature that does not hold, anything unreadable). */
export function readChecks(stateDir: string, key: string, env: NodeJS.ProcessEnv = process.env): CachedChecks | null {
  try {
    const secret = signingKey(env, false);
    if (!secret) return null;
    const entry = JSON.parse(readFileSync(join(stateDir, ENTRY), 'utf8')) as Record<string, unknown>;
    if (entry.format !== FORMAT || entry.key !== key || typeof entry.body !== 'string' || typeof entry.mac !== 'string')
      return null;
    const expected = sign(secret, key, entry.body);
    const given = Buffer.from(entry.mac, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const body = JSON.parse(entry.body) as unknown;
    return isCachedChecks(body) ? body : null;
  } catch {
    return null;
  }
}

/** Keeps the verdict for `key`; a cache that cannot be written is no cache, never a failure. */
export function writeChecks(
  stateDir: string,
  key: string,
  checks: CachedChecks,
  env: NodeJS.ProcessEnv = process.env,
): void {
  try {
    const secret = signingKey(env, true);
    if (!secret) return;
    const dir = join(stateDir, 'cache');
    mkdirSync(stateDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    // Never write through a link: .lci or its cache could point anywhere.
    if (lstatSync(stateDir).isSymbolicLink()) return;
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    if (lstatSync(dir).isSymbolicLink()) return;
    chmodSync(dir, PRIVATE_DIR_MODE);
    const body = JSON.stringify(checks);
    const text = JSON.stringify({ format: FORMAT, key, body, mac: sign(secret, key, body).toString('hex') });
    const tmp = join(dir, `config-checks.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    writeExclusive(tmp, text);
    renameSync(tmp, join(stateDir, ENTRY));
  } catch {
    // read-only checkout, full disk: the next run checks again
  }
}

function sign(secret: Buffer, key: string, body: string): Buffer {
  return createHmac('sha256', secret).update(key).update('\0').update(body).digest();
}

/**
 * The signing key, 32 random bytes in the user's cache directory (XDG_CACHE_HOME, else ~/.cache),
 * made on the first write. Null when there is none and it cannot (or need not) be made.
 */
function signingKey(env: NodeJS.ProcessEnv, create: boolean): Buffer | null {
  const dir = userCacheDir(env);
  if (!dir) return null;
  const file = join(dir, 'config-checks.key');
  try {
    const hex = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(hex)) return Buffer.from(hex, 'hex');
    return null;
  } catch {
    if (!create) return null;
  }
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  try {
    writeExclusive(file, randomBytes(32).toString('hex'));
  } catch {
    // another run made it first: use theirs
  }
  const hex = readFileSync(file, 'utf8').trim();
  return /^[0-9a-f]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : null;
}

/** A new file only (never through a link, never over another), readable by its owner alone. */
function writeExclusive(path: string, text: string): void {
  const fd = openSync(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
    0o600,
  );
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function isCachedChecks(v: unknown): v is CachedChecks {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return (
    typeof c.families === 'string' &&
    Array.isArray(c.warnings) &&
    c.warnings.every(
      (w) =>
        typeof w === 'object' &&
        w !== null &&
        Array.isArray((w as Unlocated).path) &&
        (w as Unlocated).path.every((p) => typeof p === 'string' || typeof p === 'number') &&
        ((w as Unlocated).anchor === 'key' || (w as Unlocated).anchor === 'value') &&
        typeof (w as Unlocated).message === 'string',
    )
  );
}

let stamp: string | undefined;

/**
 * lci's version and this build of its configuration checks (the latest change among the files
 * beside this one): a checkout rebuilt or edited under the same version checks again.
 */
function buildStamp(): string {
  if (stamp === undefined) {
    let built = 0;
    try {
      const dir = dirname(fileURLToPath(import.meta.url));
      for (const name of readdirSync(dir)) built = Math.max(built, statSync(join(dir, name)).mtimeMs);
    } catch {
      // bundled or virtual: the version alone
    }
    stamp = `${lciVersion()} ${built}`;
  }
  return stamp;
}
