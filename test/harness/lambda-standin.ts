import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { FunctionConfiguration, GetLayerVersionResponse } from '@aws-sdk/client-lambda';
import { closeServer, listenLocal } from './http-server.js';

/**
 * An offline stand-in for the AWS Lambda control plane, for tests. It speaks Lambda's REST-JSON
 * wire protocol (API versions 2015-03-31 and 2018-10-31) to the unmodified AWS SDK v3 client and
 * follows the API reference and observed AWS behaviour: RevisionId preconditions, updates that stay
 * InProgress for a while, PublishVersion that only publishes when $LATEST changed, alias routing
 * rules, layer versions and the size limits. Code given as S3Bucket/S3Key is fetched from a real
 * S3-compatible server (s3rver in tests), so CodeSha256 and CodeSize are those of the actual bytes.
 *
 * Test controls: a request log, injected faults, killing a process after the N-th mutating request,
 * seeding and inspection that bypass HTTP.
 */

export type Fault = 'throttle' | 'server-error' | 'conflict' | 'drop' | 'drop-after-apply';

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

export interface LambdaStandinOptions {
  /** S3-compatible endpoint (path-style, credentials S3RVER/S3RVER) to fetch S3Bucket/S3Key code from. */
  s3Endpoint: string;
  /** How long LastUpdateStatus stays InProgress after CreateFunction/UpdateFunctionCode/UpdateFunctionConfiguration. */
  updateDelayMs?: number;
  accountId?: string;
  region?: string;
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
}

/** Lambda's limit on the unzipped size of code plus all layers. */
const MAX_UNZIPPED_BYTES = 262_144_000;
const MAX_LAYERS = 5;
/** Requests above this are refused before parsing, as Lambda does for 50 MB zips sent inline (base64). */
const MAX_REQUEST_BYTES = 69_905_067;
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
  'CreateAlias',
  'GetAlias',
  'UpdateAlias',
  'PublishLayerVersion',
  'ListLayerVersions',
  'GetLayerVersion',
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
const validation = (message: string) => new LambdaError(400, 'ValidationException', `1 validation error detected: ${message}`);
const updateInProgress = (arn: string) =>
  conflict(`The operation cannot be performed at this time. An update is in progress for resource: ${arn}`);

function faultError(fault: Exclude<Fault, 'drop' | 'drop-after-apply'>, resourceArn: string): LambdaError {
  switch (fault) {
    case 'throttle':
      return new LambdaError(429, 'TooManyRequestsException', 'Rate exceeded', 'User', {
        headers: { 'retry-after': '0' },
        body: { Reason: 'CallerRateLimitExceeded', retryAfterSeconds: '0' },
      });
    case 'server-error':
      return new LambdaError(500, 'ServiceException', 'An internal error occurred (injected by the stand-in).', 'Service');
    case 'conflict':
      return updateInProgress(resourceArn);
  }
}

// ---------------------------------------------------------------------------------------------
// Zip central directory: Lambda limits the unzipped size, so the stand-in needs the sum of the
// uncompressed sizes. Zip64 records are followed when the 32-bit fields overflow.

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;

function unzippedSize(zip: Buffer): number {
  const eocd = findEndOfCentralDirectory(zip);
  let entries = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  if (entries === 0xffff || offset === 0xffffffff) ({ entries, offset } = readZip64End(zip, eocd));
  let total = 0;
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(offset) !== CENTRAL_HEADER_SIGNATURE) throw new Error('bad central directory entry');
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    let size = zip.readUInt32LE(offset + 24);
    if (size === 0xffffffff) size = zip64UncompressedSize(zip.subarray(offset + 46 + nameLength, offset + 46 + nameLength + extraLength));
    total += size;
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return total;
}

function findEndOfCentralDirectory(zip: Buffer): number {
  const lowest = Math.max(0, zip.length - 22 - 0xffff); // the record ends with a comment of up to 64 kB
  for (let at = zip.length - 22; at >= lowest; at--) {
    if (zip.readUInt32LE(at) === EOCD_SIGNATURE) return at;
  }
  throw new Error('no end of central directory record');
}

