import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  InvokeCommand,
  type InvokeCommandInput,
  type InvokeCommandOutput,
  LambdaClient,
  PublishLayerVersionCommand,
  PublishVersionCommand,
  TooManyRequestsException,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { writeZip } from '../src/package/zip.js';
import { docker, requireDocker } from './harness/docker.js';
import { CONTAINER_LABEL, type LogEvent } from './harness/lambda-invoke.js';
import { LambdaStandin, type SeedFunction } from './harness/lambda-standin.js';
import { CREDENTIALS, S3Server } from './harness/s3.js';
import { tempDir } from './harness/tmp.js';

// Invoke against the Lambda stand-in with the unmodified SDK: handlers really run, in containers of the
// local build image (no network). These tests need Docker and fail without it.

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/fn`;
const FN_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function`;

interface Context {
  s3: S3Server;
  standin: LambdaStandin;
  lambda: LambdaClient;
  logs: { group: string; stream: string; events: LogEvent[] }[];
}
const ctx = {} as Context;

async function zipOf(files: Record<string, string>): Promise<Buffer> {
  const out = join(tempDir(), 'code.zip');
  await writeZip(
    Object.entries(files).map(([name, content]) => ({
      name,
      source: { data: Buffer.from(content) },
      size: Buffer.byteLength(content),
      executable: false,
    })),
    out,
  );
  return readFileSync(out);
}

async function seed(
  name: string,
  runtime: string,
  handler: string,
  files: Record<string, string>,
  extra: Partial<SeedFunction> = {},
): Promise<void> {
  ctx.standin.seedFunction({ name, runtime, handler, zip: await zipOf(files), ...extra });
}

async function publishLayer(name: string, files: Record<string, string>): Promise<string> {
  const out = await ctx.lambda.send(
    new PublishLayerVersionCommand({ LayerName: name, Content: { ZipFile: await zipOf(files) } }),
  );
  return out.LayerVersionArn!;
}

function invoke(
  FunctionName: string,
  event: unknown = {},
  input: Partial<InvokeCommandInput> = {},
): Promise<InvokeCommandOutput> {
  return ctx.lambda.send(new InvokeCommand({ FunctionName, Payload: Buffer.from(JSON.stringify(event)), ...input }));
}

const json = (out: InvokeCommandOutput) =>
  JSON.parse(Buffer.from(out.Payload!).toString('utf8')) as Record<string, unknown>;
const tail = (out: InvokeCommandOutput) => Buffer.from(out.LogResult!, 'base64').toString('utf8');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** START, the function's lines, END and REPORT for one request. */
function assertLogShape(log: string, requestId: string, version: string): void {
  const lines = log.replace(/\n$/, '').split('\n');
  const start = lines.indexOf(`START RequestId: ${requestId} Version: ${version}`);
  assert.ok(start >= 0, `START line in\n${log}`);
  assert.is(lines.at(-2), `END RequestId: ${requestId}`);
  assert.match(
    lines.at(-1)!,
    new RegExp(
      `^REPORT RequestId: ${requestId}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: \\d+ MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms\\t$`,
    ),
  );
}

const invokeSuite = suite('lambda stand-in: Invoke runs the handler');

invokeSuite.before(async () => {
  await requireDocker();
  ctx.s3 = await S3Server.start();
});

invokeSuite.after(async () => {
  await ctx.s3?.close();
});

