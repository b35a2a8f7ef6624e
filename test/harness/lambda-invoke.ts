import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { tempDir } from './tmp.js';
import { extractZip } from './zip-read.js';

/**
 * Runs a Lambda function's handler for the Lambda stand-in, as a Lambda execution environment
 * does: the code unpacked at /var/task, the layers (in order, later ones overwriting) at /opt, the
 * runtime at /var/runtime (a small shim per family, see lambda-runtime/), /tmp writable and the
 * rest read-only, no network, the function's memory as the container's limit, the environment
 * variables Lambda sets, and the function's timeout enforced from the moment the handler is
 * called. The outcome comes back the way Invoke reports it: payload, FunctionError, and the
 * log (START, the function's output, END, REPORT).
 *
 * Each invocation is a cold start in a fresh container (labelled dev.lambda-ci.standin=invoke,
 * removed afterwards): Lambda would reuse a warm environment and its log stream.
 */

export const CONTAINER_LABEL = 'dev.lambda-ci.standin';
const SHIM_DIR = fileURLToPath(new URL('./lambda-runtime/', import.meta.url));
const MARKER = '\0lci-invoke\0\n';
/** Lambda's limit for the init phase of on-demand functions. */
const INIT_LIMIT_MS = 10_000;
/** A response above this is replaced by a Function.ResponseSizeTooLarge error. */
export const MAX_RESPONSE_BYTES = 6_291_556;
const LOG_TAIL_BYTES = 4096;
/** Lambda's execution user: sbx_user1051. */
const SANDBOX_USER = '993:990';

export type InvokeImage = (runtime: string, architecture: string) => string;

/** Lambda's managed runtimes run from the local build image; arm64 from its arm64 variant. */
export const defaultInvokeImage: InvokeImage = (runtime, architecture) => {
  if (!runtimeFamily(runtime))
    throw new RuntimeUnavailable(
      `The runtime ${runtime} is not supported by the Lambda stand-in (only python* and nodejs*).`,
    );
  return architecture === 'arm64' ? 'lci-build:bookworm-arm64' : 'lci-build:bookworm';
};

/** The function cannot be run here: Invoke answers InvalidRuntimeException (502). */
export class RuntimeUnavailable extends Error {}

export function runtimeFamily(runtime: string): 'python' | 'nodejs' | undefined {
  if (/^python3\.\d+$/.test(runtime)) return 'python';
  if (/^nodejs\d+\.x$/.test(runtime)) return 'nodejs';
  return undefined;
}

export interface CodeBlob {
  /** base64 SHA-256 of the zip: the key of the unpacked copy. */
  sha256: string;
  load(): Promise<Buffer>;
}

export interface RunSpec {
  requestId: string;
  functionName: string;
  /** The version that runs: $LATEST or a number. */
  version: string;
  /** The ARN the caller invoked (qualified when the call was). */
  invokedFunctionArn: string;
  runtime: string;
  handler: string;
  /** Seconds. */
  timeout: number;
  memorySize: number;
  architecture: string;
  environment: Record<string, string>;
  code: CodeBlob;
  layers: CodeBlob[];
  payload: Buffer;
  clientContext?: unknown;
  region: string;
  logGroup: string;
  logStream: string;
}

export interface LogEvent {
  timestamp: number;
  message: string;
}

export interface RunResult {
  payload: Buffer;
  functionError?: 'Unhandled';
  /** START … REPORT, as the log stream holds it. */
  logText: string;
  events: LogEvent[];
}

interface ShimResult {
  status: 'success' | 'error';
  phase?: 'init';
  payload?: string;
  error?: unknown;
  durationMs: number;
  initDurationMs: number;
  maxMemoryMB: number;
}

export class InvokeRunner {
  private docker?: Docker;
  private readonly cacheDir = tempDir('lci-lambda-code-');
  private readonly unpacked = new Map<string, Promise<string>>();
  private readonly live = new Set<Docker.Container>();

  constructor(private readonly image: InvokeImage) {}

