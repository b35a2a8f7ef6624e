import type {
  AliasConfiguration,
  Architecture,
  FunctionCodeLocation,
  FunctionConfiguration,
  LambdaClient,
  Runtime,
} from '@aws-sdk/client-lambda';
import { lambdaSdk } from './sdk.js';
import { AwsAnswerError, DeployError, FunctionMissingError, LciError } from '../errors.js';
import { keyOfLayer } from './version-record.js';
import { nextPoll } from './poll-schedule.js';

/** The Lambda edge: the calls lci makes, with AWS's errors turned into sentences. */

export interface AliasState {
  name: string;
  arn: string;
  version: string;
  revisionId: string;
  /** Extra version → weight while traffic shifts. */
  weights: Record<string, number>;
}

export interface LayerState {
  arn: string;
  version: number;
  description: string;
}

/** What is live: the alias and the configuration of the version it serves. */
export interface DeployedState {
  alias: AliasState | null;
  /** Configuration of the alias's version ($LATEST when there is no alias yet). */
  serving: FunctionConfiguration;
  /** Where that version's code lives. */
  code: CodeLocation;
  /** The function's tags, as the first read returned them (a shift lci marked shows there). */
  tags: Record<string, string>;
}

export function errorName(e: unknown): string {
  return (e as { name?: string })?.name ?? '';
}