function readZip64End(zip: Buffer, eocd: number): { entries: number; offset: number } {
  const locator = eocd - 20;
  if (locator < 0 || zip.readUInt32LE(locator) !== ZIP64_LOCATOR_SIGNATURE) throw new Error('no zip64 locator');
  const record = Number(zip.readBigUInt64LE(locator + 8));
  if (zip.readUInt32LE(record) !== ZIP64_EOCD_SIGNATURE) throw new Error('bad zip64 end record');
  return { entries: Number(zip.readBigUInt64LE(record + 32)), offset: Number(zip.readBigUInt64LE(record + 48)) };
}

/** The uncompressed size is the first field of the zip64 extra block (id 1) when it overflowed. */
function zip64UncompressedSize(extra: Buffer): number {
  for (let at = 0; at + 4 <= extra.length; at += 4 + extra.readUInt16LE(at + 2)) {
    if (extra.readUInt16LE(at) === 1) return Number(extra.readBigUInt64LE(at + 4));
  }
  throw new Error('no zip64 extra field');
}

// ---------------------------------------------------------------------------------------------
// The model: functions, versions, aliases and layers.

interface Code {
  sha256: string;
  size: number;
  unzipped: number;
}

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
  versions: Map<number, PublishedVersion>;
  aliases: Map<string, Alias>;
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
}

interface CodeSource {
  ZipFile?: string;
  S3Bucket?: string;
  S3Key?: string;
  S3ObjectVersion?: string;
}

type Body = Record<string, unknown>;
interface Reply {
  status: number;
  body: unknown;
}
interface Request {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Body;
}

/** Lambda's timestamp format: 2026-11-26T16:00:00.000+0000 */
const lambdaDate = (at = new Date()) => at.toISOString().replace('Z', '+0000');

