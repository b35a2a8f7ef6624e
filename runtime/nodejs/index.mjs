// lci invoke --local: runs one invocation of a Node.js handler the way a Lambda Node.js runtime
// loads it, inside the function's build image. Mounted read-only at /var/runtime/nodejs.
//
//   /var/task        the code zip, unpacked
//   /opt             the layer zip, unpacked (/opt/nodejs/node_modules is on NODE_PATH for require)
//   /var/lci-io      event.json in; result.json out: {"status": "success", "payload": "<json>"}
//                    or {"status": "error", "error": {errorType, errorMessage, trace}}
//
// The handler string is resolved as Lambda does: "dir/file.fn.nested" loads /var/task/dir/file with
// .js, .mjs or .cjs (a .js file is ESM when the nearest package.json says "type": "module"), else
// the module by name from NODE_PATH, and takes the export fn.nested. The handler may return a
// promise or call the callback.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import util from 'node:util';

const IO = '/var/lci-io';
const TASK = '/var/task';
const require = createRequire(path.join(TASK, 'index.js'));

function fault(errorType, errorMessage, trace = []) {
  return { errorType, errorMessage, trace };
}

function asError(e) {
  if (e instanceof Error) return fault(e.name, e.message, String(e.stack ?? '').split('\n'));
  return fault(typeof e, String(e));
}

function isEsm(file) {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let dir = path.dirname(file); dir.startsWith(TASK); dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        return JSON.parse(fs.readFileSync(pkg, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    if (dir === TASK) break;
  }
  return false;
}

async function loadHandler(handler) {
  const slash = handler.lastIndexOf('/') + 1;
  const root = handler.slice(0, slash);
  const rest = handler.slice(slash);
  const dot = rest.indexOf('.');
  if (dot < 0) throw fault('Runtime.MalformedHandlerName', `Bad handler ${handler}`);
  const moduleName = rest.slice(0, dot);
  const handlerPath = rest.slice(dot + 1);
  const base = path.resolve(TASK, root, moduleName);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
  let mod;
  try {
    if (file) mod = isEsm(file) ? await import(pathToFileURL(file).href) : require(file);
    else mod = require(moduleName); // a module of the layer, by name
  } catch (e) {
    if (e instanceof SyntaxError)
      throw fault('Runtime.UserCodeSyntaxError', `${e.name}: ${e.message}`, String(e.stack).split('\n'));
    if (e?.code === 'MODULE_NOT_FOUND' || e?.code === 'ERR_MODULE_NOT_FOUND') {
      throw fault('Runtime.ImportModuleError', `Error: ${e.message.split('\n')[0]}`, String(e.stack).split('\n'));
    }
    throw asError(e);
  }
  let fn = mod;
  for (const part of handlerPath.split('.')) fn = fn?.[part] ?? (fn === mod ? mod?.default?.[part] : undefined);
  if (typeof fn !== 'function')
    throw fault('Runtime.HandlerNotFound', `${moduleName}.${handlerPath} is undefined or not exported`);
  return fn;
}

function patchConsole(requestId) {
  for (const level of ['debug', 'info', 'warn', 'error', 'trace']) {
    console[level] = (...args) =>
      process.stdout.write(
        `${new Date().toISOString()}\t${requestId}\t${level.toUpperCase()}\t${util.format(...args)}\n`,
      );
  }
  console.log = console.info;
}

function finish(result) {
  fs.writeFileSync(path.join(IO, 'result.json'), JSON.stringify(result));
  process.exit(0);
}

const requestId = randomUUID();
process.stdout.write(`START RequestId: ${requestId} Version: ${process.env.AWS_LAMBDA_FUNCTION_VERSION}\n`);
patchConsole(requestId);
let handler;
try {
  handler = await loadHandler(process.env._HANDLER);
} catch (error) {
  const e = error.errorType ? error : asError(error);
  console.error(`${e.errorType}: ${e.errorMessage}`);
  finish({ status: 'error', error: e });
}
const event = JSON.parse(fs.readFileSync(path.join(IO, 'event.json'), 'utf8'));
const deadline = Date.now() + Number(process.env.LCI_TIMEOUT_MS ?? 900000);
const context = {
  awsRequestId: requestId,
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
  logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
};
try {
  const response = await new Promise((resolve, reject) => {
    const returned = handler(event, context, (err, value) => (err ? reject(err) : resolve(value)));
    if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
    else if (handler.length < 3) resolve(returned);
  });
  process.stdout.write(`END RequestId: ${requestId}\n`);
  finish({ status: 'success', payload: JSON.stringify(response ?? null) });
} catch (error) {
  const e = asError(error);
  console.error(`Invoke Error \t${JSON.stringify(e)}`);
  process.stdout.write(`END RequestId: ${requestId}\n`);
  finish({ status: 'error', error: e });
}