function notFound(e: unknown): boolean {
  return (
    errorName(e) === 'ResourceNotFoundException' ||
    (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404
  );
}

/**
 * A function that is not there, said with where lci looked: the region of the client, and the
 * account from the ARN in Lambda's own "Function not found: arn:aws:lambda:REGION:ACCOUNT:…"
 * (no extra call), else from the credentials when their provider knows it.
 */
async function functionMissing(lambda: LambdaClient, functionName: string, e: unknown): Promise<FunctionMissingError> {
  const region = await lambda.config.region().catch(() => null);
  const account =
    /arn:aws[\w-]*:lambda:[\w-]+:(\d{12}):function:/.exec((e as Error)?.message ?? '')?.[1] ??
    (await lambda.config
      .credentials()
      .then((c) => c.accountId)
      .catch(() => undefined));
  const where = [region && `region ${region}`, account && `account ${account}`].filter(Boolean).join(' of ');
  return new FunctionMissingError(
    `function ${functionName} does not exist${where ? ` in ${where}` : ''}; create it first (Terraform, or lci generate --with-functions), or point lci where it is (artifacts.region, --region or AWS_REGION; the account's credentials, e.g. AWS_PROFILE)`,
  );
}

/**
 * Where a version's code lives, as GetFunction says: a copy in Lambda's own storage (counted against
 * the region's code storage), or a reference to one object version in S3 (Code.ResolvedS3Object).
 */
export type CodeLocation =
  | { storage: 'copy' }
  | { storage: 'reference'; bucket: string; key: string; objectVersion: string | null };

export function codeLocationOf(code: FunctionCodeLocation | undefined): CodeLocation {
  const o = code?.ResolvedS3Object;
  if (!o) return { storage: 'copy' };
  return {
    storage: 'reference',
    bucket: o.S3Bucket ?? '',
    key: o.S3Key ?? '',
    objectVersion: o.S3ObjectVersion ?? null,
  };
}

/** A zip in S3 to deploy: pinned to an object version when the bucket keeps versions, copied or referenced. */
export interface S3Code {
  bucket: string;
  key: string;
  objectVersion: string | null;
  storage: 'copy' | 'reference';
}

/** An artifact of a plan in the bucket, kept the given way. */
export function s3Code(
  bucket: string,
  artifact: { key: string; s3ObjectVersion: string | null },
  storage: 'copy' | 'reference',
): S3Code {
  return { bucket, key: artifact.key, objectVersion: artifact.s3ObjectVersion, storage };
}

/** `s3://bucket/key`, with `?versionId=` when pinned. */
export function s3Url(bucket: string, artifact: { key: string; s3ObjectVersion: string | null }): string {
  return `s3://${bucket}/${artifact.key}${artifact.s3ObjectVersion ? `?versionId=${artifact.s3ObjectVersion}` : ''}`;
}

/** What UpdateFunctionCode and PublishLayerVersion take of an S3Code (S3ObjectStorageMode only when it references). */
function s3Source(code: S3Code) {
  return {
    S3Bucket: code.bucket,
    S3Key: code.key,
    ...(code.objectVersion ? { S3ObjectVersion: code.objectVersion } : {}),
    ...(code.storage === 'reference' ? { S3ObjectStorageMode: 'REFERENCE' as const } : {}),
  };
}

/** The configuration of what an alias serves, from one GetFunction. */
export interface Serving {
  /** The configuration of the alias's version; of $LATEST when the alias does not exist. */
  config: FunctionConfiguration;
  /** Where that version's code lives (GetFunction's Code, returned with the configuration). */
  code: CodeLocation;
  aliasExists: boolean;
  /** The function's tags (GetFunction returns them to a caller allowed lambda:ListTags): lci marks a shift in progress there. */
  tags: Record<string, string>;
}

/**
 * One GetFunction of the alias (GetFunction has its own 100/s quota, beside the 15/s every other
 * read and write shares): the configuration of the version it serves, with its Description,
 * CodeSha256 and Layers: all a no-op deploy reads. Without the alias, $LATEST; without the
 * function, FunctionMissingError.
 */
export async function readServing(lambda: LambdaClient, functionName: string, alias: string): Promise<Serving> {
  try {
    const r = await lambda.send(new (lambdaSdk().GetFunctionCommand)({ FunctionName: functionName, Qualifier: alias }));
    return { config: r.Configuration!, code: codeLocationOf(r.Code), aliasExists: true, tags: r.Tags ?? {} };
  } catch (e) {
    if (!notFound(e)) throw explain(e, `reading function ${functionName}`);
  }
  const latest = await getFunction(lambda, functionName, '$LATEST').catch(async (e: unknown) => {
    if (notFound(e)) throw await functionMissing(lambda, functionName, e);
    throw explain(e, `reading function ${functionName}`);
  });
  return { ...latest, aliasExists: false, tags: {} };
}

/**
 * The alias (with its routing weights: GetFunction does not return them) and the configuration of
 * the version it serves, consistent with each other even when the alias moved between the reads.
 */
export async function readState(
  lambda: LambdaClient,
  functionName: string,
  alias: string,
  known?: Serving,
): Promise<DeployedState> {
  const serving = known ?? (await readServing(lambda, functionName, alias));
  const a = serving.aliasExists ? await getAlias(lambda, functionName, alias) : null;
  if (a === null && serving.aliasExists) {
    // The alias went away between the reads: what does $LATEST say?
    const latest = await readServing(lambda, functionName, '$LATEST');
    return { alias: null, serving: latest.config, code: latest.code, tags: serving.tags };
  }
  // The alias moved between the reads: read the version it now serves.
  const read =
    a === null || serving.config.Version === a.version ? serving : await getFunction(lambda, functionName, a.version);
  return { alias: a, serving: read.config, code: read.code, tags: serving.tags };
}

/**
 * The version of a layer that stands for a content key: the oldest that carries it in its
 * Description (and that `accept` takes, when given). Versions with the same key published later (a
 * race between shards, pipelines or laptops) are duplicates: whoever looks, before or after them,
 * agrees on the oldest. Null when no version carries the key (or the layer does not exist). Reads
 * every page (newest first).
 */
export async function findLayerVersion(
  lambda: LambdaClient,
  layerName: string,
  key: string,
  accept: (v: LayerState) => Promise<boolean> = async () => true,
): Promise<LayerState | null> {
  const versions = await listLayerVersions(lambda, layerName).catch((e: unknown) => {
    throw explain(e, `reading layer ${layerName}`);
  });
  for (const v of versions.filter((x) => keyOfLayer(x.description) === key).sort((a, b) => a.version - b.version))
    if (await accept(v)) return v;
  return null;
}

/** A qualifier's configuration, read with GetFunction: its 100/s quota, not the 15/s that writes share. */
export async function getConfiguration(
  lambda: LambdaClient,
  functionName: string,
  qualifier: string,
): Promise<FunctionConfiguration> {
  return (await getFunction(lambda, functionName, qualifier)).config;
}

/** A qualifier's configuration and where its code lives: one GetFunction. */
export async function getFunction(
  lambda: LambdaClient,
  functionName: string,
  qualifier: string,
): Promise<{ config: FunctionConfiguration; code: CodeLocation }> {
  const r = await lambda.send(
    new (lambdaSdk().GetFunctionCommand)({ FunctionName: functionName, Qualifier: qualifier }),
  );
  return { config: r.Configuration!, code: codeLocationOf(r.Code) };
}

/** A published version's configuration, or null when that version does not exist. */
export async function findVersion(
  lambda: LambdaClient,
  functionName: string,
  version: string,
): Promise<FunctionConfiguration | null> {
  try {
    return await getConfiguration(lambda, functionName, version);
  } catch (e) {
    if (notFound(e)) return null;
    throw explain(e, `reading version ${version} of ${functionName}`);
  }
}

/** A layer version's Description, or null when the version is gone. */
export async function layerVersionDescription(lambda: LambdaClient, arn: string): Promise<string | null> {
  return (await layerVersion(lambda, arn))?.description ?? null;
}

/**
 * A layer version's Description, the SHA-256 Lambda computed of its content (base64) and where that
 * content lives (Content.ResolvedS3Object for a REFERENCE layer), or null when it does not exist.
 */
export async function layerVersion(
  lambda: LambdaClient,
  arn: string,
): Promise<{ description: string; codeSha256: string; code: CodeLocation } | null> {
  try {
    const cut = arn.lastIndexOf(':');
    const r = await lambda.send(
      new (lambdaSdk().GetLayerVersionCommand)({
        LayerName: arn.slice(0, cut),
        VersionNumber: Number(arn.slice(cut + 1)),
      }),
    );
    return {
      description: r.Description ?? '',
      codeSha256: r.Content?.CodeSha256 ?? '',
      code: codeLocationOf(r.Content),
    };
  } catch (e) {
    if (notFound(e)) return null;
    throw e;
  }
}

export async function getAlias(lambda: LambdaClient, functionName: string, alias: string): Promise<AliasState | null> {
  try {
    return toAlias(await lambda.send(new (lambdaSdk().GetAliasCommand)({ FunctionName: functionName, Name: alias })));
  } catch (e) {
    if (notFound(e)) return null;
    throw explain(e, `reading alias ${alias} of ${functionName}`);
  }
}

export async function listVersions(lambda: LambdaClient, functionName: string): Promise<FunctionConfiguration[]> {
  // The largest page Lambda serves: each page is a request of the 15/s budget.
  return allPages(async (Marker) => {
    const r = await lambda.send(
      new (lambdaSdk().ListVersionsByFunctionCommand)({ FunctionName: functionName, Marker, MaxItems: 10_000 }),
    );
    return { items: r.Versions ?? [], next: r.NextMarker };
  });
}

/** Every alias of the function, whoever made it. */
export async function listAliases(lambda: LambdaClient, functionName: string): Promise<AliasState[]> {
  return allPages(async (Marker) => {
    const r = await lambda.send(
      new (lambdaSdk().ListAliasesCommand)({ FunctionName: functionName, Marker, MaxItems: 10_000 }),
    );
    return { items: (r.Aliases ?? []).map(toAlias), next: r.NextMarker };
  });
}

/** Every version of a layer that exists, newest first; none when the layer does not. */
export async function listLayerVersions(lambda: LambdaClient, layerName: string): Promise<LayerState[]> {
  try {
    return await allPages(async (Marker) => {
      const r = await lambda.send(
        new (lambdaSdk().ListLayerVersionsCommand)({ LayerName: layerName, Marker, MaxItems: 50 }),
      );
      const items = (r.LayerVersions ?? []).map((v) => ({
        arn: v.LayerVersionArn!,
        version: Number(v.Version),
        description: v.Description ?? '',
      }));
      return { items, next: r.NextMarker };
    });
  } catch (e) {
    if (notFound(e)) return [];
    throw e;
  }
}

/** A function of the account, as ListFunctions lists it. */
export interface ListedFunction {
  name: string;
  arn: string;
}

/** Every function of the region: 50 a page, whatever MaxItems asks (each page a request of the 15/s budget). */
export async function listFunctions(lambda: LambdaClient): Promise<ListedFunction[]> {
  return allPages(async (Marker) => {
    const r = await lambda.send(new (lambdaSdk().ListFunctionsCommand)({ Marker, MaxItems: 50 }));
    const items = (r.Functions ?? []).map((f) => ({ name: f.FunctionName!, arn: f.FunctionArn! }));
    return { items, next: r.NextMarker };
  });
}

/** A function's tags, CloudFormation's aws:cloudformation:* ones included. */
export async function functionTags(lambda: LambdaClient, arn: string): Promise<Record<string, string>> {
  return (await lambda.send(new (lambdaSdk().ListTagsCommand)({ Resource: arn }))).Tags ?? {};
}

async function allPages<T>(
  page: (marker: string | undefined) => Promise<{ items: T[]; next: string | undefined }>,
): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  do {
    const r = await page(marker);
    out.push(...r.items);
    marker = r.next;
  } while (marker);
  return out;
}