const FUNCTION_NAME = /^(?:arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(?:-gov)?-[a-z]+-\d:)?(?:\d{12}:)?(?:function:)?([a-zA-Z0-9-_]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const LAYER_NAME = /^(?:arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(?:-gov)?-[a-z]+-\d:\d{12}:layer:)?([a-zA-Z0-9-_]+)$/;
const LAYER_VERSION_ARN = /^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):layer:([a-zA-Z0-9-_]+):([0-9]+)$/;
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
    if (!m) throw validation(`Value '${raw}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${FUNCTION_NAME.source}`);
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
      throw invalidParameter('Current operation does not support versions other than $LATEST. Please set version to $LATEST or do not set a version in your request.');
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

  private settingsConfig(name: string, s: Settings, version: string, revisionId: string, arnQualifier?: string): FunctionConfiguration {
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
    if (s.layers.length > 0) config.Layers = s.layers.map((arn) => ({ Arn: arn, CodeSize: this.layerByArn(arn)!.code.size }));
    return config;
  }

  private status(fn: Fn): FunctionConfiguration {
    const p = fn.pending;
    if (p?.creating) {
      return { State: 'Pending', StateReason: 'The function is being created.', StateReasonCode: 'Creating', LastUpdateStatus: 'InProgress' };
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
      if (!fn.versions.has(Number(qualifier))) throw notFound(`Function not found: ${this.functionArn(fn.name, qualifier)}`);
      return this.versionConfig(fn, Number(qualifier));
    }
    const alias = fn.aliases.get(qualifier);
    if (!alias) throw notFound(`Function not found: ${this.functionArn(fn.name, qualifier)}`);
    return alias.functionVersion === '$LATEST' ? this.latestConfig(fn, qualifier) : this.versionConfig(fn, Number(alias.functionVersion), qualifier);
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
      },
      LayerArn: this.layerArn(l.name),
      LayerVersionArn: `${this.layerArn(l.name)}:${l.version}`,
      Description: l.description,
      CreatedDate: l.createdDate,
      Version: l.version,
      ...(l.compatibleRuntimes ? { CompatibleRuntimes: [...l.compatibleRuntimes] as GetLayerVersionResponse['CompatibleRuntimes'] } : {}),
      ...(l.compatibleArchitectures ? { CompatibleArchitectures: [...l.compatibleArchitectures] as GetLayerVersionResponse['CompatibleArchitectures'] } : {}),
      ...(l.licenseInfo ? { LicenseInfo: l.licenseInfo } : {}),
    };
  }

  // --- code

  async loadCode(source: CodeSource | undefined): Promise<Code> {
    if (source?.ZipFile) return codeOf(Buffer.from(source.ZipFile, 'base64'));
    if (source?.S3Bucket && source.S3Key) return codeOf(await this.getObject(source));
    throw invalidParameter('Please provide a source for function code.');
  }

  private async getObject({ S3Bucket, S3Key, S3ObjectVersion }: CodeSource): Promise<Buffer> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: S3Bucket, Key: S3Key, VersionId: S3ObjectVersion }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (e) {
      const err = e as Error;
      throw invalidParameter(`Error occurred while GetObject. S3 Error Code: ${err.name}. S3 Error Message: ${err.message}`);
    }
  }

  // --- checks shared by the updates

  /** RevisionId precondition, then the update lock. */
  guardLatest(fn: Fn, revisionId: unknown): void {
    if (revisionId !== undefined && revisionId !== fn.revisionId) throw preconditionFailed();
    if (fn.pending?.creating) {
      throw conflict('The operation cannot be performed at this time. The function is currently in the following state: Pending');
    }
    if (fn.pending) throw updateInProgress(this.functionArn(fn.name));
  }

  layerByArn(arn: string): LayerVersion | undefined {
    const m = LAYER_VERSION_ARN.exec(arn);
    if (!m || m[1] !== this.region || m[2] !== this.accountId) return undefined;
    return this.layers.get(m[3]!)?.find((l) => l.version === Number(m[4]));
  }

  checkLayers(arns: string[]): void {
    if (arns.length > MAX_LAYERS) throw invalidParameter(`Cannot reference more than ${MAX_LAYERS} layers.`);
    const seen = new Map<string, string>();
    for (const arn of arns) {
      const m = LAYER_VERSION_ARN.exec(arn);
      if (!m) {
        throw validation(`Value '[${arn}]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy regular expression pattern: ${LAYER_VERSION_ARN.source}]`);
      }
      if (m[1] !== this.region) throw invalidParameter(`Layers are not in the same region as the function. Layers are expected to be in region ${this.region}.`);
      if (!this.layerByArn(arn)) throw invalidParameter(`Layer version ${arn} does not exist.`);
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
    if (layerArns.length === 0) throw invalidParameter(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
    throw invalidParameter(
      `Function code combined with layers exceeds the maximum allowed size of ${MAX_UNZIPPED_BYTES} bytes. The actual size is ${total} bytes.`,
    );
  }

  /** After a mutation of $LATEST: a new RevisionId and LastUpdateStatus InProgress for updateDelayMs. */
  startUpdate(fn: Fn, creating: boolean): void {
    fn.latest.lastModified = lambdaDate();
    fn.revisionId = randomUUID();
    fn.edits++;
    const failure = creating ? undefined : fn.failNext;
    if (!creating) fn.failNext = undefined;
    fn.pending = { until: Date.now() + this.updateDelayMs(), creating, failure, revisionAfter: randomUUID() };
  }

  // --- versions and aliases

  /** Publishes $LATEST, or returns the last version when $LATEST has not been updated since. */
  publish(fn: Fn, description: string | undefined): number {
    const numbers = [...fn.versions.keys()];
    const last = numbers.length ? Math.max(...numbers) : 0;
    if (last && fn.versions.get(last)!.edits === fn.edits) return last;
    const settings = structuredClone(fn.latest);
    if (description !== undefined) settings.description = description;
    fn.versions.set(last + 1, { settings, revisionId: randomUUID(), edits: fn.edits });
    fn.revisionId = randomUUID(); // publishing also gives $LATEST a new RevisionId
    return last + 1;
  }

  /** Checks that FunctionVersion names $LATEST or a published version. */
  checkTarget(fn: Fn, version: unknown): string {
    if (version === undefined) throw validation("Value null at 'functionVersion' failed to satisfy constraint: Member must not be null");
    if (typeof version !== 'string' || !VERSION.test(version)) {
      throw validation(`Value '${String(version)}' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)`);
    }
    if (version !== '$LATEST' && !fn.versions.has(Number(version))) throw notFound(`Function not found: ${this.functionArn(fn.name, version)}`);
    return version;
  }

  /** AdditionalVersionWeights: at most one other published version, weight in [0, 1], never with $LATEST. */
  checkRouting(fn: Fn, functionVersion: string, weights: Record<string, number> | undefined): Record<string, number> | undefined {
    const entries = Object.entries(weights ?? {});
    if (entries.length === 0) return undefined;
    if (entries.length > 1) throw invalidParameter('Number of items in AdditionalVersionWeights cannot be greater than 1');
    const [version, weight] = entries[0]!;
    if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1)) {
      throw validation(
        `Value '{${version}=${weight}}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]`,
      );
    }
    if (version === functionVersion) {
      throw invalidParameter(`Invalid function version ${functionVersion}. Function version ${functionVersion} is already included in routing configuration.`);
    }
    if (functionVersion === '$LATEST') throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
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
        timeout: 3,
        memorySize: 128,
        architectures: ['x86_64'],
        layers: [],
        code: codeOf(s.zip),
        lastModified: lambdaDate(),
      },
      revisionId: randomUUID(),
      edits: 1,
      lastUpdate: { status: 'Successful' },
      versions: new Map(),
      aliases: new Map(),
    };
    this.functions.set(s.name, fn);
    this.publish(fn, undefined);
    for (const alias of s.aliases ?? []) fn.aliases.set(alias, { functionVersion: '1', description: '', revisionId: randomUUID() });
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
    return { latest: this.latestConfig(fn), versions, aliases };
  }
}