  /** Kills and removes every container still running. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.live].map((c) => c.remove({ force: true })));
    this.live.clear();
  }

  async run(spec: RunSpec): Promise<RunResult> {
    const family = runtimeFamily(spec.runtime);
    const image = this.image(spec.runtime, spec.architecture);
    if (!family)
      throw new RuntimeUnavailable(
        `The runtime ${spec.runtime} is not supported by the Lambda stand-in (only python* and nodejs*).`,
      );
    const docker = (this.docker ??= new Docker());
    try {
      await docker.getImage(image).inspect();
    } catch {
      throw new RuntimeUnavailable(
        `The runtime ${spec.runtime} (${spec.architecture}) cannot start: image ${image} is not in the Docker engine.`,
      );
    }
    const [task, opt] = await Promise.all([this.unpack([spec.code]), this.unpack(spec.layers)]);
    const io = tempDir('lci-invoke-');
    chmodSync(io, 0o777);
    try {
      writeFileSync(
        join(io, 'invoke.json'),
        JSON.stringify({
          requestId: spec.requestId,
          invokedFunctionArn: spec.invokedFunctionArn,
          timeoutMs: spec.timeout * 1000,
          clientContext: spec.clientContext ?? null,
          pythonVersion: /^python(3\.\d+)$/.exec(spec.runtime)?.[1] ?? '',
        }),
      );
      writeFileSync(join(io, 'event.json'), spec.payload.length === 0 ? '{}' : spec.payload);
      return await this.runContainer(docker, image, family, spec, { task, opt, io });
    } finally {
      rmSync(io, { recursive: true, force: true });
    }
  }

  /** The zips unpacked in order into one directory, cached by their SHA-256s. */
  private unpack(blobs: CodeBlob[]): Promise<string> {
    const key = blobs.map((b) => b.sha256).join(',') || 'empty';
    let dir = this.unpacked.get(key);
    if (!dir) {
      dir = (async () => {
        const zips = await Promise.all(blobs.map((b) => b.load()));
        const target = join(
          this.cacheDir,
          Buffer.from(key).toString('base64url').slice(0, 200) + `-${this.unpacked.size}`,
        );
        mkdirSync(target, { recursive: true });
        for (const zip of zips) extractZip(zip, target);
        chmodSync(target, 0o755);
        return target;
      })();
      dir.catch(() => this.unpacked.delete(key));
      this.unpacked.set(key, dir);
    }
    return dir;
  }

  private async runContainer(
    docker: Docker,
    image: string,
    family: 'python' | 'nodejs',
    spec: RunSpec,
    dirs: { task: string; opt: string; io: string },
  ): Promise<RunResult> {
    const container = await docker.createContainer({
      Image: image,
      Cmd: family === 'python' ? ['python3', '/var/runtime/bootstrap.py'] : ['node', '/var/runtime/index.mjs'],
      Env: Object.entries(environment(spec, family)).map(([k, v]) => `${k}=${v}`),
      User: SANDBOX_USER,
      WorkingDir: '/var/task',
      Labels: { [CONTAINER_LABEL]: 'invoke' },
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      NetworkDisabled: true,
      HostConfig: {
        NetworkMode: 'none',
        Binds: [
          `${dirs.task}:/var/task:ro`,
          `${dirs.opt}:/opt:ro`,
          `${SHIM_DIR}:/var/runtime:ro`,
          `${dirs.io}:/var/lci-io:rw`,
        ],
        ReadonlyRootfs: true,
        Tmpfs: { '/tmp': 'rw,exec,size=512m' },
        Memory: spec.memorySize * 1024 * 1024,
        MemorySwap: spec.memorySize * 1024 * 1024,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        AutoRemove: false,
      },
    } as Docker.ContainerCreateOptions);
    this.live.add(container);
    const output = new Output();
    try {
      const stream = await container.attach({ stream: true, stdout: true, stderr: true });
      const sink = new PassThrough();
      sink.on('data', (chunk: Buffer) => output.add(chunk));
      docker.modem.demuxStream(stream, sink, sink);
      const ended = new Promise<void>((resolve) => stream.on('end', resolve));
      const startedAt = Date.now();
      await container.start();
      const exit = await this.watch(container, dirs.io, spec.timeout * 1000, startedAt);
      await Promise.race([ended, sleep(2000)]);
      return outcome(spec, output, exit, readShimResult(dirs.io), startedAt);
    } finally {
      await container.remove({ force: true }).catch(() => {});
      this.live.delete(container);
    }
  }