/**
 * Deletes one published version. Lambda itself refuses while an alias serves it or routes traffic
 * to it: then false (it stays), whatever was read before.
 */
export async function deleteVersion(lambda: LambdaClient, functionName: string, version: string): Promise<boolean> {
  if (!/^\d+$/.test(version))
    throw new Error(`refusing to delete ${functionName}:${version}: only numbered versions are deleted`);
  try {
    await lambda.send(new (lambdaSdk().DeleteFunctionCommand)({ FunctionName: functionName, Qualifier: version }));
    return true;
  } catch (e) {
    if (errorName(e) === 'ResourceConflictException') return false;
    throw e;
  }
}

export async function deleteLayerVersion(lambda: LambdaClient, layerName: string, version: number): Promise<void> {
  await lambda.send(new (lambdaSdk().DeleteLayerVersionCommand)({ LayerName: layerName, VersionNumber: version }));
}

/**
 * Bytes of code stored in the region (AccountUsage.TotalCodeSize) and the limit
 * (AccountLimit.TotalCodeSize); or, when GetAccountSettings was not answered, why not.
 */
export type Storage = { used: number; limit: number } | { unknown: string };

/**
 * The region's code storage: every function version and layer version counts against the limit.
 * Informational (no decision rests on it), so it never fails a command: a role without
 * lambda:GetAccountSettings (an action IAM grants only on "*"), or an endpoint that does not answer
 * it, gives `unknown` and the reason.
 */
