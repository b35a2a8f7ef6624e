import { createHash, randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetBucketVersioningCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { FunctionConfiguration, GetLayerVersionResponse } from '@aws-sdk/client-lambda';
import { closeServer, listenLocal } from './http-server.js';
import {
  type CodeBlob,
  defaultInvokeImage,
  type InvokeImage,
  InvokeRunner,
  type LogEvent,
  logStreamName,
  logTail,
  type RunSpec,
  RuntimeUnavailable,
} from './lambda-invoke.js';
import { unzippedSize } from './zip-read.js';

/**
 * An offline stand-in for AWS Lambda, for tests. It speaks Lambda's REST-JSON wire protocol (API
 * versions 2015-03-31, 2016-08-19, 2017-03-31 and 2018-10-31) to the unmodified AWS SDK v3 client
 * and follows the API reference and observed AWS behaviour: RevisionId preconditions, updates that
 * stay InProgress for a while, PublishVersion that only publishes when $LATEST changed, alias routing
 * rules, layer versions, the size limits, code storage, deleting versions and layer versions, and
 * the control-plane request quotas (token buckets, off unless `rates` is given). Code given as
 * S3Bucket/S3Key is fetched from a real S3-compatible server (s3rver in tests), so CodeSha256 and
 * CodeSize are those of the actual bytes.
 *
 * Invoke really runs the handler, in a Docker container (see lambda-invoke.ts): the code of the
 * version that runs, its layers, its configuration, its timeout, Lambda's payloads, errors, headers
 * and log lines.
 *
 * Test controls: a request log, injected faults, slow answers, killing a process after the N-th mutating request,
 * seeding and inspection that bypass HTTP, an injectable random source for weighted aliases.
 *
 * Where the behaviour comes from. Documented: the quotas (GetFunction 100/s, GetPolicy 15/s, the
 * rest of the control plane 15/s, Invoke excluded; 1000 concurrent executions; 75 GB of code
 * storage, each function version and layer version counting), the 6 MB / 1 MB Invoke payloads,
 * Invoke's status codes and headers, that Pending functions are not invoked and that $LATEST keeps
 * running its previous code during an update, DeleteLayerVersion's idempotence, the layer paths,
 * MaxItems ranges. Taken from the runtimes' own sources (awslambdaric, the Node.js runtime
 * interface client): handler loading, error payloads and Runtime.* messages. Seen in reports of
 * real responses: the RequestEntityTooLargeException code and messages, "Rate exceeded" /
 * CallerRateLimitExceeded, "The function is currently in the following state: Pending" for Invoke,
 * "Unable to delete version because the following aliases reference it: [...]", the DeleteFunction
 * answers for $LATEST, an alias name and a missing version, "Code storage limit exceeded.", the
 * timeout payload. Inferred: that a routing weight holds a version like the primary one does, the
 * Retry-After value (seconds until the bucket has a token), Retry-After on concurrency throttles,
 * that $LATEST counts towards storage beside the version published from it, that a deleted layer
 * version counts while a function uses it, ListAliases in name order, the ClientContext and tag
 * error messages, the "Runtime exited" payloads.
 *
 * S3ObjectStorageMode REFERENCE, from the Developer Guide's "Self-managed S3 code storage" and the
 * API reference: the bucket must be versioned, the code is pinned to an object version
 * (Code.ResolvedS3Object in GetFunction, Content.ResolvedS3Object for a layer version), it does not
 * count against the region's code storage, and an update without the mode copies again. The API
 * reference names InvalidParameterValueException for a bad parameter but no message for an
 * unversioned bucket or a missing object version: those messages are the stand-in's own (the
 * missing version reads as any GetObject failure does).
 */

export type Fault = 'throttle' | 'server-error' | 'conflict' | 'access-denied' | 'drop' | 'drop-after-apply';

export interface RequestLogEntry {
  operation: string;
  method: string;
  /** Decoded path, with the query string if there was one. */
  path: string;
  /** HTTP status sent; 0 when the connection was dropped. */
  status: number;
  /** Date.now() when the request arrived. */
  at: number;
}

/** Requests per second of the control-plane quotas (the Lambda quotas page: "Lambda API requests"). */
export interface LambdaRates {
  /** GetFunction: 100 requests per second in AWS. */
  getFunction: number;
  /** GetPolicy: 15 requests per second in AWS. */
  getPolicy: number;
  /** Every other control-plane request together (not Invoke): 15 requests per second in AWS. */
  controlPlane: number;
  /** Bucket sizes (how many requests may come at once after a quiet spell); default one second's worth. */
  burst?: Partial<Record<'getFunction' | 'getPolicy' | 'controlPlane', number>>;
}

/** The quotas AWS documents; pass them (or smaller ones) as `rates` to throttle. */
export const AWS_LAMBDA_RATES: LambdaRates = { getFunction: 100, getPolicy: 15, controlPlane: 15 };

export interface LambdaStandinOptions {
  /** S3-compatible endpoint (path-style, credentials S3RVER/S3RVER) to fetch S3Bucket/S3Key code from. */
  s3Endpoint: string;
  /** How long LastUpdateStatus stays InProgress after CreateFunction/UpdateFunctionCode/UpdateFunctionConfiguration. */
  updateDelayMs?: number;
  accountId?: string;
  region?: string;
  /** Control-plane request quotas, per account; without it nothing is throttled. */
  rates?: LambdaRates;
  /** Account concurrency (ConcurrentExecutions): running invocations above it answer 429; default 1000 as in AWS. */
  concurrency?: number;
  /** AccountLimit.TotalCodeSize: storage for zips of every function version and layer version; default 75 GB as in AWS. */
  totalCodeSize?: number;
  /** The Docker image that runs a runtime; default lci-build:bookworm (arm64: lci-build:bookworm-arm64) for python* and nodejs*. */
  invokeImage?: InvokeImage;
  /** Random source in [0, 1) for alias routing weights; default Math.random. */
  random?: () => number;
  /** Receives each invocation's log lines, as Lambda sends them to CloudWatch Logs. */
  onLog?: (group: string, stream: string, events: LogEvent[]) => void;
}

export interface SeedFunction {
  name: string;
  runtime: string;
  handler: string;
  zip: Buffer;
  /** Each alias points to version 1. */
  aliases?: string[];
  role?: string;
  description?: string;
  /** Seconds; default 3 as in AWS. */
  timeout?: number;
  memorySize?: number;
  environment?: Record<string, string>;
  /** Layer version ARNs (published first). */
  layers?: string[];
  architecture?: 'x86_64' | 'arm64';
  /**
   * Tags as CloudFormation sets them (aws:cloudformation:logical-id, aws:cloudformation:stack-name):
   * TagResource refuses the aws: prefix, so only seeding can.
   */
  tags?: Record<string, string>;
}

export interface AliasState {
  FunctionVersion: string;
  RoutingConfig?: { AdditionalVersionWeights: Record<string, number> };
  RevisionId: string;
}

export interface FunctionState {
  latest: FunctionConfiguration;
  versions: FunctionConfiguration[];
  aliases: Record<string, AliasState>;
  tags: Record<string, string>;
}

/** Lambda's limit on the unzipped size of code plus all layers. */
const MAX_UNZIPPED_BYTES = 262_144_000;
/** Lambda's limit on a zip uploaded directly (AccountLimit.CodeSizeZipped). */
const MAX_ZIPPED_BYTES = 52_428_800;
const MAX_LAYERS = 5;
/** Requests above this are refused before parsing, as Lambda does for 50 MB zips sent inline (base64). */
const MAX_REQUEST_BYTES = 69_905_067;
/** Invoke payload limits: 6 MB synchronous, 1 MB asynchronous (Event). */
const MAX_SYNC_PAYLOAD = 6_291_456;
const MAX_EVENT_PAYLOAD = 1_048_576;
/** AccountLimit.TotalCodeSize: 75 GB. */
const DEFAULT_TOTAL_CODE_SIZE = 80_530_636_800;
const DEFAULT_CONCURRENCY = 1000;
const MAX_TAGS = 50;
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const DEFAULT_ACCOUNT = '123456789012';
const DEFAULT_REGION = 'eu-west-1';

const OPERATIONS = [
  'CreateFunction',
  'GetFunction',
  'GetFunctionConfiguration',
  'UpdateFunctionConfiguration',
  'UpdateFunctionCode',
  'PublishVersion',
  'ListVersionsByFunction',
  'DeleteFunction',
  'Invoke',
  'GetPolicy',
  'CreateAlias',
  'GetAlias',
  'UpdateAlias',
  'ListAliases',
  'PublishLayerVersion',
  'ListLayerVersions',
  'GetLayerVersion',
  'DeleteLayerVersion',
  'ListLayers',
  'GetAccountSettings',
  'TagResource',
  'UntagResource',
  'ListTags',
  'ListFunctions',
] as const;
type Operation = (typeof OPERATIONS)[number];

// ---------------------------------------------------------------------------------------------
// Errors as Lambda sends them: header x-amzn-ErrorType plus {"Type", "message"} in the body.

class LambdaError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'User' | 'Service' = 'User',
    readonly extra: { headers?: Record<string, string>; body?: Record<string, unknown> } = {},
  ) {
    super(message);
  }
}

const invalidParameter = (message: string) => new LambdaError(400, 'InvalidParameterValueException', message);
const notFound = (message: string) => new LambdaError(404, 'ResourceNotFoundException', message);
const conflict = (message: string) => new LambdaError(409, 'ResourceConflictException', message);
const preconditionFailed = () =>
  new LambdaError(
    412,
    'PreconditionFailedException',
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
  );
/** Model constraint violations: Lambda answers ValidationException, which the SDK does not model. */
const validation = (message: string) =>
  new LambdaError(400, 'ValidationException', `1 validation error detected: ${message}`);