invokeSuite.before.each(async () => {
  ctx.logs = [];
  ctx.standin = await LambdaStandin.start({
    s3Endpoint: ctx.s3.endpoint,
    onLog: (group, stream, events) => ctx.logs.push({ group, stream, events }),
  });
  ctx.lambda = new LambdaClient({
    endpoint: ctx.standin.endpoint,
    region: REGION,
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
});

invokeSuite.after.each(async () => {
  ctx.lambda?.destroy();
  await ctx.standin?.close();
});

const PY_CONTEXT = `import os
print("loading")
def handler(event, context):
    print("handling", event["n"])
    cc = context.client_context
    return {
        "event": event,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "aws_request_id": context.aws_request_id,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "remaining": context.get_remaining_time_in_millis(),
        "log_group": context.log_group_name,
        "log_stream": context.log_stream_name,
        "custom": cc.custom if cc else None,
        "env": {k: os.environ.get(k) for k in ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "LAMBDA_TASK_ROOT", "AWS_REGION", "AWS_EXECUTION_ENV", "_HANDLER", "STAGE"]},
        "cwd": os.getcwd(),
    }
`;

invokeSuite(
  "python: a dict comes back as the payload; context, environment, LogType Tail and the log stream are Lambda's",
  async () => {
    await seed(
      'orders',
      'python3.12',
      'app.handler',
      { 'app.py': PY_CONTEXT },
      { aliases: ['live'], environment: { STAGE: 'qa' }, memorySize: 256 },
    );
    const clientContext = Buffer.from(JSON.stringify({ custom: { tenant: 'acme' }, env: {}, client: {} })).toString(
      'base64',
    );
    const out = await invoke('orders', { n: 7 }, { Qualifier: 'live', LogType: 'Tail', ClientContext: clientContext });
    assert.is(out.StatusCode, 200);
    assert.is(out.FunctionError, undefined);
    assert.is(out.ExecutedVersion, '1');
    const body = json(out);
    const requestId = body.aws_request_id as string;
    assert.match(requestId, UUID);
    assert.equal(body.event, { n: 7 });
    assert.is(body.function_name, 'orders');
    assert.is(body.function_version, '1');
    assert.is(body.invoked_function_arn, `${FN_ARN}:orders:live`);
    assert.is(body.memory_limit_in_mb, '256');
    assert.ok(
      (body.remaining as number) > 2000 && (body.remaining as number) <= 3000,
      `remaining ${String(body.remaining)}`,
    );
    assert.equal(body.custom, { tenant: 'acme' });
    assert.is(body.cwd, '/var/task');
    const stream = body.log_stream as string;
    assert.match(stream, /^\d{4}\/\d\d\/\d\d\/\[1\][0-9a-f]{32}$/);
    assert.equal(body.env, {
      AWS_LAMBDA_FUNCTION_NAME: 'orders',
      AWS_LAMBDA_FUNCTION_VERSION: '1',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/orders',
      AWS_LAMBDA_LOG_STREAM_NAME: stream,
      LAMBDA_TASK_ROOT: '/var/task',
      AWS_REGION: REGION,
      AWS_EXECUTION_ENV: 'AWS_Lambda_python3.12',
      _HANDLER: 'app.handler',
      STAGE: 'qa',
    });

    const log = tail(out);
    assertLogShape(log, requestId, '1');
    assert.ok(log.indexOf('loading') < log.indexOf('START RequestId'), 'the init phase prints before START');
    assert.ok(log.includes('handling 7\n'));
    assert.match(log, /Memory Size: 256 MB/);
    assert.equal(
      ctx.logs.map((l) => [l.group, l.stream]),
      [['/aws/lambda/orders', stream]],
    );
    assert.equal(`${ctx.logs[0]!.events.map((e) => e.message).join('\n')}\n`, log);
    assert.ok(ctx.logs[0]!.events.every((e) => Math.abs(e.timestamp - Date.now()) < 60_000));

    const plain = await invoke('orders', { n: 1 });
    assert.is(plain.ExecutedVersion, '$LATEST');
    assert.is(plain.LogResult, undefined, 'LogType None');
    assert.is(json(plain).invoked_function_arn, `${FN_ARN}:orders`);
    assert.is(json(plain).custom, null);
  },
);

invokeSuite(
  'python: modules from layers (/opt/python and its site directory), later layers overwriting earlier ones; code from S3',
  async () => {
    const base = await publishLayer('base', {
      'python/greeting.py': 'WORD = "hello from base"\n',
      'python/shared.py': 'WHO = "base"\n',
    });
    const top = await publishLayer('top', {
      'python/lib/python3.12/site-packages/extra/__init__.py': 'VALUE = 42\n',
      'python/shared.py': 'WHO = "top"\n',
    });
    const code = await zipOf({
      'app.py':
        'import greeting, shared, extra\nfrom pkg.sub import mod\ndef handler(event, context):\n    return [greeting.WORD, shared.WHO, extra.VALUE, mod.NAME]\n',
      'pkg/__init__.py': '',
      'pkg/sub/__init__.py': '',
      'pkg/sub/mod.py': 'NAME = "nested"\n',
    });
    await ctx.s3.client.send(new PutObjectCommand({ Bucket: ctx.s3.bucket, Key: 'lambda/layers.zip', Body: code }));
    await ctx.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'layered',
        Runtime: 'python3.12',
        Handler: 'app.handler',
        Role: ROLE,
        Code: { S3Bucket: ctx.s3.bucket, S3Key: 'lambda/layers.zip' },
        Layers: [base, top],
      }),
    );
    const out = await invoke('layered');
    assert.is(out.FunctionError, undefined, Buffer.from(out.Payload!).toString());
    assert.equal(json(out), ['hello from base', 'top', 42, 'nested']);
  },
);

