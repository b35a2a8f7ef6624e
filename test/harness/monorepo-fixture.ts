import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_IMAGE } from './docker.js';
import { GitRepo } from './git-repo.js';
import { commitLocalPackages } from './build-project.js';

/**
 * A monorepo shaped like the real ones issue 13 counted: a shared python layer (a local wheel, so
 * pip needs no index) used by several functions; one source directory with three handlers; a
 * family of five functions, one per directory of jobs/; a TypeScript function compiled by its build
 * command with a compiler from its own devDependencies (tools/strip-types, a `file:` package: no
 * registry in the container); a provided.al2023 function whose build command writes `bootstrap`.
 * qa deploys main, prod deploys tags.
 */
export const JOBS = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];

export function monorepoConfig(extra = ''): string {
  return `version: 1
artifacts: { bucket: acme-artifacts, region: eu-west-1 }
defaults:
  runtime: python3.12
  build: { image: "${TEST_IMAGE}" }
environments:
  qa: { branch: main }
  prod: { tag: "v*", alias: live }
layers:
  common-py:
    path: layers/common-py
    runtimes: [python3.12, python3.13]
    layerName: "common-py-\${env}"
functions:
  users:
    path: services/api
    handler: users.handler
    functionName: "users-\${env}"
    layers: [common-py]
  orders:
    path: services/api
    handler: orders.handler
    functionName: "orders-\${env}"
    layers: [common-py]
  health:
    path: services/api
    handler: health.handler
    functionName: "health-\${env}"
    exclude: [users.py, orders.py]
  "sync-*":
    pathPattern: jobs/*
    handler: app.handler
    functionName: "sync-\${dir}-\${env}"
    layers: [common-py]
  web:
    path: services/web
    runtime: nodejs22.x
    handler: index.handler
    functionName: "web-\${env}"
    build:
      command: npm ci --offline --no-audit --no-fund && npm run build
      output: dist
  native:
    path: services/native
    runtime: provided.al2023
    functionName: "native-\${env}"
    build: { command: sh build.sh, output: out }
${extra}`;
}

export const STRIP_TYPES = `#!/usr/bin/env node
// strip-types: the fixture's TypeScript compiler. It removes the type syntax the fixture's sources
// use (interfaces, type aliases, annotations of parameters, variables and return types) and writes
// each src/*.ts as a .js file into the output directory.
const fs = require('fs');
const path = require('path');
const [src, out] = process.argv.slice(2);
const strip = (ts) =>
  ts
    .replace(/^\\s*(export\\s+)?interface\\s+\\w+\\s*\\{[^}]*\\}\\s*$/gm, '')
    .replace(/^\\s*(export\\s+)?type\\s+\\w+\\s*=[^;]*;\\s*$/gm, '')
    .replace(/\\)\\s*:\\s*[\\w<>\\[\\]|. ]+?(?=\\s*(=>|\\{))/g, ')')
    .replace(/\\b(const|let|var)\\s+(\\w+)\\s*:\\s*[\\w<>\\[\\]|. ]+?(?=\\s*=)/g, '$1 $2')
    .replace(/([(,]\\s*)(\\w+)\\??\\s*:\\s*[\\w<>\\[\\]|.]+(?=\\s*[,)])/g, '$1$2');
fs.mkdirSync(out, { recursive: true });
for (const f of fs.readdirSync(src).filter((f) => f.endsWith('.ts')))
  fs.writeFileSync(path.join(out, f.replace(/\\.ts$/, '.js')), strip(fs.readFileSync(path.join(src, f), 'utf8')));
`;

export const WEB_SOURCE = `interface Event {
  name?: string;
}
interface Greeting {
  message: string;
}
function greet(name: string): Greeting {
  const text: string = \`hello \${name}\`;
  return { message: text };
}
exports.handler = async (event: Event): Promise<Greeting> => greet(event.name ?? 'world');
`;

export const BUILD_SH = `set -eu
mkdir -p out
printf '#!/bin/sh\\n# a custom runtime: the bootstrap Lambda runs\\necho native %s\\n' "$(cat VERSION)" > out/bootstrap
chmod +x out/bootstrap
`;

export async function monorepo(extraConfig = ''): Promise<GitRepo> {
  const jobs = Object.fromEntries(
    JOBS.map((j) => [`jobs/${j}/app.py`, `def handler(event, context):\n    return "${j}"\n`]),
  );
  const repo = GitRepo.create({
    'lambdas.yaml': monorepoConfig(extraConfig),
    '.gitignore': '.lci/\nnode_modules/\n',
    'layers/common-py/requirements.txt':
      '# the monorepo library, as a wheel\n../../libs/dist/acme_common-1.0.0-py3-none-any.whl\n',
    'services/api/users.py': 'from acme_common import money\ndef handler(event, context):\n    return "users"\n',
    'services/api/orders.py': 'from acme_common import money\ndef handler(event, context):\n    return "orders"\n',
    'services/api/health.py': 'def handler(event, context):\n    return "ok"\n',
    ...jobs,
    'services/web/package.json': JSON.stringify(
      {
        name: 'web',
        version: '1.0.0',
        private: true,
        scripts: { build: 'strip-types src dist' },
        devDependencies: { 'strip-types': 'file:../../tools/strip-types' },
      },
      null,
      2,
    ),
    'services/web/src/index.ts': WEB_SOURCE,
    'tools/strip-types/package.json': JSON.stringify(
      { name: 'strip-types', version: '1.0.0', bin: { 'strip-types': 'cli.js' } },
      null,
      2,
    ),
    'tools/strip-types/cli.js': STRIP_TYPES,
    'services/native/build.sh': BUILD_SH,
    'services/native/VERSION': '1\n',
  });
  chmodSync(join(repo.dir, 'tools/strip-types/cli.js'), 0o755);
  await commitLocalPackages(repo, 'services/web', 'the wheel, the lockfile, an executable compiler');
  return repo;
}