  /** Waits for the container to exit, killing it when the handler has run for the function's timeout. */
  private async watch(container: Docker.Container, io: string, timeoutMs: number, startedAt: number): Promise<Exit> {
    const state: { exited?: { StatusCode: number } } = {};
    const waiting = (container.wait() as Promise<{ StatusCode: number }>).then(
      (r) => (state.exited = r),
      () => (state.exited = { StatusCode: -1 }),
    );
    let handlerStart: { at: number; maxMemoryMB: number } | undefined;
    while (!state.exited) {
      handlerStart ??= readJson(join(io, 'started')) as typeof handlerStart;
      const now = Date.now();
      const deadline = handlerStart ? handlerStart.at + timeoutMs : startedAt + INIT_LIMIT_MS + timeoutMs;
      if (now >= deadline && !existsSync(join(io, 'result.json'))) {
        await container.kill().catch(() => {});
        const killed = await waiting;
        return {
          timedOut: true,
          elapsedMs: now - (handlerStart?.at ?? startedAt),
          code: killed.StatusCode,
          handlerStart,
        };
      }
      await Promise.race([waiting, sleep(10)]);
    }
    const info = (await container.inspect().catch(() => undefined)) as { State?: { OOMKilled?: boolean } } | undefined;
    return {
      timedOut: false,
      elapsedMs: 0,
      code: state.exited.StatusCode,
      oomKilled: info?.State?.OOMKilled,
      handlerStart,
    };
  }
}

interface Exit {
  timedOut: boolean;
  elapsedMs: number;
  code: number;
  oomKilled?: boolean;
  handlerStart?: { at: number; maxMemoryMB: number };
}

/** The environment Lambda gives a function: its own variables, then the runtime's reserved ones. */
function environment(spec: RunSpec, family: 'python' | 'nodejs'): Record<string, string> {
  const nodeMajor = /^nodejs(\d+)\.x$/.exec(spec.runtime)?.[1];
  const unreserved: Record<string, string> = {
    LANG: 'en_US.UTF-8',
    PATH: '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
    LD_LIBRARY_PATH: '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib',
    ...(family === 'nodejs'
      ? {
          NODE_PATH: `/opt/nodejs/node${nodeMajor}/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task`,
        }
      : { PYTHONPATH: '/var/runtime' }),
  };
  const traceId = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
  return {
    ...unreserved,
    ...spec.environment,
    _HANDLER: spec.handler,
    _X_AMZN_TRACE_ID: traceId,
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: spec.version,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroup,
    AWS_LAMBDA_LOG_STREAM_NAME: spec.logStream,
    // Role credentials: placeholders (the container has no network to use them on).
    AWS_ACCESS_KEY_ID: 'ASIASTANDINEXAMPLE00',
    AWS_SECRET_ACCESS_KEY: 'standin/secret/access/key/not/valid/anywhere',
    AWS_SESSION_TOKEN: 'standin-session-token',
    LAMBDA_TASK_ROOT: '/var/task',
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    TZ: ':UTC',
  };
}

/** The function's output as it arrived, each piece with its arrival time. */
class Output {
  private readonly decoder = new StringDecoder('utf8');
  readonly pieces: { text: string; at: number }[] = [];

  add(chunk: Buffer): void {
    const text = this.decoder.write(chunk);
    if (text) this.pieces.push({ text, at: Date.now() });
  }