const updateInProgress = (arn: string) =>
  conflict(`The operation cannot be performed at this time. An update is in progress for resource: ${arn}`);
const pendingState = () =>
  conflict('The operation cannot be performed at this time. The function is currently in the following state: Pending');
/** The real service sends this code for oversized requests (the SDK models RequestTooLargeException, which it never sees). */
const entityTooLarge = (message: string) => new LambdaError(413, 'RequestEntityTooLargeException', message);
const storageExceeded = () => new LambdaError(400, 'CodeStorageExceededException', 'Code storage limit exceeded.');
/**
 * 429 as Lambda sends it: the SDK reads retryAfterSeconds from the Retry-After header and Reason,
 * Type and message from the body.
 */
const throttled = (reason: string, message: string, retryAfterSeconds: number) =>
  new LambdaError(429, 'TooManyRequestsException', message, 'User', {
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: { Reason: reason },
  });

function faultError(fault: Exclude<Fault, 'drop' | 'drop-after-apply'>, resourceArn: string): LambdaError {
  switch (fault) {
    case 'throttle':
      return throttled('CallerRateLimitExceeded', 'Rate exceeded', 0);
    case 'server-error':
      return new LambdaError(
        500,
        'ServiceException',
        'An internal error occurred (injected by the stand-in).',
        'Service',
      );
    case 'conflict':
      return updateInProgress(resourceArn);
    case 'access-denied': // what Lambda answers a caller whose IAM policy does not allow the action
      return new LambdaError(
        403,
        'AccessDeniedException',
        `User: arn:aws:sts::123456789012:assumed-role/lci/build is not authorized to perform this operation on resource: ${resourceArn} (injected by the stand-in)`,
        'User',
      );
  }
}

// ---------------------------------------------------------------------------------------------
// Quotas: a token bucket per quota, refilled continuously.

class TokenBucket {
  private tokens: number;
  private last = Date.now();

  constructor(
    private readonly rate: number,
    private readonly capacity: number,
  ) {
    this.tokens = capacity;
  }

  /** Takes a token: 0 when there was one, else the seconds until there will be. */
  take(): number {
    const now = Date.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return (1 - this.tokens) / this.rate;
  }
}

type Quota = 'getFunction' | 'getPolicy' | 'controlPlane';

/** Invoke has no request-rate quota (its limit is concurrency); GetFunction and GetPolicy have their own. */
function quotaOf(operation: string): Quota | undefined {
  if (operation === 'Invoke' || operation === 'Unknown') return undefined;
  if (operation === 'GetFunction') return 'getFunction';
  if (operation === 'GetPolicy') return 'getPolicy';
  return 'controlPlane';
}

/**
 * Lambda's request quotas, per account: a token bucket per quota. The stand-in enforces them, and
 * so does test/harness/quota-proxy.ts in front of another emulator (moto), which has none.
 */
export class LambdaQuotas {
  private buckets?: Record<Quota, TokenBucket>;

  /** From the next request on (buckets start full); undefined turns them off. */
  set(rates: LambdaRates | undefined): void {
    if (!rates) {
      this.buckets = undefined;
      return;
    }
    const { burst = {}, ...perSecond } = rates;
    const bucket = (q: Quota) => new TokenBucket(perSecond[q], burst[q] ?? Math.max(1, perSecond[q]));
    this.buckets = {
      getFunction: bucket('getFunction'),
      getPolicy: bucket('getPolicy'),
      controlPlane: bucket('controlPlane'),
    };
  }

  /** Undefined when the request may go on, else the 429 Lambda answers. */
  take(operation: string): LambdaError | undefined {
    const quota = quotaOf(operation);
    if (!this.buckets || !quota) return undefined;
    const wait = this.buckets[quota].take();
    if (wait === 0) return undefined;
    return throttled('CallerRateLimitExceeded', 'Rate exceeded', Math.max(1, Math.ceil(wait)));
  }
}

/** The Lambda operation a request names (by method and path, as the API reference routes it), or 'Unknown'. */
export function lambdaOperation(method: string, pathname: string): string {
  return route(method, pathname.split('/').slice(1).map(safeDecode))?.operation ?? 'Unknown';
}

/** An error as Lambda's REST-JSON protocol sends it: status, headers (x-amzn-errortype, Retry-After) and body. */
export function lambdaErrorReply(e: LambdaError): { status: number; headers: Record<string, string>; body: string } {
  const r = errorReply(e);
  return {
    status: r.status,
    headers: { 'content-type': 'application/json', ...r.headers },
    body: JSON.stringify(r.body),
  };
}

// ---------------------------------------------------------------------------------------------
// The model: functions, versions, aliases and layers.

/** Where a zip came from: Lambda keeps its own copy; the stand-in keeps the bytes or fetches the object again. */
type CodeOrigin = { bytes: Buffer } | { s3: { bucket: string; key: string; version?: string } };

/**
 * A zip as stored for a version or a layer version. Immutable: versions share it. `reference`:
 * S3ObjectStorageMode REFERENCE, Lambda keeps no copy and runs the pinned object version from the
 * bucket (Code.ResolvedS3Object), and it does not count against the region's code storage.
 */
interface Code {
  sha256: string;
  size: number;
  unzipped: number;
  origin: CodeOrigin;
  reference?: { bucket: string; key: string; version: string };
}

/** Bytes a zip takes of the region's code storage (AccountUsage.TotalCodeSize): none when it is referenced from S3. */
const stored = (code: Code) => (code.reference ? 0 : code.size);

/** Everything a published version freezes. */
interface Settings {
  runtime: string;
  handler: string;
  role: string;
  description: string;
  timeout: number;
  memorySize: number;
  environment?: Record<string, string>;
  architectures: string[];
  layers: string[];
  code: Code;
  lastModified: string;
}

interface PublishedVersion {
  settings: Settings;
  revisionId: string;
  /** The value of Fn.edits when it was published: equal means $LATEST has not changed since. */
  edits: number;
}

interface Alias {
  functionVersion: string;
  description: string;
  weights?: Record<string, number>;
  revisionId: string;
}

interface Pending {
  until: number;
  creating: boolean;
  failure?: { reason: string; code: string };
  /** AWS gives $LATEST yet another RevisionId when the update finishes. */
  revisionAfter: string;
  /** What invocations of $LATEST run while the update is in progress: the previous code and configuration. */
  before?: Settings;
}

interface Fn {
  name: string;
  latest: Settings;
  revisionId: string;
  /** Bumped by every code or configuration update, changed or not: AWS publishes after any update call. */
  edits: number;
  pending?: Pending;
  lastUpdate: { status: 'Successful' | 'Failed'; reason?: string; code?: string };
  failNext?: { reason: string; code: string };
  /** After a Failed update Lambda keeps serving the previous code and configuration. */
  servingAfterFailure?: Settings;
  versions: Map<number, PublishedVersion>;
  /** The highest version number ever published: numbers of deleted versions are not reused. */
  lastVersion: number;
  aliases: Map<string, Alias>;
  tags: Record<string, string>;
}

interface LayerVersion {
  name: string;
  version: number;
  description: string;
  createdDate: string;
  compatibleRuntimes?: string[];
  compatibleArchitectures?: string[];
  licenseInfo?: string;
  code: Code;
  /** DeleteLayerVersion hides it; functions that use it keep their copy. */
  deleted?: boolean;
}

interface CodeSource {
  ZipFile?: string;
  S3Bucket?: string;
  S3Key?: string;
  S3ObjectVersion?: string;
  S3ObjectStorageMode?: string;
}

type Body = Record<string, unknown>;
interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Sent as is instead of the JSON of body (Invoke's payload). */
  raw?: Buffer;
}
interface Request {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Body;
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

/** What an invocation runs: the version chosen (an alias may route to either of two) and its settings. */
interface InvocationTarget {
  fn: Fn;
  version: string;
  settings: Settings;
  invokedArn: string;
}

/** Lambda's timestamp format: 2026-11-26T16:00:00.000+0000 */
const lambdaDate = (at = new Date()) => at.toISOString().replace('Z', '+0000');

const FUNCTION_NAME =
  /^(?:arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(?:-gov)?-[a-z]+-\d:)?(?:\d{12}:)?(?:function:)?([a-zA-Z0-9-_]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const LAYER_NAME = /^(?:arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(?:-gov)?-[a-z]+-\d:\d{12}:layer:)?([a-zA-Z0-9-_]+)$/;
const LAYER_VERSION_ARN =
  /^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):layer:([a-zA-Z0-9-_]+):([0-9]+)$/;
const ALIAS_NAME = /^(?!^[0-9]+$)[a-zA-Z0-9-_]+$/;
const VERSION = /^(\$LATEST|[0-9]+)$/;

class LambdaModel {
  readonly functions = new Map<string, Fn>();
  readonly layers = new Map<string, LayerVersion[]>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    private readonly s3: S3Client,
    private readonly updateDelayMs: () => number,
    readonly totalCodeSize: number,
    readonly concurrency: number,
  ) {}

  // --- ARNs and lookups