function codeOf(zip: Buffer): Code {
  let unzipped: number;
  try {
    unzipped = unzippedSize(zip);
  } catch {
    throw invalidParameter('Could not unzip uploaded file. Please check your file, then try to upload again.');
  }
  return { sha256: createHash('sha256').update(zip).digest('base64'), size: zip.length, unzipped };
}

// ---------------------------------------------------------------------------------------------
// Operations. Each checks, awaits what it must fetch, then checks again and mutates without
// awaiting, so concurrent requests see each mutation whole.

type Handler = (m: LambdaModel, r: Request) => Promise<Reply> | Reply;

const ok = (body: unknown, status = 200): Reply => ({ status, body });

const handlers: Record<Operation, Handler> = {
  async CreateFunction(m, { body }) {
    const b = body as Partial<CreateFunctionBody>;
    const missing = (field: string) => validation(`Value null at '${field}' failed to satisfy constraint: Member must not be null`);
    if (b.FunctionName === undefined) throw missing('functionName');
    if (b.Role === undefined) throw missing('role');
    if (b.Code === undefined) throw missing('code');
    if (!b.Runtime || !b.Handler) throw invalidParameter('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
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
      aliases: new Map(),
    };
    m.functions.set(name, fn);
    m.startUpdate(fn, true);
    if (b.Publish) return ok(m.versionConfig(fn, m.publish(fn, undefined)), 201);
    return ok(m.latestConfig(fn), 201);
  },

  GetFunction(m, { params, query }) {
    const config = m.configFor(params.FunctionName!, query.get('Qualifier'));
    return ok({ Configuration: config, Code: { RepositoryType: 'S3', Location: codeLocation(config) } });
  },

  GetFunctionConfiguration(m, { params, query }) {
    return ok(m.configFor(params.FunctionName!, query.get('Qualifier')));
  },

  UpdateFunctionConfiguration(m, { params, body }) {
    const b = body as UpdateConfigurationBody;
    const fn = m.latestOnly(params.FunctionName!);
    m.guardLatest(fn, b.RevisionId);
    const layers = b.Layers ?? fn.latest.layers;
    m.checkLayers(layers);
    m.checkUnzippedSize(fn.latest.code, layers);
    const s = fn.latest;
    s.layers = [...layers];
    if (b.Description !== undefined) s.description = b.Description;
    if (b.Handler !== undefined) s.handler = b.Handler;
    if (b.Runtime !== undefined) s.runtime = b.Runtime;
    if (b.Role !== undefined) s.role = b.Role;
    if (b.Timeout !== undefined) s.timeout = b.Timeout;
    if (b.MemorySize !== undefined) s.memorySize = b.MemorySize;
    if (b.Environment !== undefined) s.environment = b.Environment.Variables;
    m.startUpdate(fn, false);
    return ok(m.latestConfig(fn));
  },

  async UpdateFunctionCode(m, { params, body }) {
    const b = body as UpdateCodeBody;
    m.guardLatest(m.latestOnly(params.FunctionName!), b.RevisionId);
    const code = await m.loadCode(b);
    const fn = m.latestOnly(params.FunctionName!);
    m.guardLatest(fn, b.RevisionId);
    m.checkUnzippedSize(code, fn.latest.layers);
    fn.latest.code = code;
    if (b.Architectures) fn.latest.architectures = [...b.Architectures];
    m.startUpdate(fn, false);
    if (b.Publish) return ok(m.versionConfig(fn, m.publish(fn, undefined)));
    return ok(m.latestConfig(fn));
  },

  PublishVersion(m, { params, body }) {
    const b = body as { CodeSha256?: string; Description?: string; RevisionId?: string };
    const fn = m.latestOnly(params.FunctionName!);
    m.guardLatest(fn, b.RevisionId);
    const current = fn.latest.code.sha256;
    if (b.CodeSha256 !== undefined && b.CodeSha256 !== current) {
      throw invalidParameter(`CodeSHA256 (${b.CodeSha256}) is different from current CodeSHA256 in $LATEST (${current}). Please try again with the CodeSHA256 in $LATEST.`);
    }
    return ok(m.versionConfig(fn, m.publish(fn, b.Description)), 201);
  },

  ListVersionsByFunction(m, { params, query }) {
    const fn = m.latestOnly(params.FunctionName!);
    const versions = [m.latestConfig(fn, '$LATEST'), ...[...fn.versions.keys()].sort((a, b) => a - b).map((v) => m.versionConfig(fn, v))];
    const { items, next } = page(versions, query);
    return ok({ Versions: items, ...(next ? { NextMarker: next } : {}) });
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
    const functionVersion = b.FunctionVersion === undefined ? alias.functionVersion : m.checkTarget(fn, b.FunctionVersion);
    // Routing that is not sent stays, and must still be valid with the new FunctionVersion.
    const weights = m.checkRouting(fn, functionVersion, b.RoutingConfig === undefined ? alias.weights : b.RoutingConfig.AdditionalVersionWeights);
    const updated: Alias = { functionVersion, description: b.Description ?? alias.description, weights, revisionId: randomUUID() };
    fn.aliases.set(name, updated);
    return ok(m.aliasOut(fn, name, updated));
  },

  async PublishLayerVersion(m, { params, body }) {
    const b = body as PublishLayerBody;
    const name = layerName(params.LayerName!);
    if (!b.Content) throw validation("Value null at 'content' failed to satisfy constraint: Member must not be null");
    const code = await m.loadCode(b.Content);
    if (code.unzipped > MAX_UNZIPPED_BYTES) throw invalidParameter(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
    const versions = m.layers.get(name) ?? [];
    const layer: LayerVersion = {
      name,
      version: versions.length + 1,
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
    const matching = [...(m.layers.get(layerName(params.LayerName!)) ?? [])]
      .reverse()
      .filter((l) => (!runtime || l.compatibleRuntimes?.includes(runtime)) && (!architecture || l.compatibleArchitectures?.includes(architecture)));
    const { items, next } = page(matching, query);
    const LayerVersions = items.map((l) => {
      const { Content, LayerArn, ...item } = m.layerOut(l);
      return item;
    });
    return ok({ LayerVersions, ...(next ? { NextMarker: next } : {}) });
  },

  GetLayerVersion(m, { params }) {
    const layer = m.layers.get(layerName(params.LayerName!))?.find((l) => String(l.version) === params.VersionNumber);
    if (!layer) throw notFound('The resource you requested does not exist.');
    return ok(m.layerOut(layer));
  },
};

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
}
type UpdateConfigurationBody = Partial<Omit<CreateFunctionBody, 'FunctionName' | 'Code' | 'Publish' | 'Architectures'>> & { RevisionId?: string };
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
    throw validation(`Value '${String(name)}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)`);
  }
  return name;
}