invokeSuite(
  'python: an exception, an import error and a missing handler come back as the runtime formats them',
  async () => {
    await seed('raises', 'python3.12', 'app.handler', {
      'app.py':
        'def handler(event, context):\n    print("about to fail")\n    raise ValueError("boom " + str(event["n"]))\n',
    });
    await seed('noimport', 'python3.12', 'missing.handler', { 'app.py': 'X = 1\n' });
    await seed('nohandler', 'python3.12', 'app.nope', { 'app.py': 'def handler(event, context):\n    return 1\n' });
    await seed('depmissing', 'python3.12', 'app.handler', {
      'app.py': 'import requests\ndef handler(event, context):\n    return 1\n',
    });
    const [raised, noImport, noHandler, depMissing] = await Promise.all([
      invoke('raises', { n: 3 }, { LogType: 'Tail' }),
      invoke('noimport'),
      invoke('nohandler'),
      invoke('depmissing'),
    ]);
    assert.is(raised.StatusCode, 200);
    assert.is(raised.FunctionError, 'Unhandled');
    const error = json(raised);
    assert.equal(Object.keys(error), ['errorMessage', 'errorType', 'requestId', 'stackTrace']);
    assert.is(error.errorMessage, 'boom 3');
    assert.is(error.errorType, 'ValueError');
    assert.match(error.requestId as string, UUID);
    assert.equal(error.stackTrace, [
      '  File "/var/task/app.py", line 3, in handler\n    raise ValueError("boom " + str(event["n"]))\n',
    ]);
    const log = tail(raised);
    assertLogShape(log, error.requestId as string, '$LATEST');
    assert.ok(log.includes('about to fail\n'));
    assert.ok(
      log.includes(
        '[ERROR] ValueError: boom 3\nTraceback (most recent call last):\n\u00a0\u00a0File "/var/task/app.py", line 3, in handler\n',
      ),
    );

    assert.is(noImport.FunctionError, 'Unhandled');
    assert.equal(json(noImport), {
      errorMessage: "Unable to import module 'missing': No module named 'missing'",
      errorType: 'Runtime.ImportModuleError',
      requestId: '',
      stackTrace: [],
    });
    assert.equal(json(noHandler), {
      errorMessage: "Handler 'nope' missing on module 'app'",
      errorType: 'Runtime.HandlerNotFound',
      requestId: '',
      stackTrace: [],
    });
    assert.equal(json(depMissing), {
      errorMessage: "Unable to import module 'app': No module named 'requests'",
      errorType: 'Runtime.ImportModuleError',
      requestId: '',
      stackTrace: [],
    });
  },
);