  functionArn(name: string, qualifier?: string): string {
    return `arn:aws:lambda:${this.region}:${this.accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
  }

  layerArn(name: string): string {
    return `arn:aws:lambda:${this.region}:${this.accountId}:layer:${name}`;
  }

  parseFunctionName(raw: string): { name: string; qualifier?: string } {
    const m = FUNCTION_NAME.exec(raw);
    if (!m)
      throw validation(
        `Value '${raw}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${FUNCTION_NAME.source}`,
      );
    return { name: m[1]!, qualifier: m[2] };
  }

  /** The function, with a finished update settled first. */
  fn(name: string, qualifier?: string): Fn {
    const fn = this.functions.get(name);
    if (!fn) throw notFound(`Function not found: ${this.functionArn(name, qualifier)}`);
    this.settle(fn);
    return fn;
  }

  /** For operations that only act on $LATEST. */
  latestOnly(rawName: string): Fn {
    const { name, qualifier } = this.parseFunctionName(rawName);
    if (qualifier && qualifier !== '$LATEST') {
      throw invalidParameter(
        'Current operation does not support versions other than $LATEST. Please set version to $LATEST or do not set a version in your request.',
      );
    }
    return this.fn(name);
  }

  /** Ends an update whose time is up. Lazy, so a test never races a timer. */
  settle(fn: Fn): void {
    const pending = fn.pending;
    if (!pending || Date.now() < pending.until) return;
    fn.pending = undefined;
    fn.revisionId = pending.revisionAfter;
    fn.lastUpdate = pending.failure ? { status: 'Failed', ...pending.failure } : { status: 'Successful' };
    fn.servingAfterFailure = pending.failure ? pending.before : undefined;
  }

  // --- invocation

  /**
   * The version an invocation runs and its settings. $LATEST runs its previous code and
   * configuration while an update is in progress or after one failed; nothing runs while the
   * function is being created (Pending). An alias with routing weights picks its additional
   * version with that probability.
   */
  invocationTarget(rawName: string, queryQualifier: string | null, random: () => number): InvocationTarget {
    const parsed = this.parseFunctionName(rawName);
    if (parsed.qualifier && queryQualifier && parsed.qualifier !== queryQualifier) {
      throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
    const qualifier = parsed.qualifier ?? queryQualifier ?? undefined;
    const fn = this.fn(parsed.name, qualifier);
    const invokedArn = this.functionArn(fn.name, qualifier);
    let version = qualifier ?? '$LATEST';
    if (qualifier !== undefined && qualifier !== '$LATEST' && !/^[0-9]+$/.test(qualifier)) {
      const alias = fn.aliases.get(qualifier);
      if (!alias) throw notFound(`Function not found: ${invokedArn}`);
      version = alias.functionVersion;
      const [additional, weight] = Object.entries(alias.weights ?? {})[0] ?? [];
      if (additional !== undefined && random() < weight!) version = additional;
    }
    if (fn.pending?.creating) throw pendingState();
    if (version === '$LATEST') {
      return { fn, version, settings: fn.pending?.before ?? fn.servingAfterFailure ?? fn.latest, invokedArn };
    }
    const published = fn.versions.get(Number(version));
    if (!published) throw notFound(`Function not found: ${this.functionArn(fn.name, version)}`);
    return { fn, version, settings: published.settings, invokedArn };
  }

  /** The zip of a version or layer version, as the invocation needs it. */
  codeBlob(code: Code): CodeBlob {
    return {
      sha256: code.sha256,
      load: async () => {
        if ('bytes' in code.origin) return code.origin.bytes;
        const { bucket, key, version } = code.origin.s3;
        const { bytes } = await this.getObject({ S3Bucket: bucket, S3Key: key, S3ObjectVersion: version });
        // Lambda keeps its own copy; the stand-in reads the object again, so it must not have changed.
        if (sha256(bytes) !== code.sha256) {
          throw new Error(
            `the code of this version came from s3://${bucket}/${key}, which has changed since (the stand-in keeps no copy)`,
          );
        }
        return bytes;
      },
    };
  }

  // --- code storage (AccountUsage.TotalCodeSize): every function version, $LATEST included, and every layer version

  codeStorageUsed(): number {
    let total = 0;
    const referenced = new Set<string>();
    for (const fn of this.functions.values()) {
      total += stored(fn.latest.code);
      for (const arn of fn.latest.layers) referenced.add(arn);
      for (const v of fn.versions.values()) {
        total += stored(v.settings.code);
        for (const arn of v.settings.layers) referenced.add(arn);
      }
    }
    for (const versions of this.layers.values()) {
      for (const l of versions) {
        // A deleted layer version stays stored while a function uses it.
        if (!l.deleted || referenced.has(`${this.layerArn(l.name)}:${l.version}`)) total += stored(l.code);
      }
    }
    return total;
  }

  /** Refuses a change that would store `added` more bytes than the account's TotalCodeSize allows. */
  checkStorage(added: number): void {
    if (added > 0 && this.codeStorageUsed() + added > this.totalCodeSize) throw storageExceeded();
  }

  // --- rendering

  latestConfig(fn: Fn, arnQualifier?: string): FunctionConfiguration {
    return {
      ...this.settingsConfig(fn.name, fn.latest, '$LATEST', fn.revisionId, arnQualifier),
      ...this.status(fn),
    };
  }

  versionConfig(fn: Fn, version: number, arnQualifier = String(version)): FunctionConfiguration {
    const v = fn.versions.get(version)!;
    return {
      ...this.settingsConfig(fn.name, v.settings, String(version), v.revisionId, arnQualifier),
      State: 'Active',
      LastUpdateStatus: 'Successful',
    };
  }

  private settingsConfig(
    name: string,
    s: Settings,
    version: string,
    revisionId: string,
    arnQualifier?: string,
  ): FunctionConfiguration {
    const config: FunctionConfiguration = {
      FunctionName: name,
      FunctionArn: this.functionArn(name, arnQualifier),
      Runtime: s.runtime as FunctionConfiguration['Runtime'],
      Role: s.role,
      Handler: s.handler,
      CodeSize: s.code.size,
      Description: s.description,
      Timeout: s.timeout,
      MemorySize: s.memorySize,
      LastModified: s.lastModified,
      CodeSha256: s.code.sha256,
      Version: version,
      TracingConfig: { Mode: 'PassThrough' },
      RevisionId: revisionId,
      PackageType: 'Zip',
      Architectures: s.architectures as FunctionConfiguration['Architectures'],
      EphemeralStorage: { Size: 512 },
    };
    if (s.environment) config.Environment = { Variables: { ...s.environment } };
    if (s.layers.length > 0)
      config.Layers = s.layers.map((arn) => ({ Arn: arn, CodeSize: this.layerByArn(arn)!.code.size }));
    return config;
  }

  private status(fn: Fn): FunctionConfiguration {
    const p = fn.pending;
    if (p?.creating) {
      return {
        State: 'Pending',
        StateReason: 'The function is being created.',
        StateReasonCode: 'Creating',
        LastUpdateStatus: 'InProgress',
      };
    }
    if (p) {
      return {
        State: 'Active',
        LastUpdateStatus: 'InProgress',
        LastUpdateStatusReason: 'The function is being created.',
        LastUpdateStatusReasonCode: 'Creating' as FunctionConfiguration['LastUpdateStatusReasonCode'],
      };
    }
    const { status, reason, code } = fn.lastUpdate;
    if (status === 'Successful') return { State: 'Active', LastUpdateStatus: 'Successful' };
    return {
      State: 'Active',
      LastUpdateStatus: 'Failed',
      LastUpdateStatusReason: reason,
      LastUpdateStatusReasonCode: code as FunctionConfiguration['LastUpdateStatusReasonCode'],
    };
  }

  /** The configuration a qualifier names: $LATEST, a version number or an alias (resolved to its version). */
  configFor(rawName: string, queryQualifier: string | null): FunctionConfiguration {
    const parsed = this.parseFunctionName(rawName);
    if (parsed.qualifier && queryQualifier && parsed.qualifier !== queryQualifier) {
      throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
    const qualifier = parsed.qualifier ?? queryQualifier ?? undefined;
    const fn = this.fn(parsed.name, qualifier);
    if (qualifier === undefined) return this.latestConfig(fn);
    if (qualifier === '$LATEST') return this.latestConfig(fn, '$LATEST');
    if (/^[0-9]+$/.test(qualifier)) {
      if (!fn.versions.has(Number(qualifier)))
        throw notFound(`Function not found: ${this.functionArn(fn.name, qualifier)}`);
      return this.versionConfig(fn, Number(qualifier));
    }
    const alias = fn.aliases.get(qualifier);
    if (!alias) throw notFound(`Function not found: ${this.functionArn(fn.name, qualifier)}`);
    return alias.functionVersion === '$LATEST'
      ? this.latestConfig(fn, qualifier)
      : this.versionConfig(fn, Number(alias.functionVersion), qualifier);
  }

  aliasOut(fn: Fn, name: string, alias: Alias) {
    return {
      AliasArn: this.functionArn(fn.name, name),
      Name: name,
      FunctionVersion: alias.functionVersion,
      Description: alias.description,
      ...(alias.weights ? { RoutingConfig: { AdditionalVersionWeights: { ...alias.weights } } } : {}),
      RevisionId: alias.revisionId,
    };
  }

  layerOut(l: LayerVersion): GetLayerVersionResponse {
    return {
      Content: {
        Location: `https://awslambda-${this.region}-layers.s3.${this.region}.amazonaws.com/snapshots/${this.accountId}/${l.name}-${l.version}`,
        CodeSha256: l.code.sha256,
        CodeSize: l.code.size,
        ...resolvedS3Object(l.code),
      },
      LayerArn: this.layerArn(l.name),
      LayerVersionArn: `${this.layerArn(l.name)}:${l.version}`,
      Description: l.description,
      CreatedDate: l.createdDate,
      Version: l.version,
      ...(l.compatibleRuntimes
        ? { CompatibleRuntimes: [...l.compatibleRuntimes] as GetLayerVersionResponse['CompatibleRuntimes'] }
        : {}),
      ...(l.compatibleArchitectures
        ? {
            CompatibleArchitectures: [
              ...l.compatibleArchitectures,
            ] as GetLayerVersionResponse['CompatibleArchitectures'],
          }
        : {}),
      ...(l.licenseInfo ? { LicenseInfo: l.licenseInfo } : {}),
    };
  }

  // --- code

  async loadCode(source: CodeSource | undefined): Promise<Code> {
    if (source?.ZipFile) {
      const bytes = Buffer.from(source.ZipFile, 'base64');
      return codeOf(bytes, { bytes });
    }
    const mode = source?.S3ObjectStorageMode ?? 'COPY';
    if (mode !== 'COPY' && mode !== 'REFERENCE')
      throw validation(
        `Value '${mode}' at 's3ObjectStorageMode' failed to satisfy constraint: Member must satisfy enum value set: [COPY, REFERENCE]`,
      );
    if (source?.S3Bucket && source.S3Key) {
      if (mode === 'REFERENCE') return this.referencedCode(source.S3Bucket, source.S3Key, source.S3ObjectVersion);
      return codeOf((await this.getObject(source)).bytes, {
        s3: { bucket: source.S3Bucket, key: source.S3Key, version: source.S3ObjectVersion },
      });
    }
    if (mode === 'REFERENCE')
      throw invalidParameter('S3ObjectStorageMode REFERENCE requires S3Bucket and S3Key: a .zip file in Amazon S3.');
    throw invalidParameter('Please provide a source for function code.');
  }

  /**
   * REFERENCE storage (the Developer Guide, "Self-managed S3 code storage"): Lambda needs S3
   * versioning to track which version of the object to use, so a bucket whose versioning is not
   * Enabled is refused, and so is an object version that does not exist. Without S3ObjectVersion the
   * current version is resolved and pinned.
   */
  private async referencedCode(bucket: string, key: string, version: string | undefined): Promise<Code> {
    let status: string | undefined;
    try {
      status = (await this.s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status;
    } catch (e) {
      const err = e as Error;
      throw invalidParameter(
        `Error occurred while GetBucketVersioning. S3 Error Code: ${err.name}. S3 Error Message: ${err.message}`,
      );
    }
    if (status !== 'Enabled')
      throw invalidParameter(
        `S3ObjectStorageMode REFERENCE requires S3 versioning: versioning is not enabled on bucket ${bucket}.`,
      );
    const got = await this.getObject({ S3Bucket: bucket, S3Key: key, S3ObjectVersion: version });
    const pinned = version ?? got.versionId;
    if (!pinned) throw invalidParameter(`S3 did not return a version of s3://${bucket}/${key}.`);
    return {
      ...codeOf(got.bytes, { s3: { bucket, key, version: pinned } }),
      reference: { bucket, key, version: pinned },
    };
  }

  private async getObject({
    S3Bucket,
    S3Key,
    S3ObjectVersion,
  }: CodeSource): Promise<{ bytes: Buffer; versionId: string | undefined }> {
    try {
      const out = await this.s3.send(
        new GetObjectCommand({ Bucket: S3Bucket, Key: S3Key, VersionId: S3ObjectVersion }),
      );
      return { bytes: Buffer.from(await out.Body!.transformToByteArray()), versionId: out.VersionId };
    } catch (e) {
      const err = e as Error;
      throw invalidParameter(
        `Error occurred while GetObject. S3 Error Code: ${err.name}. S3 Error Message: ${err.message}`,
      );
    }
  }

  // --- checks shared by the updates

  /** RevisionId precondition, then the update lock. */
  guardLatest(fn: Fn, revisionId: unknown): void {
    if (revisionId !== undefined && revisionId !== fn.revisionId) throw preconditionFailed();
    if (fn.pending?.creating) throw pendingState();
    if (fn.pending) throw updateInProgress(this.functionArn(fn.name));
  }

  /** A layer version, deleted or not (functions keep using deleted ones). */
  layerByArn(arn: string): LayerVersion | undefined {
    const m = LAYER_VERSION_ARN.exec(arn);
    if (!m || m[1] !== this.region || m[2] !== this.accountId) return undefined;
    return this.layers.get(m[3]!)?.find((l) => l.version === Number(m[4]));
  }

  /** The layer versions GetLayerVersion and the listings show. */
  liveLayers(name: string): LayerVersion[] {
    return (this.layers.get(name) ?? []).filter((l) => !l.deleted);
  }

  checkLayers(arns: string[]): void {
    if (arns.length > MAX_LAYERS) throw invalidParameter(`Cannot reference more than ${MAX_LAYERS} layers.`);
    const seen = new Map<string, string>();
    for (const arn of arns) {
      const m = LAYER_VERSION_ARN.exec(arn);
      if (!m) {
        throw validation(
          `Value '[${arn}]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy regular expression pattern: ${LAYER_VERSION_ARN.source}]`,
        );
      }
      if (m[1] !== this.region)
        throw invalidParameter(
          `Layers are not in the same region as the function. Layers are expected to be in region ${this.region}.`,
        );
      if (!this.layerByArn(arn) || this.layerByArn(arn)!.deleted)
        throw invalidParameter(`Layer version ${arn} does not exist.`);
      const layer = arn.slice(0, arn.lastIndexOf(':'));
      const other = seen.get(layer);
      if (other) {
        throw invalidParameter(
          `Two different versions of the same layer are not allowed to be referenced in the same function. ${other} and ${arn} are versions of the same layer.`,
        );
      }
      seen.set(layer, arn);
    }
  }

  checkUnzippedSize(code: Code, layerArns: string[]): void {
    const total = layerArns.reduce((n, arn) => n + this.layerByArn(arn)!.code.unzipped, code.unzipped);
    if (total <= MAX_UNZIPPED_BYTES) return;
    if (layerArns.length === 0)
      throw invalidParameter(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
    throw invalidParameter(
      `Function code combined with layers exceeds the maximum allowed size of ${MAX_UNZIPPED_BYTES} bytes. The actual size is ${total} bytes.`,
    );
  }

  /**
   * After a mutation of $LATEST: a new RevisionId and LastUpdateStatus InProgress for updateDelayMs.
   * `before` is what $LATEST was (what invocations keep running until the update succeeds).
   */
  startUpdate(fn: Fn, creating: boolean, before?: Settings): void {
    fn.latest.lastModified = lambdaDate();
    fn.revisionId = randomUUID();
    fn.edits++;
    const failure = creating ? undefined : fn.failNext;
    if (!creating) fn.failNext = undefined;
    fn.pending = { until: Date.now() + this.updateDelayMs(), creating, failure, revisionAfter: randomUUID(), before };
  }

  // --- versions and aliases

  /** The zip of $LATEST or of a published version. */
  codeOfVersion(name: string, version: string): Code {
    const fn = this.functions.get(name)!;
    return version === '$LATEST' ? fn.latest.code : fn.versions.get(Number(version))!.settings.code;
  }

  /** Whether PublishVersion would make a new version (it returns the last one when $LATEST has not been updated since). */
  wouldPublish(fn: Fn): boolean {
    return fn.versions.get(fn.lastVersion)?.edits !== fn.edits;
  }

  /** Publishes $LATEST, or returns the last version when $LATEST has not been updated since. */
  publish(fn: Fn, description: string | undefined): number {
    if (!this.wouldPublish(fn)) return fn.lastVersion;
    const settings = cloneSettings(fn.latest);
    if (description !== undefined) settings.description = description;
    const number = ++fn.lastVersion;
    fn.versions.set(number, { settings, revisionId: randomUUID(), edits: fn.edits });
    fn.revisionId = randomUUID(); // publishing also gives $LATEST a new RevisionId
    return number;
  }

  /** Checks that FunctionVersion names $LATEST or a published version. */
  checkTarget(fn: Fn, version: unknown): string {
    if (version === undefined)
      throw validation("Value null at 'functionVersion' failed to satisfy constraint: Member must not be null");
    if (typeof version !== 'string' || !VERSION.test(version)) {
      throw validation(
        `Value '${String(version)}' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)`,
      );
    }
    if (version !== '$LATEST' && !fn.versions.has(Number(version)))
      throw notFound(`Function not found: ${this.functionArn(fn.name, version)}`);
    return version;
  }

  /** AdditionalVersionWeights: at most one other published version, weight in [0, 1], never with $LATEST. */
  checkRouting(
    fn: Fn,
    functionVersion: string,
    weights: Record<string, number> | undefined,
  ): Record<string, number> | undefined {
    const entries = Object.entries(weights ?? {});
    if (entries.length === 0) return undefined;
    if (entries.length > 1)
      throw invalidParameter('Number of items in AdditionalVersionWeights cannot be greater than 1');
    const [version, weight] = entries[0]!;
    if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1)) {
      throw validation(
        `Value '{${version}=${weight}}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]`,
      );
    }
    if (version === functionVersion) {
      throw invalidParameter(
        `Invalid function version ${functionVersion}. Function version ${functionVersion} is already included in routing configuration.`,
      );
    }
    if (functionVersion === '$LATEST')
      throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
    if (!/^[0-9]+$/.test(version)) {
      throw validation(
        `Value '{${version}=${weight}}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]+]`,
      );
    }
    if (!fn.versions.has(Number(version))) throw notFound(`Function not found: ${this.functionArn(fn.name, version)}`);
    return { [version]: weight };
  }

  // --- seeding and inspection (no HTTP)

  seed(s: SeedFunction): void {
    if (this.functions.has(s.name)) throw new Error(`function ${s.name} already exists`);
    const fn: Fn = {
      name: s.name,
      latest: {
        runtime: s.runtime,
        handler: s.handler,
        role: s.role ?? `arn:aws:iam::${this.accountId}:role/${s.name}`,
        description: s.description ?? '',
        timeout: s.timeout ?? 3,
        memorySize: s.memorySize ?? 128,
        environment: s.environment,
        architectures: [s.architecture ?? 'x86_64'],
        layers: [...(s.layers ?? [])],
        code: codeOf(s.zip, { bytes: s.zip }),
        lastModified: lambdaDate(),
      },
      revisionId: randomUUID(),
      edits: 1,
      lastUpdate: { status: 'Successful' },
      versions: new Map(),
      lastVersion: 0,
      aliases: new Map(),
      tags: { ...(s.tags ?? {}) },
    };
    if (s.layers?.some((arn) => !this.layerByArn(arn))) throw new Error(`a layer of ${s.name} does not exist`);
    this.functions.set(s.name, fn);
    this.publish(fn, undefined);
    for (const alias of s.aliases ?? [])
      fn.aliases.set(alias, { functionVersion: '1', description: '', revisionId: randomUUID() });
  }

  state(name: string): FunctionState | undefined {
    const fn = this.functions.get(name);
    if (!fn) return undefined;
    this.settle(fn);
    const aliases: Record<string, AliasState> = {};
    for (const [alias, a] of fn.aliases) {
      aliases[alias] = {
        FunctionVersion: a.functionVersion,
        ...(a.weights ? { RoutingConfig: { AdditionalVersionWeights: { ...a.weights } } } : {}),
        RevisionId: a.revisionId,
      };
    }
    const versions = [...fn.versions.keys()].sort((a, b) => a - b).map((v) => this.versionConfig(fn, v));
    return { latest: this.latestConfig(fn), versions, aliases, tags: { ...fn.tags } };
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64');

function codeOf(zip: Buffer, origin: CodeOrigin): Code {
  let unzipped: number;
  try {
    unzipped = unzippedSize(zip);
  } catch {
    throw invalidParameter('Could not unzip uploaded file. Please check your file, then try to upload again.');
  }
  return { sha256: sha256(zip), size: zip.length, unzipped, origin };
}

/** A copy to publish or to keep serving; the code is immutable and shared. */
function cloneSettings(s: Settings): Settings {
  return {
    ...s,
    environment: s.environment ? { ...s.environment } : undefined,
    architectures: [...s.architectures],
    layers: [...s.layers],
  };
}

// ---------------------------------------------------------------------------------------------
// Operations. Each checks, awaits what it must fetch, then checks again and mutates without
// awaiting, so concurrent requests see each mutation whole.

type Handler = (m: LambdaModel, r: Request) => Promise<Reply> | Reply;

const ok = (body: unknown, status = 200): Reply => ({ status, body });

const handlers: Record<Operation, Handler> = {
  async CreateFunction(m, { body }) {
    const b = body as Partial<CreateFunctionBody>;
    const missing = (field: string) =>
      validation(`Value null at '${field}' failed to satisfy constraint: Member must not be null`);
    if (b.FunctionName === undefined) throw missing('functionName');
    if (b.Role === undefined) throw missing('role');
    if (b.Code === undefined) throw missing('code');
    if (!b.Runtime || !b.Handler)
      throw invalidParameter(
        'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
      );
    const { name } = m.parseFunctionName(b.FunctionName);
    const exists = () => {
      if (m.functions.has(name)) throw conflict(`Function already exist: ${name}`);
    };
    exists();
    const layers = b.Layers ?? [];
    m.checkLayers(layers);
    const code = await m.loadCode(b.Code);
    exists();
    m.checkLayers(layers);
    m.checkUnzippedSize(code, layers);
    m.checkStorage(stored(code) * (b.Publish ? 2 : 1));
    const tags = checkTags(b.Tags ?? {});
    const fn: Fn = {
      name,
      latest: {
        runtime: b.Runtime,
        handler: b.Handler,
        role: b.Role,
        description: b.Description ?? '',
        timeout: b.Timeout ?? 3,
        memorySize: b.MemorySize ?? 128,
        environment: b.Environment?.Variables,
        architectures: b.Architectures ?? ['x86_64'],
        layers,
        code,
        lastModified: '',
      },
      revisionId: '',
      edits: 0,
      lastUpdate: { status: 'Successful' },
      versions: new Map(),
      lastVersion: 0,
      aliases: new Map(),
      tags,
    };
    m.functions.set(name, fn);
    m.startUpdate(fn, true);
    if (b.Publish) return ok(m.versionConfig(fn, m.publish(fn, undefined)), 201);
    return ok(m.latestConfig(fn), 201);
  },

  GetFunction(m, { params, query }) {
    const config = m.configFor(params.FunctionName!, query.get('Qualifier'));
    const tags = m.functions.get(config.FunctionName!)!.tags;
    return ok({
      Configuration: config,
      Code: {
        RepositoryType: 'S3',
        Location: codeLocation(config),
        ...resolvedS3Object(m.codeOfVersion(config.FunctionName!, config.Version!)),
      },
      ...(Object.keys(tags).length > 0 ? { Tags: { ...tags } } : {}),
    });
  },

  GetFunctionConfiguration(m, { params, query }) {
    return ok(m.configFor(params.FunctionName!, query.get('Qualifier')));
  },

  UpdateFunctionConfiguration(m, { params, body }) {
    const b = body as UpdateConfigurationBody;
    const fn = m.latestOnly(params.FunctionName!);
    m.guardLatest(fn, b.RevisionId);
    const layers = b.Layers ?? fn.latest.layers;
    if (b.Layers) m.checkLayers(layers);
    m.checkUnzippedSize(fn.latest.code, layers);
    const before = fn.servingAfterFailure ?? cloneSettings(fn.latest);
    const s = fn.latest;
    s.layers = [...layers];
    if (b.Description !== undefined) s.description = b.Description;
    if (b.Handler !== undefined) s.handler = b.Handler;
    if (b.Runtime !== undefined) s.runtime = b.Runtime;
    if (b.Role !== undefined) s.role = b.Role;
    if (b.Timeout !== undefined) s.timeout = b.Timeout;
    if (b.MemorySize !== undefined) s.memorySize = b.MemorySize;
    if (b.Environment !== undefined) s.environment = b.Environment.Variables;
    m.startUpdate(fn, false, before);
    return ok(m.latestConfig(fn));
  },

  async UpdateFunctionCode(m, { params, body }) {
    const b = body as UpdateCodeBody;
    m.guardLatest(m.latestOnly(params.FunctionName!), b.RevisionId);
    const code = await m.loadCode(b);
    const fn = m.latestOnly(params.FunctionName!);
    m.guardLatest(fn, b.RevisionId);
    m.checkUnzippedSize(code, fn.latest.layers);
    m.checkStorage(stored(code) - stored(fn.latest.code) + (b.Publish ? stored(code) : 0));
    const before = fn.servingAfterFailure ?? cloneSettings(fn.latest);
    fn.latest.code = code;
    if (b.Architectures) fn.latest.architectures = [...b.Architectures];
    m.startUpdate(fn, false, before);
    if (b.Publish) return ok(m.versionConfig(fn, m.publish(fn, undefined)));
    return ok(m.latestConfig(fn));
  },

  PublishVersion(m, { params, body }) {
    const b = body as { CodeSha256?: string; Description?: string; RevisionId?: string };
    const fn = m.latestOnly(params.FunctionName!);
    m.guardLatest(fn, b.RevisionId);
    const current = fn.latest.code.sha256;
    if (b.CodeSha256 !== undefined && b.CodeSha256 !== current) {
      throw invalidParameter(
        `CodeSHA256 (${b.CodeSha256}) is different from current CodeSHA256 in $LATEST (${current}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    if (m.wouldPublish(fn)) m.checkStorage(stored(fn.latest.code));
    return ok(m.versionConfig(fn, m.publish(fn, b.Description)), 201);
  },

  ListVersionsByFunction(m, { params, query }) {
    const fn = m.latestOnly(params.FunctionName!);
    const versions = [
      m.latestConfig(fn, '$LATEST'),
      ...[...fn.versions.keys()].sort((a, b) => a - b).map((v) => m.versionConfig(fn, v)),
    ];
    const { items, next } = page(versions, query, 10_000);
    return ok({ Versions: items, ...(next ? { NextMarker: next } : {}) });
  },

  /** Without a qualifier the function goes, versions and aliases with it; with one, that version alone. */
  DeleteFunction(m, { params, query }) {
    const parsed = m.parseFunctionName(params.FunctionName!);
    const queryQualifier = query.get('Qualifier');
    if (parsed.qualifier && queryQualifier && parsed.qualifier !== queryQualifier) {
      throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
    const qualifier = parsed.qualifier ?? queryQualifier ?? undefined;
    const fn = m.fn(parsed.name, qualifier);
    if (qualifier === undefined) {
      m.functions.delete(fn.name);
      return ok(undefined, 204);
    }
    if (qualifier === '$LATEST')
      throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    if (!/^[0-9]+$/.test(qualifier)) throw invalidParameter('Deletion of aliases is not currently supported.');
    // An alias holds its version, as its primary version or through its routing weights.
    const holders = [...fn.aliases]
      .filter(([, a]) => a.functionVersion === qualifier || (a.weights && qualifier in a.weights))
      .map(([name]) => name)
      .sort();
    if (holders.length > 0)
      throw conflict(`Unable to delete version because the following aliases reference it: [${holders.join(', ')}]`);
    fn.versions.delete(Number(qualifier)); // a version that does not exist: 204 all the same
    return ok(undefined, 204);
  },

  Invoke() {
    throw new Error('Invoke is served by the stand-in itself');
  },

  /** The stand-in keeps no resource-based policies (AddPermission is not modelled). */
  GetPolicy(m, { params, query }) {
    m.configFor(params.FunctionName!, query.get('Qualifier'));
    throw notFound('The resource you requested does not exist.');
  },

  CreateAlias(m, { params, body }) {
    const b = body as AliasBody & { Name?: string };
    const fn = m.latestOnly(params.FunctionName!);
    const name = checkAliasName(b.Name);
    const functionVersion = m.checkTarget(fn, b.FunctionVersion);
    if (fn.aliases.has(name)) throw conflict(`Alias already exists: ${m.functionArn(fn.name, name)}`);
    const weights = m.checkRouting(fn, functionVersion, b.RoutingConfig?.AdditionalVersionWeights);
    const alias: Alias = { functionVersion, description: b.Description ?? '', weights, revisionId: randomUUID() };
    fn.aliases.set(name, alias);
    return ok(m.aliasOut(fn, name, alias), 201);
  },

  GetAlias(m, { params }) {
    const fn = m.latestOnly(params.FunctionName!);
    const alias = fn.aliases.get(params.Name!);
    if (!alias) throw notFound(`Cannot find alias arn: ${m.functionArn(fn.name, params.Name)}`);
    return ok(m.aliasOut(fn, params.Name!, alias));
  },

  UpdateAlias(m, { params, body }) {
    const b = body as AliasBody & { RevisionId?: string };
    const fn = m.latestOnly(params.FunctionName!);
    const name = params.Name!;
    const alias = fn.aliases.get(name);
    if (!alias) throw notFound(`Alias not found: ${m.functionArn(fn.name, name)}`);
    if (b.RevisionId !== undefined && b.RevisionId !== alias.revisionId) throw preconditionFailed();
    const functionVersion =
      b.FunctionVersion === undefined ? alias.functionVersion : m.checkTarget(fn, b.FunctionVersion);
    // Routing that is not sent stays, and must still be valid with the new FunctionVersion.
    const weights = m.checkRouting(
      fn,
      functionVersion,
      b.RoutingConfig === undefined ? alias.weights : b.RoutingConfig.AdditionalVersionWeights,
    );
    const updated: Alias = {
      functionVersion,
      description: b.Description ?? alias.description,
      weights,
      revisionId: randomUUID(),
    };
    fn.aliases.set(name, updated);
    return ok(m.aliasOut(fn, name, updated));
  },

  ListAliases(m, { params, query }) {
    const fn = m.latestOnly(params.FunctionName!);
    const version = query.get('FunctionVersion');
    if (version !== null && !VERSION.test(version)) {
      throw validation(
        `Value '${version}' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)`,
      );
    }
    const aliases = [...fn.aliases]
      .filter(([, a]) => version === null || a.functionVersion === version)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, a]) => m.aliasOut(fn, name, a));
    const { items, next } = page(aliases, query, 10_000);
    return ok({ Aliases: items, ...(next ? { NextMarker: next } : {}) });
  },

  async PublishLayerVersion(m, { params, body }) {
    const b = body as PublishLayerBody;
    const name = layerName(params.LayerName!);
    if (!b.Content) throw validation("Value null at 'content' failed to satisfy constraint: Member must not be null");
    const code = await m.loadCode(b.Content);
    if (code.unzipped > MAX_UNZIPPED_BYTES)
      throw invalidParameter(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
    m.checkStorage(stored(code));
    const versions = m.layers.get(name) ?? [];
    const layer: LayerVersion = {
      name,
      version: (versions.at(-1)?.version ?? 0) + 1, // numbers of deleted versions are not reused
      description: b.Description ?? '',
      createdDate: lambdaDate(),
      compatibleRuntimes: b.CompatibleRuntimes,
      compatibleArchitectures: b.CompatibleArchitectures,
      licenseInfo: b.LicenseInfo,
      code,
    };
    m.layers.set(name, [...versions, layer]);
    return ok(m.layerOut(layer), 201);
  },

  ListLayerVersions(m, { params, query }) {
    const runtime = query.get('CompatibleRuntime');
    const architecture = query.get('CompatibleArchitecture');
    const matching = m
      .liveLayers(layerName(params.LayerName!))
      .reverse()
      .filter((l) => layerMatches(l, runtime, architecture));
    const { items, next } = page(matching, query, MAX_LAYER_LIST_ITEMS);
    const LayerVersions = items.map((l) => {
      const { Content, LayerArn, ...item } = m.layerOut(l);
      return item;
    });
    return ok({ LayerVersions, ...(next ? { NextMarker: next } : {}) });
  },

  GetLayerVersion(m, { params }) {
    const layer = m.liveLayers(layerName(params.LayerName!)).find((l) => String(l.version) === params.VersionNumber);
    if (!layer) throw notFound('The resource you requested does not exist.');
    return ok(m.layerOut(layer));
  },

  /** Idempotent, as documented: a version that is gone (or never was) is 204 too. Functions that use it keep their copy. */
  DeleteLayerVersion(m, { params }) {
    const layer = m.layers.get(layerName(params.LayerName!))?.find((l) => String(l.version) === params.VersionNumber);
    if (layer) layer.deleted = true;
    return ok(undefined, 204);
  },

  /** Each layer with its newest version that matches the filters. */
  ListLayers(m, { query }) {
    const runtime = query.get('CompatibleRuntime');
    const architecture = query.get('CompatibleArchitecture');
    const layers = [...m.layers.keys()]
      .sort()
      .map((name) =>
        m
          .liveLayers(name)
          .filter((l) => layerMatches(l, runtime, architecture))
          .at(-1),
      )
      .filter((l): l is LayerVersion => l !== undefined)
      .map((l) => {
        const { Content, LayerArn, ...latest } = m.layerOut(l);
        return { LayerName: l.name, LayerArn, LatestMatchingVersion: latest };
      });
    const { items, next } = page(layers, query, MAX_LAYER_LIST_ITEMS);
    return ok({ Layers: items, ...(next ? { NextMarker: next } : {}) });
  },

  GetAccountSettings(m) {
    return ok({
      AccountLimit: {
        TotalCodeSize: m.totalCodeSize,
        CodeSizeUnzipped: MAX_UNZIPPED_BYTES,
        CodeSizeZipped: MAX_ZIPPED_BYTES,
        ConcurrentExecutions: m.concurrency,
        // No reserved concurrency is modelled: all of it is unreserved.
        UnreservedConcurrentExecutions: m.concurrency,
      },
      AccountUsage: { TotalCodeSize: m.codeStorageUsed(), FunctionCount: m.functions.size },
    });
  },

  TagResource(m, { params, body }) {
    const fn = taggedFunction(m, params.Resource!);
    const tags = checkTags((body as { Tags?: Record<string, string> }).Tags ?? {});
    if (Object.keys({ ...fn.tags, ...tags }).length > MAX_TAGS)
      throw invalidParameter(`Number of tags exceeds resource tag limit of ${MAX_TAGS}.`);
    Object.assign(fn.tags, tags);
    return ok(undefined, 204);
  },

  UntagResource(m, { params, query }) {
    const fn = taggedFunction(m, params.Resource!);
    for (const key of query.getAll('tagKeys')) delete fn.tags[key];
    return ok(undefined, 204);
  },

  ListTags(m, { params }) {
    return ok({ Tags: { ...taggedFunction(m, params.Resource!).tags } });
  },

  /**
   * Every function's $LATEST in name order (with FunctionVersion=ALL, each followed by its
   * published versions), at most 50 a page whatever MaxItems asks (1 to 10,000), and without
   * the fields the API reference says only GetFunction returns.
   */
  ListFunctions(m, { query }) {
    const version = query.get('FunctionVersion');
    if (version !== null && version !== 'ALL')
      throw validation(
        `Value '${version}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]`,
      );
    const all = [...m.functions.keys()].sort().flatMap((name) => {
      const fn = m.functions.get(name)!;
      m.settle(fn);
      const versions = version === 'ALL' ? [...fn.versions.keys()].sort((a, b) => a - b) : [];
      // $LATEST's ARN is unqualified, unless the versions are listed too (ListTags refuses a qualified ARN).
      const latest = m.latestConfig(fn, version === 'ALL' ? '$LATEST' : undefined);
      return [latest, ...versions.map((v) => m.versionConfig(fn, v))].map(listedConfig);
    });
    const { items, next } = page(all, query, 10_000, MAX_FUNCTION_LIST_ITEMS);
    return ok({ Functions: items, ...(next ? { NextMarker: next } : {}) });
  },
};

const MAX_FUNCTION_LIST_ITEMS = 50;

/** ListFunctions leaves out State, LastUpdateStatus and their reasons, and RuntimeVersionConfig (GetFunction has them). */
function listedConfig(config: FunctionConfiguration): FunctionConfiguration {
  const {
    State: _state,
    StateReason: _stateReason,
    StateReasonCode: _stateReasonCode,
    LastUpdateStatus: _lastUpdate,
    LastUpdateStatusReason: _lastUpdateReason,
    LastUpdateStatusReasonCode: _lastUpdateReasonCode,
    RuntimeVersionConfig: _runtimeVersion,
    ...listed
  } = config;
  return listed;
}

const MAX_LAYER_LIST_ITEMS = 50;

function layerMatches(l: LayerVersion, runtime: string | null, architecture: string | null): boolean {
  return (
    (!runtime || !!l.compatibleRuntimes?.includes(runtime)) &&
    (!architecture || !!l.compatibleArchitectures?.includes(architecture))
  );
}

/** Tags belong to a function (its unqualified ARN), not to a version or an alias. */
function taggedFunction(m: LambdaModel, resource: string): Fn {
  const { name, qualifier } = m.parseFunctionName(resource);
  if (qualifier) throw invalidParameter('Tags are not supported on function versions or aliases.');
  return m.fn(name);
}

function checkTags(tags: Record<string, string>): Record<string, string> {
  if (Object.keys(tags).length > MAX_TAGS)
    throw invalidParameter(`Number of tags exceeds resource tag limit of ${MAX_TAGS}.`);
  for (const [key, value] of Object.entries(tags)) {
    if (key.toLowerCase().startsWith('aws:')) throw invalidParameter(`Tag keys can't start with the aws: prefix.`);
    // AWS's tagging rules: keys of 1 to 128 characters, values up to 256, letters, digits, spaces and _ . : / = + - @
    if (key.length < 1 || key.length > 128 || !TAG_TEXT.test(key))
      throw invalidParameter(`Tag key '${key}' is not valid.`);
    if (typeof value !== 'string' || value.length > 256 || !TAG_TEXT.test(value))
      throw invalidParameter(`Tag value '${value}' of key '${key}' is not valid.`);
  }
  return { ...tags };
}

interface CreateFunctionBody {
  FunctionName: string;
  Role: string;
  Code: CodeSource;
  Runtime?: string;
  Handler?: string;
  Description?: string;
  Timeout?: number;
  MemorySize?: number;
  Environment?: { Variables?: Record<string, string> };
  Architectures?: string[];
  Layers?: string[];
  Publish?: boolean;
  Tags?: Record<string, string>;
}
type UpdateConfigurationBody = Partial<
  Omit<CreateFunctionBody, 'FunctionName' | 'Code' | 'Publish' | 'Architectures' | 'Tags'>
> & { RevisionId?: string };
type UpdateCodeBody = CodeSource & { RevisionId?: string; Publish?: boolean; Architectures?: string[] };
interface AliasBody {
  FunctionVersion?: string;
  Description?: string;
  RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> };
}
interface PublishLayerBody {
  Content?: CodeSource;
  Description?: string;
  CompatibleRuntimes?: string[];
  CompatibleArchitectures?: string[];
  LicenseInfo?: string;
}

function checkAliasName(name: unknown): string {
  if (typeof name !== 'string' || !ALIAS_NAME.test(name)) {
    throw validation(
      `Value '${String(name)}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)`,
    );
  }
  return name;
}

function layerName(raw: string): string {
  const m = LAYER_NAME.exec(raw);
  if (!m)
    throw validation(
      `Value '${raw}' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${LAYER_NAME.source}`,
    );
  return m[1]!;
}

/** Code.ResolvedS3Object (GetFunction) and Content.ResolvedS3Object (layer versions): only for REFERENCE code. */
function resolvedS3Object(code: Code) {
  if (!code.reference) return {};
  const { bucket, key, version } = code.reference;
  return { ResolvedS3Object: { S3Bucket: bucket, S3Key: key, S3ObjectVersion: version } };
}

function codeLocation(config: FunctionConfiguration): string {
  return `https://awslambda-code.s3.amazonaws.com/snapshots/${config.FunctionName}-${config.Version}?sha256=${encodeURIComponent(config.CodeSha256 ?? '')}`;
}

/**
 * Marker is the index of the first item of the page; MaxItems defaults to 50 and must be within
 * 1..limit (10000 for functions, versions and aliases; 50 for layers), else a ValidationException.
 * `perPage` caps a page below MaxItems where the API reference says so (ListFunctions: 50).
 */
function page<T>(all: T[], query: URLSearchParams, limit: number, perPage = Infinity): { items: T[]; next?: string } {
  const start = Number(query.get('Marker') ?? 0) || 0;
  const max = Number(query.get('MaxItems') ?? 50);
  if (!Number.isInteger(max) || max < 1 || max > limit) {
    const bound = max < 1 ? 'greater than or equal to 1' : `less than or equal to ${limit}`;
    throw validation(
      `Value '${query.get('MaxItems')}' at 'maxItems' failed to satisfy constraint: Member must have value ${bound}`,
    );
  }
  const size = Math.min(max, perPage);
  const items = all.slice(start, start + size);
  return { items, next: start + size < all.length ? String(start + size) : undefined };
}

// ---------------------------------------------------------------------------------------------
// Routing: the paths and methods the SDK sends (see the http traits in @aws-sdk/client-lambda).

interface Route {
  operation: Operation;
  method: string;
  segments: string[];
}

const ROUTES: Route[] = [
  ['CreateFunction', 'POST', '/2015-03-31/functions'],
  ['GetFunction', 'GET', '/2015-03-31/functions/{FunctionName}'],
  ['GetFunctionConfiguration', 'GET', '/2015-03-31/functions/{FunctionName}/configuration'],
  ['UpdateFunctionConfiguration', 'PUT', '/2015-03-31/functions/{FunctionName}/configuration'],
  ['UpdateFunctionCode', 'PUT', '/2015-03-31/functions/{FunctionName}/code'],
  ['PublishVersion', 'POST', '/2015-03-31/functions/{FunctionName}/versions'],
  ['ListVersionsByFunction', 'GET', '/2015-03-31/functions/{FunctionName}/versions'],
  ['DeleteFunction', 'DELETE', '/2015-03-31/functions/{FunctionName}'],
  ['Invoke', 'POST', '/2015-03-31/functions/{FunctionName}/invocations'],
  ['GetPolicy', 'GET', '/2015-03-31/functions/{FunctionName}/policy'],
  ['CreateAlias', 'POST', '/2015-03-31/functions/{FunctionName}/aliases'],
  ['ListAliases', 'GET', '/2015-03-31/functions/{FunctionName}/aliases'],
  ['GetAlias', 'GET', '/2015-03-31/functions/{FunctionName}/aliases/{Name}'],
  ['UpdateAlias', 'PUT', '/2015-03-31/functions/{FunctionName}/aliases/{Name}'],
  ['PublishLayerVersion', 'POST', '/2018-10-31/layers/{LayerName}/versions'],
  ['ListLayerVersions', 'GET', '/2018-10-31/layers/{LayerName}/versions'],
  ['GetLayerVersion', 'GET', '/2018-10-31/layers/{LayerName}/versions/{VersionNumber}'],
  ['DeleteLayerVersion', 'DELETE', '/2018-10-31/layers/{LayerName}/versions/{VersionNumber}'],
  ['ListLayers', 'GET', '/2018-10-31/layers'],
  ['GetAccountSettings', 'GET', '/2016-08-19/account-settings'],
  ['TagResource', 'POST', '/2017-03-31/tags/{Resource}'],
  ['UntagResource', 'DELETE', '/2017-03-31/tags/{Resource}'],
  ['ListTags', 'GET', '/2017-03-31/tags/{Resource}'],
  // The SDK sends no trailing slash; the API reference writes one: route() drops it.
  ['ListFunctions', 'GET', '/2015-03-31/functions'],
].map(([operation, method, path]) => ({
  operation: operation as Operation,
  method: method!,
  segments: path!.split('/').slice(1),
}));

function route(
  method: string,
  segments: string[],
): { operation: Operation; params: Record<string, string> } | undefined {
  if (segments.length > 1 && segments.at(-1) === '') segments = segments.slice(0, -1);
  for (const r of ROUTES) {
    if (r.method !== method || r.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = r.segments.every((s, i) => {
      if (s.startsWith('{')) params[s.slice(1, -1)] = segments[i]!;
      return s.startsWith('{') || s === segments[i];
    });
    if (matches) return { operation: r.operation, params };
  }
  return undefined;
}

const isMutating = (operation: string) => /^(Create|Update|Publish|Delete)/.test(operation);

// ---------------------------------------------------------------------------------------------

export class LambdaStandin {
  endpoint = '';
  /** Milliseconds an update stays InProgress; may be changed between requests. */
  updateDelayMs: number;
  /** Random source in [0, 1) for alias routing weights; may be changed between requests. */
  random: () => number;
  readonly log: RequestLogEntry[] = [];
  private readonly faults = new Map<string, { fault: Fault; remaining: number }>();
  private readonly delays = new Map<string, { ms: number; remaining: number }>();
  private kill?: { pid: number; remaining: number };
  private readonly model: LambdaModel;
  private readonly s3: S3Client;
  private readonly server: Server;
  private readonly region: string;
  private readonly quotas = new LambdaQuotas();
  private throttles = 0;
  private readonly runner: InvokeRunner;
  private readonly onLog?: LambdaStandinOptions['onLog'];
  private running = 0;
  private readonly background = new Set<Promise<void>>();

  private constructor(opts: LambdaStandinOptions) {
    this.updateDelayMs = opts.updateDelayMs ?? 0;
    this.random = opts.random ?? Math.random;
    this.onLog = opts.onLog;
    this.runner = new InvokeRunner(opts.invokeImage ?? defaultInvokeImage);
    this.setRates(opts.rates);
    const region = (this.region = opts.region ?? DEFAULT_REGION);
    this.s3 = new S3Client({
      endpoint: opts.s3Endpoint,
      region,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    this.model = new LambdaModel(
      region,
      opts.accountId ?? DEFAULT_ACCOUNT,
      this.s3,
      () => this.updateDelayMs,
      opts.totalCodeSize ?? DEFAULT_TOTAL_CODE_SIZE,
      opts.concurrency ?? DEFAULT_CONCURRENCY,
    );
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(opts: LambdaStandinOptions): Promise<LambdaStandin> {
    const standin = new LambdaStandin(opts);
    standin.endpoint = await listenLocal(standin.server);
    return standin;
  }

  /** Stops serving, kills the invocations still running and removes their containers. */
  async close(): Promise<void> {
    await closeServer(this.server);
    await this.runner.close();
    await Promise.allSettled([...this.background]);
    this.s3.destroy();
  }

  // --- test controls

  clearLog(): void {
    this.log.length = 0;
  }

  /** The next `times` requests for `operation` fail with `fault` instead of (or, for drop-after-apply, after) being served. */
  inject(operation: string, fault: Fault, times = Infinity): void {
    if (!(OPERATIONS as readonly string[]).includes(operation)) throw new Error(`unknown operation ${operation}`);
    this.faults.set(operation, { fault, remaining: times });
  }

  clearFaults(): void {
    this.faults.clear();
    this.delays.clear();
  }

  /** The next `times` requests for `operation` are served `ms` late (a slow network or a slow region), then answered as usual. */
  slowDown(operation: string, ms: number, times = 1): void {
    if (!(OPERATIONS as readonly string[]).includes(operation)) throw new Error(`unknown operation ${operation}`);
    this.delays.set(operation, { ms, remaining: times });
  }

  /** SIGKILLs `pid` once the N-th successful Create*, Update*, Publish* or Delete* request from now on has been applied and answered. */
  killAfter(pid: number, mutatingRequests: number): void {
    this.kill = { pid, remaining: mutatingRequests };
  }

  /** The next UpdateFunctionCode or UpdateFunctionConfiguration of the function ends with LastUpdateStatus Failed. */
  failNextUpdate(functionName: string, reason: string, reasonCode = 'InternalError'): void {
    const fn = this.model.functions.get(functionName);
    if (!fn) throw new Error(`no function ${functionName}`);
    fn.failNext = { reason, code: reasonCode };
  }

  /** Creates $LATEST (Active, Successful), publishes version 1 and points each alias to it. */
  seedFunction(seed: SeedFunction): void {
    this.model.seed(seed);
  }

  functionState(name: string): FunctionState | undefined {
    return this.model.state(name);
  }

  /** Every version of a layer that is not deleted, oldest first, as GetLayerVersion returns them. */
  layerVersions(name: string): GetLayerVersionResponse[] {
    return this.model.liveLayers(name).map((l) => this.model.layerOut(l));
  }

  /** The request quotas from the next request on (buckets start full); undefined turns them off. */
  setRates(rates: LambdaRates | undefined): void {
    this.quotas.set(rates);
  }

  /** Requests refused by the request-rate quotas so far (each is in the log with status 429). */
  throttleCount(): number {
    return this.throttles;
  }

  /** Resolves once every asynchronous (Event) invocation accepted so far has run. */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  // --- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    const segments = url.pathname.split('/').slice(1).map(safeDecode);
    const matched = route(req.method ?? '', segments);
    const operation = matched?.operation ?? 'Unknown';
    const entry: RequestLogEntry = {
      operation,
      method: req.method ?? '',
      path: `/${segments.join('/')}${url.search}`,
      status: 0,
      at: Date.now(),
    };
    try {
      const raw = await readBody(req);
      const delay = this.delays.get(operation);
      if (delay && delay.remaining > 0) {
        delay.remaining--;
        await sleep(delay.ms);
      }
      const throttle = this.takeToken(operation);
      if (throttle) {
        this.throttles++;
        return this.send(res, errorReply(throttle), entry);
      }
      const injected = this.takeFault(operation);
      if (injected === 'drop') return this.drop(req, entry);
      const reply =
        injected && injected !== 'drop-after-apply'
          ? errorReply(faultError(injected, this.faultResource(matched?.params.FunctionName)))
          : await this.serve(matched, url, raw, req.headers);
      if (injected === 'drop-after-apply') return this.drop(req, entry);
      this.send(res, reply, entry);
    } catch (e) {
      this.send(res, errorReply(e), entry);
    }
  }

  private async serve(
    matched: ReturnType<typeof route>,
    url: URL,
    raw: Buffer | undefined,
    headers: IncomingHttpHeaders,
  ): Promise<Reply> {
    try {
      if (!matched) throw new LambdaError(404, 'UnknownOperationException', 'Unknown operation');
      const name = matched.operation === 'Invoke' ? 'InvokeFunction' : matched.operation;
      if (!raw)
        throw entityTooLarge(`Request must be smaller than ${MAX_REQUEST_BYTES} bytes for the ${name} operation`);
      const request = { params: matched.params, query: url.searchParams, headers, raw, body: {} };
      if (matched.operation === 'Invoke') return await this.invoke(request);
      return await handlers[matched.operation](this.model, { ...request, body: parseBody(raw) });
    } catch (e) {
      return errorReply(e);
    }
  }

  /** The request-rate quota: undefined when the request may go on, else the 429 to answer. */
  private takeToken(operation: string): LambdaError | undefined {
    return this.quotas.take(operation);
  }

  // --- Invoke

  private async invoke({ params, query, headers, raw }: Request): Promise<Reply> {
    const type = headerValue(headers, 'x-amz-invocation-type') ?? 'RequestResponse';
    if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) {
      throw validation(
        `Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
      );
    }
    const logType = headerValue(headers, 'x-amz-log-type') ?? 'None';
    if (!['None', 'Tail'].includes(logType)) {
      throw validation(
        `Value '${logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]`,
      );
    }
    if (type === 'Event' && raw.length > MAX_EVENT_PAYLOAD) {
      throw entityTooLarge(
        `${raw.length} byte payload is too large for the Event invocation type (limit ${MAX_EVENT_PAYLOAD} bytes)`,
      );
    }
    if (raw.length > MAX_SYNC_PAYLOAD)
      throw entityTooLarge(`Request must be smaller than ${MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation`);
    const target = this.model.invocationTarget(params.FunctionName!, query.get('Qualifier'), this.random);
    if (raw.length > 0) {
      try {
        JSON.parse(raw.toString('utf8'));
      } catch (e) {
        throw new LambdaError(
          400,
          'InvalidRequestContentException',
          `Could not parse request body into json: Could not parse payload into json: ${(e as Error).message}`,
        );
      }
    }
    const decoded = decodeClientContext(headerValue(headers, 'x-amz-client-context'));
    // Lambda passes the client context to synchronous invocations only.
    const clientContext = type === 'RequestResponse' ? decoded : undefined;
    if (type === 'DryRun') return { status: 204, body: undefined };
    const spec = this.runSpec(target, raw, clientContext);
    if (type === 'Event') {
      // Lambda queues the event and runs it when there is concurrency to spare.
      const run = (async () => {
        while (this.running >= this.model.concurrency) await sleep(20);
        await this.execute(spec).catch(() => {});
      })();
      this.background.add(run);
      void run.finally(() => this.background.delete(run));
      return { status: 202, body: undefined, raw: Buffer.alloc(0) };
    }
    if (this.running >= this.model.concurrency)
      throw throttled('ConcurrentInvocationLimitExceeded', 'Rate Exceeded.', 1);
    const result = await this.execute(spec);
    return {
      status: 200,
      body: undefined,
      raw: result.payload,
      headers: {
        'x-amz-executed-version': target.version,
        ...(result.functionError ? { 'x-amz-function-error': result.functionError } : {}),
        ...(logType === 'Tail' ? { 'x-amz-log-result': logTail(result.logText) } : {}),
      },
    };
  }

  private runSpec(target: InvocationTarget, payload: Buffer, clientContext: unknown): RunSpec {
    const { fn, version, settings } = target;
    const layers = settings.layers.map((arn) => this.model.layerByArn(arn)!);
    return {
      requestId: randomUUID(),
      functionName: fn.name,
      version,
      invokedFunctionArn: target.invokedArn,
      runtime: settings.runtime,
      handler: settings.handler,
      timeout: settings.timeout,
      memorySize: settings.memorySize,
      architecture: settings.architectures[0] ?? 'x86_64',
      environment: { ...settings.environment },
      code: this.model.codeBlob(settings.code),
      layers: layers.map((l) => this.model.codeBlob(l.code)),
      payload,
      clientContext,
      region: this.region,
      logGroup: `/aws/lambda/${fn.name}`,
      logStream: logStreamName(version),
    };
  }

  private async execute(spec: RunSpec) {
    this.running++;
    try {
      const result = await this.runner.run(spec);
      this.onLog?.(spec.logGroup, spec.logStream, result.events);
      return result;
    } catch (e) {
      if (e instanceof RuntimeUnavailable) throw new LambdaError(502, 'InvalidRuntimeException', e.message);
      throw e;
    } finally {
      this.running--;
    }
  }

  private takeFault(operation: string): Fault | undefined {
    const f = this.faults.get(operation);
    if (!f || f.remaining <= 0) return undefined;
    f.remaining--;
    return f.fault;
  }

  private faultResource(rawName: string | undefined): string {
    if (!rawName) return `arn:aws:lambda:${DEFAULT_REGION}:${DEFAULT_ACCOUNT}:function:unknown`;
    try {
      return this.model.functionArn(this.model.parseFunctionName(rawName).name);
    } catch {
      return rawName;
    }
  }

  private drop(req: IncomingMessage, entry: RequestLogEntry): void {
    this.log.push(entry);
    req.socket.destroy();
  }

  private send(res: ServerResponse, reply: Reply, entry: RequestLogEntry): void {
    const payload =
      reply.status === 204 ? Buffer.alloc(0) : (reply.raw ?? Buffer.from(JSON.stringify(reply.body ?? {})));
    entry.status = reply.status;
    this.log.push(entry);
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      'content-length': String(payload.length),
      'x-amzn-requestid': randomUUID(),
      ...reply.headers,
    });
    res.end(payload, () => this.afterResponse(entry));
  }

  private afterResponse(entry: RequestLogEntry): void {
    if (!this.kill || !isMutating(entry.operation) || entry.status >= 300) return;
    if (--this.kill.remaining > 0) return;
    const { pid } = this.kill;
    this.kill = undefined;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function errorReply(e: unknown): Reply & { headers: Record<string, string> } {
  const err =
    e instanceof LambdaError
      ? e
      : new LambdaError(
          500,
          'ServiceException',
          `Stand-in failure: ${e instanceof Error ? e.message : String(e)}`,
          'Service',
        );
  return {
    status: err.status,
    headers: { 'x-amzn-errortype': err.code, ...err.extra.headers },
    body: { Type: err.type, message: err.message, ...err.extra.body },
  };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** X-Amz-Client-Context: base64 of a JSON object, at most 3583 bytes. */
function decodeClientContext(header: string | undefined): unknown {
  if (header === undefined) return undefined;
  if (header.length > 3583) throw invalidParameter('Client context must be smaller than 3583 bytes.');
  try {
    const parsed: unknown = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
  } catch {
    // answered below
  }
  throw new LambdaError(
    400,
    'InvalidRequestContentException',
    'Client context must be a valid Base64-encoded JSON object.',
  );
}

function parseBody(raw: Buffer): Body {
  if (raw.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Body;
  } catch {
    // answered below
  }
  throw new LambdaError(400, 'InvalidRequestContentException', 'Could not parse request body into json');
}

/** The body, or undefined when it is larger than Lambda accepts (the rest is drained). */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
  }
  return size <= MAX_REQUEST_BYTES ? Buffer.concat(chunks) : undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