function layerName(raw: string): string {
  const m = LAYER_NAME.exec(raw);
  if (!m) throw validation(`Value '${raw}' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${LAYER_NAME.source}`);
  return m[1]!;
}

function codeLocation(config: FunctionConfiguration): string {
  return `https://awslambda-code.s3.amazonaws.com/snapshots/${config.FunctionName}-${config.Version}?sha256=${encodeURIComponent(config.CodeSha256 ?? '')}`;
}

/** Marker is the index of the first item of the page; MaxItems defaults to 50. */
function page<T>(all: T[], query: URLSearchParams): { items: T[]; next?: string } {
  const start = Number(query.get('Marker') ?? 0) || 0;
  const max = Math.min(Math.max(Number(query.get('MaxItems') ?? 50) || 50, 1), 10_000);
  const items = all.slice(start, start + max);
  return { items, next: start + max < all.length ? String(start + max) : undefined };
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
  ['CreateAlias', 'POST', '/2015-03-31/functions/{FunctionName}/aliases'],
  ['GetAlias', 'GET', '/2015-03-31/functions/{FunctionName}/aliases/{Name}'],
  ['UpdateAlias', 'PUT', '/2015-03-31/functions/{FunctionName}/aliases/{Name}'],
  ['PublishLayerVersion', 'POST', '/2018-10-31/layers/{LayerName}/versions'],
  ['ListLayerVersions', 'GET', '/2018-10-31/layers/{LayerName}/versions'],
  ['GetLayerVersion', 'GET', '/2018-10-31/layers/{LayerName}/versions/{VersionNumber}'],
].map(([operation, method, path]) => ({ operation: operation as Operation, method: method!, segments: path!.split('/').slice(1) }));

