import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * The AWS JSON 1.0/1.1 RPC wire protocol shared by the stand-ins of JSON services: every call is a
 * POST to / with the operation in X-Amz-Target ("<ServiceTarget>.<Operation>"), a JSON body in and
 * out, and errors as {"__type": "<Code>", "message": "..."} with a 4xx/5xx status, which the SDK's
 * AwsJson1_xProtocol maps to the modeled exception class by __type.
 */

export class AwsJsonError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface JsonRequestLogEntry {
  operation: string;
  /** HTTP status sent. */
  status: number;
  /** The __type of the error answered, if any. */
  error?: string;
  /** Date.now() when the request arrived. */
  at: number;
}

export type JsonInput = Record<string, unknown>;
export type JsonHandler = (operation: string, input: JsonInput) => unknown;

export interface JsonServiceOptions {
  /** e.g. "Logs_20140328" */
  target: string;
  /** application/x-amz-json-1.1 or -1.0 */
  contentType: string;
  log: JsonRequestLogEntry[];
  /** Throws AwsJsonError for a service error; anything else thrown is a 500. */
  handle: JsonHandler;
}

export function createJsonServer(opts: JsonServiceOptions): Server {
  const prefix = `${opts.target}.`;
  return createServer((req, res) => void serve(req, res));

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(prefix) ? target.slice(prefix.length) : target || 'Unknown';
    const entry: JsonRequestLogEntry = { operation, status: 0, at: Date.now() };
    let status = 200;
    let body: unknown;
    try {
      const raw = await readBody(req);
      if (req.method !== 'POST' || !target.startsWith(prefix))
        throw new AwsJsonError('UnknownOperationException', `Unknown operation ${target}`);
      body = (await opts.handle(operation, parseInput(raw))) ?? {};
    } catch (e) {
      const err =
        e instanceof AwsJsonError
          ? e
          : new AwsJsonError('InternalFailure', `Stand-in failure: ${e instanceof Error ? e.message : String(e)}`, 500);
      status = err.status;
      entry.error = err.code;
      body = { __type: err.code, message: err.message };
    }
    entry.status = status;
    opts.log.push(entry);
    const payload = Buffer.from(JSON.stringify(body));
    res.writeHead(status, {
      'content-type': opts.contentType,
      'content-length': String(payload.length),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(payload);
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function parseInput(raw: Buffer): JsonInput {
  if (raw.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as JsonInput;
  } catch {
    // answered below
  }
  throw new AwsJsonError('SerializationException', 'Could not parse the request body as JSON');
}

// ---------------------------------------------------------------------------------------------
// Model constraint checks, worded as AWS words them: "1 validation error detected: Value 'x' at
// 'member' failed to satisfy constraint: Member must ...". Each service decides the error code.

export function constraintMessage(value: unknown, member: string, constraint: string): string {
  return `1 validation error detected: Value ${value === undefined || value === null ? 'null' : `'${String(value)}'`} at '${member}' failed to satisfy constraint: Member must ${constraint}`;
}

export type Violation = (message: string) => AwsJsonError;

export class Validator {
  constructor(private readonly fail: Violation) {}

  required(value: unknown, member: string): void {
    if (value === undefined || value === null) throw this.fail(constraintMessage(value, member, 'not be null'));
  }

  string(
    value: unknown,
    member: string,
    rule: { min?: number; max?: number; pattern?: RegExp; patternText?: string } = {},
  ): void {
    if (value === undefined || value === null) return;
    if (typeof value !== 'string') throw this.fail(constraintMessage(value, member, 'be a string'));
    if (rule.min !== undefined && value.length < rule.min)
      throw this.fail(constraintMessage(value, member, `have length greater than or equal to ${rule.min}`));
    if (rule.max !== undefined && value.length > rule.max)
      throw this.fail(constraintMessage(value, member, `have length less than or equal to ${rule.max}`));
    if (rule.pattern && !rule.pattern.test(value)) {
      throw this.fail(
        constraintMessage(
          value,
          member,
          `satisfy regular expression pattern: ${rule.patternText ?? rule.pattern.source}`,
        ),
      );
    }
  }

  integer(value: unknown, member: string, min: number, max: number): void {
    if (value === undefined || value === null) return;
    if (typeof value !== 'number' || !Number.isInteger(value))
      throw this.fail(constraintMessage(value, member, 'be an integer'));
    if (value < min) throw this.fail(constraintMessage(value, member, `have value greater than or equal to ${min}`));
    if (value > max) throw this.fail(constraintMessage(value, member, `have value less than or equal to ${max}`));
  }

  oneOf(value: unknown, member: string, allowed: readonly string[]): void {
    if (value === undefined || value === null) return;
    if (typeof value !== 'string' || !allowed.includes(value)) {
      throw this.fail(constraintMessage(value, member, `satisfy enum value set: [${allowed.join(', ')}]`));
    }
  }

  /** Lists are shown by their length: AWS prints the whole list, which helps nobody in a test. */
  list(value: unknown, member: string, min: number, max: number): void {
    if (value === undefined || value === null) return;
    if (!Array.isArray(value)) throw this.fail(constraintMessage(value, member, 'be a list'));
    const shown = `[${value.length} items]`;
    if (value.length < min)
      throw this.fail(constraintMessage(shown, member, `have length greater than or equal to ${min}`));
    if (value.length > max)
      throw this.fail(constraintMessage(shown, member, `have length less than or equal to ${max}`));
  }
}

/** Opaque pagination tokens: base64url of JSON, rejected when they do not decode to the expected shape. */
export function encodeToken(data: unknown): string {
  return Buffer.from(JSON.stringify(data)).toString('base64url');
}

export function decodeToken<T>(token: string, check: (data: unknown) => data is T): T | undefined {
  try {
    const data: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return check(data) ? data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A token bucket of `rate` requests per second with a burst of `rate` (one second's worth). Kept in
 * thousandths of a request so that whole-millisecond clocks refill it without rounding.
 */
export class TokenBucket {
  private milli: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly clock: () => number,
  ) {
    this.milli = rate * 1000;
    this.last = clock();
  }

  take(): boolean {
    const now = this.clock();
    this.milli = Math.min(this.rate * 1000, this.milli + (now - this.last) * this.rate);
    this.last = now;
    if (this.milli < 1000) return false;
    this.milli -= 1000;
    return true;
  }
}
