// The Lambda stand-in's Node.js runtime, mounted read-only at /var/runtime/index.mjs as Lambda's own
// runtime client is. One process serves one invocation: it loads the handler the way
// aws-lambda-nodejs-runtime-interface-client does (module root, .js/.mjs/.cjs, package.json "type",
// NODE_PATH for require, the same Runtime.* errors and messages), calls it with the event, a context and
// a callback, and writes the outcome to /var/lci-io/result.json. console.* is patched as Lambda patches it
// (timestamp, request id, level); what the function writes stays the log.
//
// Protocol with the stand-in (instead of the Runtime API): see bootstrap.py beside this file.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import util from 'node:util';

const require = createRequire(import.meta.url);
const IO = '/var/lci-io';
const MARKER = '\0lci-invoke\0\n';

// --- errors, as the runtime client names them

class ImportModuleError extends Error {}
class HandlerNotFound extends Error {}
class MalformedHandlerName extends Error {}
class UserCodeSyntaxError extends Error {}
class NodeJsExit extends Error {
  constructor() {
    super(
      'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled.',
    );
  }
}
for (const e of [ImportModuleError, HandlerNotFound, MalformedHandlerName, UserCodeSyntaxError, NodeJsExit])
  e.prototype.name = `Runtime.${e.name}`;

function isError(obj) {
  return obj && typeof obj.name === 'string' && typeof obj.message === 'string' && typeof obj.stack === 'string';
}