function route(method: string, segments: string[]): { operation: Operation; params: Record<string, string> } | undefined {
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

const isMutating = (operation: string) => /^(Create|Update|Publish)/.test(operation);

// ---------------------------------------------------------------------------------------------

export class LambdaStandin {
  endpoint = '';
  /** Milliseconds an update stays InProgress; may be changed between requests. */
  updateDelayMs: number;
  readonly log: RequestLogEntry[] = [];
  private readonly faults = new Map<string, { fault: Fault; remaining: number }>();
  private kill?: { pid: number; remaining: number };
  private readonly model: LambdaModel;
  private readonly s3: S3Client;
  private readonly server: Server;

  private constructor(opts: LambdaStandinOptions) {
    this.updateDelayMs = opts.updateDelayMs ?? 0;
    const region = opts.region ?? DEFAULT_REGION;
    this.s3 = new S3Client({
      endpoint: opts.s3Endpoint,
      region,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    this.model = new LambdaModel(region, opts.accountId ?? DEFAULT_ACCOUNT, this.s3, () => this.updateDelayMs);
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(opts: LambdaStandinOptions): Promise<LambdaStandin> {
    const standin = new LambdaStandin(opts);
    standin.endpoint = await listenLocal(standin.server);
    return standin;
  }

  async close(): Promise<void> {
    await closeServer(this.server);
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
  }

  /** SIGKILLs `pid` once the N-th successful Create*, Update* or Publish* request from now on has been applied and answered. */
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

  /** Every version of a layer, oldest first, as GetLayerVersion returns them. */
  layerVersions(name: string): GetLayerVersionResponse[] {
    return (this.model.layers.get(name) ?? []).map((l) => this.model.layerOut(l));
  }

  // --- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    const segments = url.pathname.split('/').slice(1).map(safeDecode);
    const matched = route(req.method ?? '', segments);
    const operation = matched?.operation ?? 'Unknown';
    const entry: RequestLogEntry = { operation, method: req.method ?? '', path: `/${segments.join('/')}${url.search}`, status: 0, at: Date.now() };
    try {
      const raw = await readBody(req);
      const injected = this.takeFault(operation);
      if (injected === 'drop') return this.drop(req, entry);
      const reply =
        injected && injected !== 'drop-after-apply'
          ? errorReply(faultError(injected, this.faultResource(matched?.params.FunctionName)))
          : await this.serve(matched, url, raw);
      if (injected === 'drop-after-apply') return this.drop(req, entry);
      this.send(res, reply, entry);
    } catch (e) {
      this.send(res, errorReply(e), entry);
    }
  }

  private async serve(matched: ReturnType<typeof route>, url: URL, raw: Buffer | undefined): Promise<Reply & { headers?: Record<string, string> }> {
    try {
      if (!matched) throw new LambdaError(404, 'UnknownOperationException', 'Unknown operation');
      if (!raw) throw new LambdaError(413, 'RequestTooLargeException', `Request must be smaller than ${MAX_REQUEST_BYTES} bytes for the ${matched.operation} operation`);
      const body = parseBody(raw);
      return await handlers[matched.operation](this.model, { params: matched.params, query: url.searchParams, body });
    } catch (e) {
      return errorReply(e);
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

  private send(res: ServerResponse, reply: Reply & { headers?: Record<string, string> }, entry: RequestLogEntry): void {
    const payload = Buffer.from(JSON.stringify(reply.body ?? {}));
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
    e instanceof LambdaError ? e : new LambdaError(500, 'ServiceException', `Stand-in failure: ${e instanceof Error ? e.message : String(e)}`, 'Service');
  return {
    status: err.status,
    headers: { 'x-amzn-errortype': err.code, ...err.extra.headers },
    body: { Type: err.type, message: err.message, ...err.extra.body },
  };
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
