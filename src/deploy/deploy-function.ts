import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ArtifactStore } from '../aws/artifact-store.js';
import type { AwsClients } from '../aws/clients.js';
import { DeployError, explain, readState, type Timing } from '../aws/lambda.js';
import { codeEntries, type DependencyBuilder, type Workspace } from '../build/build.js';
import type { ResolvedFunction } from '../config/types.js';
import { checkUnzippedSize, groupSizes } from '../package/limits.js';
import { writeZip, type ZipResult } from '../package/zip.js';
import { contentFingerprint, parseVersionDescription, versionDescription } from '../package/fingerprint.js';
import { decide, type Decision, type DepsAction } from './decide.js';
import { release } from './release.js';
import type { Strategy } from './strategy.js';

export interface DeployContext {
  ws: Workspace;
  aws: AwsClients;
  store: ArtifactStore;
  deps: DependencyBuilder;
  timing: Timing;
  sourceVersion: string;
  strategy: Strategy;
  dryRun: boolean;
}

export type DeployStatus = 'PUBLISHED' | 'INTACT' | 'PLANNED' | 'FAILED';

export interface FunctionDeployResult {
  name: string;
  env: string;
  functionName: string;
  alias: string;
  status: DeployStatus;
  /** The version the alias points to after this deploy (before it, for INTACT and PLANNED). */
  version: string | null;
  previousVersion: string | null;
  layer: { action: DepsAction | null; version: number | null };
  code: { action: 'intact' | 'update' | null; sha256: string | null };
  /** S3 objects written. */
  s3: string[];
  /** Lambda calls that changed something, or (dry run) that would. */
  calls: string[];
  console: string;
  error?: string;
}

const UNZIPPED_BYTES = 'lci-unzipped-bytes';

/**
 * One function: package the code, compute the dependency key, read what is live (3 requests),
 * and stop there when nothing changed. Otherwise push what is missing to S3 (building the layer
 * only when no machine has built it before) and release.
 */
export type Phase = 'build' | 'push' | 'release';