invokeSuite(
  'nodejs: async and callback handlers, ES modules, requires from layers (nodejs/node_modules, nodejs/node20/node_modules), a throw',
  async () => {
    const layer = await publishLayer('libs', {
      'nodejs/node_modules/greet/index.js': 'exports.greet = (who) => `hello ${who}`;\n',
      'nodejs/node20/node_modules/shout/index.js': 'exports.shout = (s) => s.toUpperCase();\n',
    });
    const code = {
      'index.js': [
        "const { greet } = require('greet');",
        "const { shout } = require('shout');",
        'exports.handler = async (event, context) => {',
        "  console.log('event', event);",
        '  return { greeting: shout(greet(event.who)), name: context.functionName, version: context.functionVersion, arn: context.invokedFunctionArn,',
        '    request: context.awsRequestId, memory: context.memoryLimitInMB, remaining: context.getRemainingTimeInMillis(), nodePath: process.env.NODE_PATH };',
        '};',
        'exports.callback = (event, context, callback) => { setTimeout(() => callback(null, { via: "callback", n: event.n * 2 }), 20); };',
        'exports.thrower = async () => { throw new TypeError("bad " + "input"); };',
        'exports.nothing = async () => {};',
      ].join('\n'),
      'esm/handler.mjs': 'export const handler = async (event) => ({ esm: true, n: event.n });\n',
    };
    await seed('asyncfn', 'nodejs20.x', 'index.handler', code, { layers: [layer] });
    await seed('callbackfn', 'nodejs20.x', 'index.callback', code, { layers: [layer] });
    await seed('throwfn', 'nodejs20.x', 'index.thrower', code, { layers: [layer] });
    await seed('nothingfn', 'nodejs20.x', 'index.nothing', code, { layers: [layer] });
    await seed('esmfn', 'nodejs20.x', 'esm/handler.handler', code);
    const [asyncOut, callbackOut, throwOut, nothingOut, esmOut] = await Promise.all([
      invoke('asyncfn', { who: 'ada' }, { LogType: 'Tail' }),
      invoke('callbackfn', { n: 21 }),
      invoke('throwfn', {}, { LogType: 'Tail' }),
      invoke('nothingfn'),
      invoke('esmfn', { n: 5 }),
    ]);
    assert.is(asyncOut.FunctionError, undefined, Buffer.from(asyncOut.Payload!).toString());
    const body = json(asyncOut);
    assert.is(body.greeting, 'HELLO ADA');
    assert.is(body.name, 'asyncfn');
    assert.is(body.version, '$LATEST');
    assert.is(body.arn, `${FN_ARN}:asyncfn`);
    assert.is(body.memory, '128');
    assert.ok((body.remaining as number) > 2000 && (body.remaining as number) <= 3000);
    assert.is(
      body.nodePath,
      '/opt/nodejs/node20/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task',
    );
    const log = tail(asyncOut);
    assertLogShape(log, body.request as string, '$LATEST');
    assert.match(
      log,
      new RegExp(`\\n\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${body.request as string}\\tINFO\\tevent { who: 'ada' }\\n`),
    );

    assert.equal(json(callbackOut), { via: 'callback', n: 42 });
    assert.equal(json(esmOut), { esm: true, n: 5 });
    assert.is(Buffer.from(nothingOut.Payload!).toString(), 'null');

    assert.is(throwOut.FunctionError, 'Unhandled');
    const error = json(throwOut);
    assert.equal(Object.keys(error), ['errorType', 'errorMessage', 'trace']);
    assert.is(error.errorType, 'TypeError');
    assert.is(error.errorMessage, 'bad input');
    assert.is((error.trace as string[])[0], 'TypeError: bad input');
    assert.match((error.trace as string[])[1]!, /\/var\/task\/index\.js:9:\d+\)$/);
    assert.match(
      tail(throwOut),
      /\tERROR\tInvoke Error \t\{"errorType":"TypeError","errorMessage":"bad input","stack":\["TypeError: bad input",/,
    );
  },
);

invokeSuite(
  'nodejs: a module or handler that cannot be loaded is Runtime.ImportModuleError / Runtime.HandlerNotFound',
  async () => {
    await seed('nomodule', 'nodejs20.x', 'missing.handler', { 'index.js': 'exports.handler = async () => 1;\n' });
    await seed('nohandler', 'nodejs20.x', 'index.nope', { 'index.js': 'exports.handler = async () => 1;\n' });
    const [noModule, noHandler] = await Promise.all([invoke('nomodule'), invoke('nohandler')]);
    assert.is(noModule.FunctionError, 'Unhandled');
    const importError = json(noModule);
    assert.is(importError.errorType, 'Runtime.ImportModuleError');
    assert.is(
      importError.errorMessage,
      "Error: Cannot find module 'missing'\nRequire stack:\n- /var/runtime/index.mjs",
    );
    assert.is((importError.trace as string[])[0], "Runtime.ImportModuleError: Error: Cannot find module 'missing'");
    const handlerError = json(noHandler);
    assert.is(handlerError.errorType, 'Runtime.HandlerNotFound');
    assert.is(handlerError.errorMessage, 'index.nope is undefined or not exported');
  },
);

invokeSuite('Event answers 202 and runs later; DryRun answers 204 and runs nothing', async () => {
  await seed('events', 'python3.12', 'app.handler', {
    'app.py': 'def handler(event, context):\n    print("got", event["id"])\n    return None\n',
  });
  const event = await invoke('events', { id: 'evt-1' }, { InvocationType: 'Event', LogType: 'Tail' });
  assert.is(event.StatusCode, 202);
  assert.is(Buffer.from(event.Payload ?? new Uint8Array()).length, 0);
  assert.is(event.ExecutedVersion, undefined);
  assert.is(event.LogResult, undefined);
  const dry = await invoke('events', { id: 'evt-2' }, { InvocationType: 'DryRun' });
  assert.is(dry.StatusCode, 204);
  await ctx.standin.idle();
  assert.is(ctx.logs.length, 1, 'one invocation ran');
  const lines = ctx.logs[0]!.events.map((e) => e.message);
  assert.ok(lines.includes('got evt-1'));
  assert.ok(lines.some((l) => /^START RequestId: \S+ Version: \$LATEST$/.test(l)));
});

invokeSuite('an alias with routing weights runs the version the random source picks', async () => {
  await seed('canary', 'python3.12', 'app.handler', { 'app.py': 'def handler(event, context):\n    return "one"\n' });
  await ctx.lambda.send(
    new UpdateFunctionCodeCommand({
      FunctionName: 'canary',
      ZipFile: await zipOf({ 'app.py': 'def handler(event, context):\n    return "two"\n' }),
    }),
  );
  assert.is((await ctx.lambda.send(new PublishVersionCommand({ FunctionName: 'canary' }))).Version, '2');
  await ctx.lambda.send(
    new CreateAliasCommand({
      FunctionName: 'canary',
      Name: 'live',
      FunctionVersion: '1',
      RoutingConfig: { AdditionalVersionWeights: { '2': 0.25 } },
    }),
  );
  ctx.standin.random = () => 0.2;
  const picked = await invoke('canary', {}, { Qualifier: 'live' });
  ctx.standin.random = () => 0.25;
  const primary = await invoke('canary', {}, { Qualifier: 'live' });
  assert.equal([picked.ExecutedVersion, json(picked) as unknown], ['2', 'two']);
  assert.equal([primary.ExecutedVersion, json(primary) as unknown], ['1', 'one']);
  assert.match(ctx.logs.map((l) => l.stream).join(' '), /\[2\][0-9a-f]{32} .*\[1\][0-9a-f]{32}/);
});

invokeSuite('a handler that runs past the Timeout is stopped: "Task timed out after 1.00 seconds"', async () => {
  await seed(
    'slow',
    'python3.12',
    'app.handler',
    { 'app.py': 'import time\ndef handler(event, context):\n    print("sleeping")\n    time.sleep(30)\n' },
    { timeout: 1 },
  );
  await seed(
    'busy',
    'nodejs20.x',
    'index.handler',
    { 'index.js': 'exports.handler = async () => { for (;;) {} };\n' },
    { timeout: 1 },
  );
  const t0 = Date.now();
  const [slow, busy] = await Promise.all([invoke('slow', {}, { LogType: 'Tail' }), invoke('busy')]);
  assert.ok(Date.now() - t0 < 10_000, 'stopped, not waited for');
  for (const out of [slow, busy]) {
    assert.is(out.StatusCode, 200);
    assert.is(out.FunctionError, 'Unhandled');
    assert.match(
      json(out).errorMessage as string,
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [0-9a-f-]{36} Task timed out after 1\.\d\d seconds$/,
    );
  }
  const log = tail(slow);
  assert.ok(log.includes('sleeping\n'));
  assert.match(log, / Task timed out after 1\.\d\d seconds\nEND RequestId: /);
  assert.match(log, /\tDuration: 1\d{3}\.\d\d ms\t/);
});

invokeSuite('while an update is in progress (and after it failed) $LATEST runs its previous code', async () => {
  await seed('rolling', 'python3.12', 'app.handler', { 'app.py': 'def handler(event, context):\n    return "old"\n' });
  ctx.standin.updateDelayMs = 60_000;
  await ctx.lambda.send(
    new UpdateFunctionCodeCommand({
      FunctionName: 'rolling',
      ZipFile: await zipOf({ 'app.py': 'def handler(event, context):\n    return "new"\n' }),
    }),
  );
  assert.equal(json(await invoke('rolling')) as unknown, 'old');

  ctx.standin.updateDelayMs = 0;
  await seed('failing', 'python3.12', 'app.handler', {
    'app.py': 'def handler(event, context):\n    return "before"\n',
  });
  ctx.standin.failNextUpdate('failing', 'The update failed.', 'InternalError');
  await ctx.lambda.send(
    new UpdateFunctionCodeCommand({
      FunctionName: 'failing',
      ZipFile: await zipOf({ 'app.py': 'def handler(event, context):\n    return "after"\n' }),
    }),
  );
  await sleep(10);
  assert.equal(json(await invoke('failing')) as unknown, 'before');
  await ctx.lambda.send(
    new UpdateFunctionCodeCommand({
      FunctionName: 'failing',
      ZipFile: await zipOf({ 'app.py': 'def handler(event, context):\n    return "fixed"\n' }),
    }),
  );
  await sleep(10);
  assert.equal(json(await invoke('failing')) as unknown, 'fixed');
});

invokeSuite(
  'what cannot run here: arm64 without its image, a runtime that is not python or nodejs (InvalidRuntimeException, 502)',
  async () => {
    await seed(
      'arm',
      'python3.12',
      'app.handler',
      { 'app.py': 'def handler(e, c):\n    return 1\n' },
      { architecture: 'arm64' },
    );
    await seed('java', 'java21', 'example.Handler::handleRequest', { 'Handler.class': 'x' });
    const hasArmImage = await docker
      .getImage('lci-build:bookworm-arm64')
      .inspect()
      .then(
        () => true,
        () => false,
      );
    if (!hasArmImage) {
      const arm = await invoke('arm').catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
      assert.is((arm as Error).name, 'InvalidRuntimeException');
      assert.is((arm as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 502);
      assert.match((arm as Error).message, /image lci-build:bookworm-arm64 is not in the Docker engine/);
    }
    const java = await invoke('java').catch((e: Error) => e);
    assert.is((java as Error).name, 'InvalidRuntimeException');
  },
);

invokeSuite(
  'above the account concurrency a synchronous invocation is throttled: 429 ConcurrentInvocationLimitExceeded',
  async () => {
    const standin = await LambdaStandin.start({ s3Endpoint: ctx.s3.endpoint, concurrency: 1 });
    const client = new LambdaClient({
      endpoint: standin.endpoint,
      region: REGION,
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
    try {
      standin.seedFunction({
        name: 'slow',
        runtime: 'python3.12',
        handler: 'app.handler',
        zip: await zipOf({ 'app.py': 'import time\ndef handler(e, c):\n    time.sleep(1.5)\n    return "done"\n' }),
      });
      const first = client.send(new InvokeCommand({ FunctionName: 'slow' }));
      await sleep(300);
      const second = await client.send(new InvokeCommand({ FunctionName: 'slow' })).catch((e: unknown) => e);
      assert.ok(second instanceof TooManyRequestsException, String(second));
      assert.is((second as TooManyRequestsException).Reason, 'ConcurrentInvocationLimitExceeded');
      assert.is((second as TooManyRequestsException).message, 'Rate Exceeded.');
      assert.is(Buffer.from((await first).Payload!).toString(), '"done"');
    } finally {
      client.destroy();
      await standin.close();
    }
  },
);

invokeSuite('every invocation container is removed', async () => {
  await seed('tidy', 'python3.12', 'app.handler', { 'app.py': 'def handler(e, c):\n    return 1\n' });
  await invoke('tidy');
  const left = await docker.listContainers({ all: true, filters: { label: [`${CONTAINER_LABEL}=invoke`] } });
  assert.is(left.length, 0);
});

invokeSuite.run();
