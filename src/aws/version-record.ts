/**
 * What lci records in the Description of every version it publishes, so that any machine can
 * read back, from the version alone, what it was built from: the source version, the code
 * fingerprint, the dependency key of its layer, and the version the alias served before it.
 * Lambda limits a Description to 256 characters; a source version is at most 128.
 *
 *   <sourceVersion> (lci code <fingerprint>[ deps <key>][ layers <digest>][ prev <version>])
 */
export interface VersionRecord {
  sourceVersion: string;
  fingerprint: string;
  /** The dependency key of the lci layer this version runs with; absent when it has none or it was not recorded. */
  depsKey?: string;
  /** The digest of the shared layers' names and keys it runs with (sharedLayersDigest); absent without shared layers. */
  layers?: string;
  /** The version the alias served before this one was released (for rollback). */
  previous?: string;
}

export function formatVersionRecord(r: VersionRecord): string {
  const extra = `${r.depsKey ? ` deps ${r.depsKey}` : ''}${r.layers ? ` layers ${r.layers}` : ''}${r.previous ? ` prev ${r.previous}` : ''}`;
  return `${r.sourceVersion} (lci code ${r.fingerprint}${extra})`.slice(0, 256);
}

/** Whatever the Description records; fields lci did not write (or an older lci did not) are absent. */
export function parseVersionRecord(description: string | undefined): Partial<VersionRecord> {
  if (!description) return {};
  const m = /^(\S+) \(lci code ([0-9a-f]{20})((?: \w+ \S+)*)\)$/.exec(description);
  if (!m) return { sourceVersion: description.split(' ')[0] || undefined };
  const out: Partial<VersionRecord> = { sourceVersion: m[1]!, fingerprint: m[2]! };
  for (const [, key, value] of m[3]!.matchAll(/ (\w+) (\S+)/g)) {
    if (key === 'deps') out.depsKey = value!;
    if (key === 'layers') out.layers = value!;
    if (key === 'prev') out.previous = value!;
  }
  return out;
}

/**
 * Why a source version cannot name S3 keys (`<prefix>/<function>/<sourceVersion>/app.zip`), or
 * undefined: one safe key segment, never a name lci's own keys use. Pure.
 */
export function sourceVersionProblem(v: string): string | undefined {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(v))
    return "must be 1 to 128 letters, digits, '.', '_' and '-' (it becomes part of S3 keys)";
  if (v === '.' || v === '..') return 'is a path step, not a name; use a commit sha or a release name';
  if (v === 'latest')
    return 'is reserved for the latest/ copies lci keeps beside each version; use a commit sha or a release name';
  if (v.startsWith('_')) return "starts with '_', reserved for lci's own keys";
  return undefined;
}

/**
 * A layer version lci publishes records its dependency key, so any machine can tell without
 * building whether deps changed, and the SHA-256 of the zip lci checked before publishing it: only
 * a role that may publish the layer writes a Description, so a cached zip is trusted when a
 * version records its digest (never by what its S3 metadata says).
 */
export function layerDescription(key: string, sourceVersion: string, zipSha256?: string): string {
  return `lci deps ${key}${zipSha256 ? ` zip ${zipSha256}` : ''} from ${sourceVersion}`.slice(0, 256);
}

/** The zip digest (base64 SHA-256, as Lambda's CodeSha256) a Description records; null for one an older lci wrote. */
export function zipOfLayer(description: string): string | null {
  return /^lci deps [0-9a-f]{16,64} zip ([A-Za-z0-9+/]{43}=) /.exec(description)?.[1] ?? null;
}

export function keyOfLayer(description: string): string | null {
  return /^lci deps ([0-9a-f]{16,64})\b/.exec(description)?.[1] ?? null;
}