export async function codeStorage(lambda: LambdaClient): Promise<Storage> {
  try {
    const r = await lambda.send(new (lambdaSdk().GetAccountSettingsCommand)({}));
    return { used: r.AccountUsage?.TotalCodeSize ?? 0, limit: r.AccountLimit?.TotalCodeSize ?? 0 };
  } catch (e) {
    return { unknown: unanswered(e, 'GetAccountSettings') };
  }
}

/** Why an optional read got no answer, in a few words (no SDK internals). */
function unanswered(e: unknown, operation: string): string {
  const name = errorName(e);
  const raw = e as { $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number } };
  const status = raw?.$metadata?.httpStatusCode ?? raw?.$response?.statusCode;
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || status === 403)
    return `not permitted to call lambda:${operation}`;
  // an answer that is not Lambda's (an HTML page): the SDK could not read it
  if (e instanceof AwsAnswerError)
    return `the endpoint does not answer ${operation}${e.status ? ` (HTTP ${e.status})` : ''}`;
  if (name === 'SyntaxError' || raw?.$response !== undefined)
    return `the endpoint does not answer ${operation}${status ? ` (HTTP ${status})` : ''}`;
  return `${operation} failed: ${name || 'error'}`;
}

function toAlias(a: AliasConfiguration): AliasState {
  return {
    name: a.Name!,
    arn: a.AliasArn ?? '',
    version: a.FunctionVersion!,
    revisionId: a.RevisionId!,
    weights: { ...(a.RoutingConfig?.AdditionalVersionWeights ?? {}) },
  };
}