export async function deployFunction(r: ResolvedFunction, ctx: DeployContext, report: (m: string) => void, phase: (p: Phase) => void = () => {}): Promise<FunctionDeployResult> {
  const result = failedResult(r, ctx.aws.region);
  const written: string[] = [];
  const s3 = async (what: string, key: string, run: () => Promise<string>) => {
    try {
      written.push(await run());
    } catch (e) {
      throw new DeployError(`${what} ${ctx.store.url(key)} failed: ${(e as Error).name}: ${(e as Error).message}; nothing was released`);
    }
  };
  const upload = (path: string, key: string, metadata?: Record<string, string>) => s3('uploading to', key, () => ctx.store.upload(path, key, metadata));
  const copy = (from: string, to: string) => s3('copying to', to, () => ctx.store.copy(from, to));
  try {
    phase('build');
    report('reading code');
    const dist = join(ctx.ws.stateDir, 'dist', r.name);
    await mkdir(dist, { recursive: true });
    const entries = await codeEntries(r, ctx.ws);
    const codeGroups = groupSizes(entries);
    checkUnzippedSize([{ label: 'code', groups: codeGroups }]);
    const fingerprint = contentFingerprint(entries);
    const dependencies = await ctx.deps.identify(r);
    const inputs = dependencies?.inputs ?? null;
    const depsKey = dependencies?.key ?? null;

    report('reading Lambda');
    // Without dependencies the layer list is not needed: taking ours off is decided from the serving version.
    const state = await readState(ctx.aws.lambda, r.functionName, r.alias, depsKey ? r.layerName : null).catch((e: unknown) => {
      throw explain(e, `reading ${r.functionName}`);
    });
    // The serving version records the fingerprint of its files: equal files need no zip to compare.
    const sameFiles = parseVersionDescription(state.serving.Description).fingerprint === fingerprint;
    let zip: ZipResult | null = null;
    const zipped = async () => {
      if (!zip) {
        report('packaging code');
        zip = await writeZip(entries, join(dist, 'app.zip'));
      }
      return zip;
    };
    const codeSha256 = sameFiles ? state.serving.CodeSha256! : (await zipped()).sha256;
    result.code.sha256 = codeSha256;
    const decision = decide(state, { codeSha256, depsKey, layerName: r.layerName });
    result.code.action = decision.code;
    result.layer = { action: decision.deps, version: state.latestLayer?.version ?? null };
    result.version = state.alias?.version ?? state.serving.Version ?? null;
    if (decision.intact) {
      result.status = 'INTACT';
      return result;
    }
    if (ctx.dryRun) {
      result.status = 'PLANNED';
      result.calls = plannedCalls(r, decision, state.alias === null, ctx.strategy);
      return result;
    }

    const codeKey = ctx.store.key(r.functionName, ctx.sourceVersion, 'app.zip');
    let codeUploaded = false;
    const uploadCode = async () => {
      if (!codeUploaded) {
        const z = await zipped();
        if (z.sha256 !== codeSha256) throw new DeployError(`the code of ${r.name} zipped to CodeSha256 ${z.sha256}, not the ${codeSha256} its fingerprint promised (a different zlib?); re-run`);
        report('uploading code');
        await upload(z.path, codeKey, { 'lci-code-sha256': z.sha256, 'lci-source-version': ctx.sourceVersion });
        await copy(codeKey, ctx.store.key(r.functionName, 'latest', 'app.zip'));
        codeUploaded = true;
      }
      return codeKey;
    };
    phase('push');
    if (decision.code === 'update') await uploadCode();

    const layerKey = async () => {
      const shared = ctx.store.depsKey(depsKey!);
      const cached = await ctx.store.head(shared);
      if (cached) {
        report('dependencies: reusing the layer zip already in S3');
        const bytes = Number(cached[UNZIPPED_BYTES] ?? 0);
        checkUnzippedSize([{ label: 'code', groups: codeGroups }, { label: 'deps', groups: { 'layer (from S3)': bytes } }]);
      } else {
        const layer = (await ctx.deps.layer(r, report, dependencies))!;
        checkUnzippedSize([{ label: 'code', groups: codeGroups }, { label: 'deps', groups: layer.groups }]);
        report('uploading dependencies');
        await upload(layer.path, shared, { [UNZIPPED_BYTES]: String(layer.unzippedBytes), 'lci-deps-key': depsKey! });
      }
      const versioned = ctx.store.key(r.functionName, ctx.sourceVersion, 'deps.zip');
      await copy(shared, versioned);
      await copy(shared, ctx.store.key(r.functionName, 'latest', 'deps.zip'));
      return { key: versioned, depsKey: depsKey! };
    };

    const layerZip = decision.deps === 'publish' ? await layerKey() : null;
    phase('release');
    const outcome = await release(
      {
        fn: r,
        sourceVersion: ctx.sourceVersion,
        state,
        decision,
        codeSha256,
        description: versionDescription(ctx.sourceVersion, fingerprint),
        bucket: ctx.store.bucket,
        codeKey: uploadCode,
        layerZip,
        strategy: ctx.strategy,
      },
      { lambda: ctx.aws.lambda, cloudwatch: ctx.aws.cloudwatch, timing: ctx.timing, report },
    );
    result.calls = outcome.calls;
    result.version = outcome.version;
    result.previousVersion = outcome.previousVersion;
    result.layer.version = outcome.layer.version;
    // After success only: the descriptor that produced the live layer.
    if (inputs) await upload(join(ctx.ws.root, inputs.descriptor), ctx.store.key(r.functionName, 'latest', basename(inputs.descriptor)));
    result.status = 'PUBLISHED';
    return result;
  } catch (e) {
    result.error = (e as Error).message;
    throw Object.assign(e as Error, { result });
  } finally {
    result.s3 = written.map((k) => ctx.store.url(k));
  }
}

/** A function's result before anything succeeded: FAILED until the deploy says otherwise. */
export function failedResult(r: ResolvedFunction, region: string, error?: string): FunctionDeployResult {
  return {
    name: r.name,
    env: r.env,
    functionName: r.functionName,
    alias: r.alias,
    status: 'FAILED',
    version: null,
    previousVersion: null,
    layer: { action: null, version: null },
    code: { action: null, sha256: null },
    s3: [],
    calls: [],
    console: consoleUrl(region, r.functionName, r.alias),
    ...(error === undefined ? {} : { error }),
  };
}

/** What a deploy would call, for --dry-run. */
function plannedCalls(r: ResolvedFunction, d: Decision, noAlias: boolean, strategy: Strategy): string[] {
  const calls: string[] = [];
  if (d.code === 'update') calls.push(`upload app.zip`);
  if (d.deps === 'publish') calls.push(`build or reuse deps.zip, upload it`, `PublishLayerVersion ${r.layerName}`);
  if (d.deps === 'publish' || d.deps === 'attach' || d.deps === 'detach') calls.push(`UpdateFunctionConfiguration ${r.functionName} (layers)`);
  if (d.code === 'update') calls.push(`UpdateFunctionCode ${r.functionName}`);
  calls.push(`PublishVersion ${r.functionName}`);
  if (noAlias) calls.push(`CreateAlias ${r.alias}`);
  else for (const s of strategy.steps) calls.push(`UpdateAlias ${r.alias} (${Math.round(s.weight * 1000) / 10}% for ${s.holdMs / 1000} s)`);
  if (!noAlias) calls.push(`UpdateAlias ${r.alias}`);
  return calls;
}

export function consoleUrl(region: string, functionName: string, alias: string): string {
  return `https://${region}.console.aws.amazon.com/lambda/home?region=${region}#/functions/${encodeURIComponent(functionName)}/aliases/${encodeURIComponent(alias)}`;
}