  /** Lines with the time their first character arrived, split at the init/invoke marker. */
  lines(): { init: LogEvent[]; invoke: LogEvent[] } {
    const rest = this.decoder.end();
    if (rest) this.pieces.push({ text: rest, at: Date.now() });
    const init: LogEvent[] = [];
    const invoke: LogEvent[] = [];
    let target = init;
    let line = '';
    let lineAt = 0;
    for (const { text, at } of this.pieces) {
      for (const ch of text.split(/(?<=\n)/)) {
        if (line === '') lineAt = at;
        line += ch;
        if (!line.endsWith('\n')) continue;
        if (line === MARKER) target = invoke;
        else target.push({ timestamp: lineAt, message: line.slice(0, -1) });
        line = '';
      }
    }
    if (line) target.push({ timestamp: lineAt, message: line });
    return { init, invoke };
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function readShimResult(io: string): ShimResult | undefined {
  return readJson(join(io, 'result.json')) as ShimResult | undefined;
}

const ms = (n: number) => n.toFixed(2);

/** Payload, FunctionError and the log of one invocation, from what the container left. */
function outcome(
  spec: RunSpec,
  output: Output,
  exit: Exit,
  result: ShimResult | undefined,
  startedAt: number,
): RunResult {
  const { init, invoke } = output.lines();
  const id = spec.requestId;
  const now = Date.now();
  let payload: Buffer;
  let functionError: 'Unhandled' | undefined;
  const tail: LogEvent[] = [];
  let duration = result?.durationMs ?? 0;
  if (exit.timedOut) {
    const line = `${new Date(now).toISOString()} ${id} Task timed out after ${(exit.elapsedMs / 1000).toFixed(2)} seconds`;
    payload = Buffer.from(JSON.stringify({ errorMessage: line }));
    functionError = 'Unhandled';
    tail.push({ timestamp: now, message: line });
    duration = exit.elapsedMs;
  } else if (result?.status === 'success') {
    payload = Buffer.from(result.payload ?? 'null');
    if (payload.length > MAX_RESPONSE_BYTES) {
      payload = Buffer.from(
        JSON.stringify({
          errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
          errorType: 'Function.ResponseSizeTooLarge',
        }),
      );
      functionError = 'Unhandled';
    }
  } else if (result?.status === 'error') {
    payload = Buffer.from(JSON.stringify(result.error));
    functionError = 'Unhandled';
  } else {
    // The runtime died without reporting: out of memory, os._exit, process.exit, a crash.
    const reason = exit.oomKilled || exit.code === 137 ? 'signal: killed' : `exit status ${exit.code}`;
    const message = `RequestId: ${id} Error: Runtime exited with error: ${reason}`;
    payload = Buffer.from(JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: message }));
    functionError = 'Unhandled';
    tail.push({ timestamp: now, message: `${message}\nRuntime.ExitError` });
    duration = exit.handlerStart ? now - exit.handlerStart.at : 0;
  }
  const initDuration = result?.initDurationMs ?? Math.max(0, (exit.handlerStart?.at ?? now) - startedAt);
  const maxMemory = result?.maxMemoryMB ?? exit.handlerStart?.maxMemoryMB ?? 0;
  const start = exit.handlerStart?.at ?? invoke[0]?.timestamp ?? now;
  const events: LogEvent[] = [
    ...init,
    { timestamp: start, message: `START RequestId: ${id} Version: ${spec.version}` },
    ...invoke,
    ...tail,
    { timestamp: now, message: `END RequestId: ${id}` },
    {
      timestamp: now,
      message:
        `REPORT RequestId: ${id}\tDuration: ${ms(duration)} ms\tBilled Duration: ${Math.ceil(duration + initDuration)} ms\t` +
        `Memory Size: ${spec.memorySize} MB\tMax Memory Used: ${maxMemory} MB\tInit Duration: ${ms(initDuration)} ms\t`,
    },
  ];
  return { payload, functionError, logText: events.map((e) => `${e.message}\n`).join(''), events };
}

/** Base64 of the log's last 4 KB: the X-Amz-Log-Result header. */
export function logTail(logText: string): string {
  const bytes = Buffer.from(logText, 'utf8');
  return bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES)).toString('base64');
}

/** Lambda's log stream name for a new execution environment: 2026/11/26/[$LATEST]<32 hex>. */
export function logStreamName(version: string, at = new Date()): string {
  const day = at.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[${version}]${randomBytes(16).toString('hex')}`;
}