export interface Timing {
  /** Poll delay while an update is in progress: steady for steadyMs, then doubling up to maxPollMs. */
  pollMs: number;
  /** The first read after a write that started an update. */
  firstPollMs: number;
  steadyMs: number;
  maxPollMs: number;
  /** Give up waiting for an update after this long. */
  updateTimeoutMs: number;
  /** Retries of a call refused because another update is in progress. */
  conflictRetries: number;
}

export const DEFAULT_TIMING: Timing = {
  pollMs: 250,
  firstPollMs: 500,
  steadyMs: 3000,
  maxPollMs: 5000,
  updateTimeoutMs: 10 * 60_000,
  conflictRetries: 5,
};

/**
 * Polls $LATEST until its last update is no longer in progress; a failed update is an error with
 * AWS's reason. Every `pollMs` for the first `steadyMs` (a code update takes a second or two; a
 * coarser poll would wait longer than the update), then backing off to `maxPollMs`, at a fixed
 * rate (poll-schedule.ts). `afterWrite`: a write just started the update, so the first read waits
 * `firstPollMs` (no update is done sooner) instead of asking at once.
 */
export async function waitForUpdate(
  lambda: LambdaClient,
  functionName: string,
  timing: Timing,
  afterWrite = false,
): Promise<FunctionConfiguration> {
  return (await waitForIdle(lambda, functionName, timing, afterWrite)).config;
}

/** waitForUpdate, with where $LATEST's code lives (the same GetFunction answers both). */
export async function waitForIdle(
  lambda: LambdaClient,
  functionName: string,
  timing: Timing,
  afterWrite = false,
): Promise<{ config: FunctionConfiguration; code: CodeLocation }> {
  const started = Date.now();
  const deadline = started + timing.updateTimeoutMs;
  let poll = { due: afterWrite ? timing.firstPollMs : 0, gap: timing.pollMs };
  for (;;) {
    const wait = started + poll.due - Date.now();
    if (wait > 0) await sleep(wait);
    const read = await getFunction(lambda, functionName, '$LATEST');
    const c = read.config;
    if (c.LastUpdateStatus === 'Failed') {
      throw new DeployError(
        `the update of ${functionName} failed: ${c.LastUpdateStatusReason ?? 'no reason given'} (${c.LastUpdateStatusReasonCode ?? 'no code'}); the alias was not moved`,
      );
    }
    if (c.LastUpdateStatus !== 'InProgress' && c.State !== 'Pending') return read;
    if (Date.now() > deadline)
      throw new DeployError(
        `${functionName} was still updating after ${Math.round(timing.updateTimeoutMs / 1000)} s; the alias was not moved`,
      );
    poll = nextPoll(timing, poll, Date.now() - started);
  }
}

/** Runs a call; while Lambda answers "an update is in progress", waits for it and tries again (bounded). */
async function whenIdle<T>(
  lambda: LambdaClient,
  functionName: string,
  timing: Timing,
  call: () => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (errorName(e) !== 'ResourceConflictException' || attempt >= timing.conflictRetries) throw e;
      await waitForUpdate(lambda, functionName, timing);
    }
  }
}

export async function publishLayer(
  lambda: LambdaClient,
  functionName: string,
  p: {
    layerName: string;
    code: S3Code;
    description: string;
    runtimes: string[];
    architectures: string[];
  },
  timing: Timing,
): Promise<LayerState & { codeSha256: string }> {
  const r = await whenIdle(lambda, functionName, timing, () =>
    lambda.send(
      new (lambdaSdk().PublishLayerVersionCommand)({
        LayerName: p.layerName,
        Description: p.description,
        Content: s3Source(p.code),
        CompatibleRuntimes: p.runtimes as Runtime[],
        CompatibleArchitectures: p.architectures as Architecture[],
      }),
    ),
  );
  return {
    arn: r.LayerVersionArn!,
    version: Number(r.Version),
    description: r.Description ?? '',
    codeSha256: r.Content?.CodeSha256 ?? '',
  };
}