function toRapidResponse(error) {
  try {
    if (util.types.isNativeError(error) || isError(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: error.stack.split('\n') };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

function withEnumerableProperties(error) {
  if (error instanceof Error) {
    const ret = Object.assign({ errorType: error.name, errorMessage: error.message, code: error.code }, error);
    if (typeof error.stack === 'string') ret.stack = error.stack.split('\n');
    return ret;
  }
  return error;
}

function toFormatted(error) {
  try {
    return '\t' + JSON.stringify(error, (_k, v) => withEnumerableProperties(v));
  } catch {
    return '\t' + JSON.stringify(toRapidResponse(error));
  }
}

const intoError = (err) => (err instanceof Error ? err : new Error(err));

// --- console, as Lambda patches it (text format)

let currentRequestId;
const levels = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
function patchConsole() {
  const log =
    (level) =>
    (message, ...params) => {
      process.stdout.write(
        `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${util.format(message, ...params)}\n`,
      );
    };
  for (const level of levels) console[level.toLowerCase()] = log(level);
  console.log = console.info;
}
const logError = (message, err) => console.error(message, toFormatted(intoError(err)));

// --- loading the handler

const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;

function moduleRootAndHandler(fullHandlerString) {
  const handlerString = path.basename(fullHandlerString);
  return [fullHandlerString.substring(0, fullHandlerString.indexOf(handlerString)), handlerString];
}

function splitHandlerString(handler) {
  const match = handler.match(FUNCTION_EXPR);
  if (!match || match.length !== 3) throw new MalformedHandlerName('Bad handler');
  return [match[1], match[2]];
}

const resolveHandler = (object, nested) => nested.split('.').reduce((o, key) => o && o[key], object);

const tryRequireFile = (file, extension = '') =>
  fs.existsSync(file + extension) ? require(file + extension) : undefined;

async function tryAwaitImport(file, extension = '') {
  return fs.existsSync(file + extension) ? await import(file + extension) : undefined;
}

function hasFolderPackageJsonTypeModule(folder) {
  if (folder.endsWith('/node_modules')) return false;
  const pj = path.join(folder, '/package.json');
  if (fs.existsSync(pj)) {
    try {
      return JSON.parse(fs.readFileSync(pj)).type === 'module';
    } catch (e) {
      console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, e);
      return false;
    }
  }
  if (folder === '/') return false;
  return hasFolderPackageJsonTypeModule(path.resolve(folder, '..'));
}

async function tryRequire(appRoot, moduleRoot, module) {
  const lambdaStylePath = path.resolve(appRoot, moduleRoot, module);
  const extensionless = tryRequireFile(lambdaStylePath);
  if (extensionless) return extensionless;
  const pjHasModule = hasFolderPackageJsonTypeModule(path.resolve(path.dirname(lambdaStylePath)));
  if (!pjHasModule) {
    const loaded = tryRequireFile(lambdaStylePath, '.js');
    if (loaded) return loaded;
  }
  const loaded =
    (pjHasModule && (await tryAwaitImport(lambdaStylePath, '.js'))) ||
    (await tryAwaitImport(lambdaStylePath, '.mjs')) ||
    tryRequireFile(lambdaStylePath, '.cjs');
  if (loaded) return loaded;
  return require(require.resolve(module, { paths: [appRoot, moduleRoot] }));
}

async function loadUserApp(appRoot, moduleRoot, module) {
  try {
    return await tryRequire(appRoot, moduleRoot, module);
  } catch (e) {
    if (e instanceof SyntaxError) {
      const err = new UserCodeSyntaxError(String(e));
      err.stack = e.stack;
      throw err;
    }
    if (e.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(String(e));
    throw e;
  }
}

async function load(appRoot, fullHandlerString) {
  if (fullHandlerString.includes('..')) {
    throw new MalformedHandlerName(
      `'${fullHandlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const [moduleRoot, moduleAndHandler] = moduleRootAndHandler(fullHandlerString);
  const [module, handlerPath] = splitHandlerString(moduleAndHandler);
  const userApp = await loadUserApp(appRoot, moduleRoot, module);
  const handlerFunc = resolveHandler(userApp, handlerPath);
  if (!handlerFunc) throw new HandlerNotFound(`${fullHandlerString} is undefined or not exported`);
  if (typeof handlerFunc !== 'function') throw new HandlerNotFound(`${fullHandlerString} is not a function`);
  return handlerFunc;
}

// --- the outcome

const maxMemoryMB = () => Math.floor(process.resourceUsage().maxRSS / 1024);

function write(name, value) {
  fs.writeFileSync(`${IO}/${name}.tmp`, JSON.stringify(value));
  fs.renameSync(`${IO}/${name}.tmp`, `${IO}/${name}`);
}

const timings = { initDurationMs: 0, start: 0 };
let finished = false;
function finish(result, exitCode = 0) {
  if (finished) return;
  finished = true;
  write('result.json', {
    ...result,
    durationMs: timings.start ? performance.now() - timings.start : 0,
    initDurationMs: timings.initDurationMs,
    maxMemoryMB: maxMemoryMB(),
  });
  // Lambda freezes the environment once the result is posted; whatever is still scheduled never runs.
  process.stdout.write('', () => process.exit(exitCode));
}

const postResponse = (result) =>
  finish({ status: 'success', payload: JSON.stringify(result === undefined ? null : result) });
const postError = (err, exitCode) => finish({ status: 'error', error: toRapidResponse(err) }, exitCode);

// --- the invocation: the callback, the context and the handler call, as Runtime.js and CallbackContext.js do them

class Runtime {
  constructor(handler, isAsync) {
    this.handler = handler;
    this.isAsync = isAsync;
  }

  handleOnce(event, invoke) {
    let beforeExit;
    let waitForEmptyEventLoop = true;
    process.on('beforeExit', () => beforeExit?.());
    const complete = (err, result) => {
      beforeExit = undefined;
      if (err !== undefined && err !== null) {
        logError('Invoke Error', err);
        postError(err);
      } else {
        postResponse(result);
      }
    };
    const callback = (err, result) => {
      if (err !== undefined && err !== null) return complete(err);
      if (!waitForEmptyEventLoop) return complete(null, result);
      beforeExit = () => setImmediate(() => complete(null, result));
    };
    const context = {
      get callbackWaitsForEmptyEventLoop() {
        return waitForEmptyEventLoop;
      },
      set callbackWaitsForEmptyEventLoop(value) {
        waitForEmptyEventLoop = value;
      },
      succeed: (result) => complete(null, result),
      fail: (err) => complete(err === undefined || err === null ? 'handled' : err),
      done: (err, result) => complete(err, result),
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      clientContext: invoke.clientContext ?? undefined,
      identity: undefined,
      invokedFunctionArn: invoke.invokedFunctionArn,
      awsRequestId: invoke.requestId,
      getRemainingTimeInMillis: () => invoke.deadline - Date.now(),
    };
    // Neither callback nor promise settled and the event loop is empty: an async handler failed, a sync one returned null.
    beforeExit = () => {
      if (this.isAsync) {
        const error = new NodeJsExit();
        logError('Invoke Error', error);
        postError(error);
      } else {
        postResponse(null);
      }
    };
    try {
      const result = this.handler(event, context, callback);
      if (result && typeof result.then === 'function') {
        result.then(context.succeed, context.fail).catch(context.fail);
      }
    } catch (err) {
      callback(err);
    }
  }
}

async function main() {
  const invoke = JSON.parse(fs.readFileSync(`${IO}/invoke.json`, 'utf8'));
  patchConsole();
  process.chdir('/var/task');
  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error);
    postError(error, 129);
  });
  process.on('unhandledRejection', (reason) => {
    const error = reason instanceof Error ? reason : new Error(String(reason));
    logError('Unhandled Promise Rejection', error);
    postError(error, 128);
  });

  const initStart = performance.now();
  let handler;
  try {
    handler = await load(process.env.LAMBDA_TASK_ROOT, process.env._HANDLER);
  } catch (error) {
    timings.initDurationMs = performance.now() - initStart;
    logError('Uncaught Exception', error);
    finish({ status: 'error', phase: 'init', error: toRapidResponse(error) }, 129);
    return;
  }
  timings.initDurationMs = performance.now() - initStart;

  currentRequestId = invoke.requestId;
  process.stdout.write(MARKER);
  const event = JSON.parse(fs.readFileSync(`${IO}/event.json`, 'utf8'));
  const now = Date.now();
  invoke.deadline = now + invoke.timeoutMs;
  write('started', { at: now, maxMemoryMB: maxMemoryMB() });
  timings.start = performance.now();
  new Runtime(handler, handler?.constructor?.name === 'AsyncFunction').handleOnce(event, invoke);
}

await main();