export function updateLayers(
  lambda: LambdaClient,
  functionName: string,
  layers: string[],
  revisionId: string,
  timing: Timing,
): Promise<FunctionConfiguration> {
  return whenIdle(lambda, functionName, timing, () =>
    lambda.send(
      new (lambdaSdk().UpdateFunctionConfigurationCommand)({
        FunctionName: functionName,
        Layers: layers,
        RevisionId: revisionId,
      }),
    ),
  );
}

/** UpdateFunctionCode from S3; a REFERENCE update must say so on every call (omitted, Lambda copies). */
export function updateCode(
  lambda: LambdaClient,
  functionName: string,
  code: S3Code,
  revisionId: string,
  timing: Timing,
): Promise<FunctionConfiguration> {
  return whenIdle(lambda, functionName, timing, () =>
    lambda.send(
      new (lambdaSdk().UpdateFunctionCodeCommand)({
        FunctionName: functionName,
        ...s3Source(code),
        RevisionId: revisionId,
        Publish: false,
      }),
    ),
  );
}

export function publishVersion(
  lambda: LambdaClient,
  functionName: string,
  codeSha256: string,
  revisionId: string,
  description: string,
  timing: Timing,
): Promise<FunctionConfiguration> {
  return whenIdle(lambda, functionName, timing, () =>
    lambda.send(
      new (lambdaSdk().PublishVersionCommand)({
        FunctionName: functionName,
        CodeSha256: codeSha256,
        RevisionId: revisionId,
        Description: description,
      }),
    ),
  );
}

export async function moveAlias(
  lambda: LambdaClient,
  functionName: string,
  alias: string,
  version: string,
  weights: Record<string, number>,
  revisionId: string,
  timing: Timing = DEFAULT_TIMING,
): Promise<AliasState> {
  const r = await whenIdle(lambda, functionName, timing, () =>
    lambda.send(
      new (lambdaSdk().UpdateAliasCommand)({
        FunctionName: functionName,
        Name: alias,
        FunctionVersion: version,
        RoutingConfig: { AdditionalVersionWeights: weights },
        RevisionId: revisionId,
      }),
    ),
  );
  return toAlias(r);
}

export async function createAlias(
  lambda: LambdaClient,
  functionName: string,
  alias: string,
  version: string,
  timing: Timing = DEFAULT_TIMING,
): Promise<AliasState> {
  return toAlias(
    await whenIdle(lambda, functionName, timing, () =>
      lambda.send(
        new (lambdaSdk().CreateAliasCommand)({ FunctionName: functionName, Name: alias, FunctionVersion: version }),
      ),
    ),
  );
}

/** AWS's error, as a sentence that says what happened to the deploy and what to do. */
export function explain(e: unknown, doing: string): LciError {
  if (e instanceof AwsAnswerError && !e.located) return new AwsAnswerError(`${doing}: ${e.message}`, true, e.status);
  if (e instanceof LciError) return e;
  const name = errorName(e);
  const message = (e as Error)?.message ?? String(e);
  switch (name) {
    case 'PreconditionFailedException':
      return new DeployError(
        `${doing}: changed by someone else since this deploy read it (another deploy?); this deploy stops here and the alias keeps what the other one set. Re-run to deploy on top of it`,
      );
    case 'ResourceConflictException':
      return new DeployError(
        `${doing}: Lambda kept refusing because another update was in progress (${message}); re-run when it is done`,
      );
    case 'TooManyRequestsException':
      return new DeployError(
        `${doing}: throttled by Lambda after waiting and retrying (${message}); something else spends the account's Lambda request budget: re-run, or lower --rate`,
      );
    case 'InvalidParameterValueException':
      return new DeployError(`${doing}: Lambda refused it: ${message}`);
    case 'AccessDeniedException':
    case 'AccessDenied':
      return new DeployError(`${doing}: access denied (${message}); check the IAM policy of the deploying role`);
    default:
      return new DeployError(`${doing}: ${name || 'error'}: ${message}`);
  }
}

/** Waits `ms`, or less when `signal` aborts (it resolves either way: the caller looks at the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
