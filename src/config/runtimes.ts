/**
 * Lambda's zip runtimes lci builds for, with AWS's deprecation schedule, and what lci knows about
 * each family: the default descriptor, the lockfiles that pin it, the default handler.
 *
 * Dates are AWS's "Lambda runtimes" page (docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html,
 * "Supported runtimes" and "Deprecated runtimes": deprecation date, block function create, block
 * function update), as of 2026-12-01. AWS moved the block dates of the Amazon Linux 2 runtimes
 * (python3.8 to python3.10, nodejs16.x to nodejs20.x, provided.al2) to 2027-02-01 / 2027-03-03
 * in mid-2026: cross-checked with cfn-lint's sync of that page (aws-cloudformation/cfn-lint#4531,
 * #4532, 2026-06-02) and endoflife.date/aws-lambda (which tracks the block-update dates). The
 * newest runtimes (nodejs24.x, python3.14) and their dates: endoflife.date/aws-lambda. Update this
 * table when AWS changes its page; a unit test keeps lambda-ci.schema.json's enum in step with it.
 */

export type RuntimeFamily = 'python' | 'nodejs' | 'provided';

export interface RuntimeInfo {
  id: string;
  family: RuntimeFamily;
  /** No more patches or support from this date (ISO). */
  deprecated: string;
  /** No new functions with this runtime from this date. */
  blockCreate: string;
  /** No updates (code or configuration) of functions with this runtime from this date: lci cannot deploy them. */
  blockUpdate: string;
}

export const RUNTIME_TABLE = [
  {
    id: 'python3.14',
    family: 'python',
    deprecated: '2029-06-30',
    blockCreate: '2029-07-31',
    blockUpdate: '2029-08-31',
  },
  {
    id: 'python3.13',
    family: 'python',
    deprecated: '2029-06-30',
    blockCreate: '2029-07-31',
    blockUpdate: '2029-08-31',
  },
  {
    id: 'python3.12',
    family: 'python',
    deprecated: '2028-10-31',
    blockCreate: '2028-11-30',
    blockUpdate: '2029-01-10',
  },
  {
    id: 'python3.11',
    family: 'python',
    deprecated: '2027-06-30',
    blockCreate: '2027-07-31',
    blockUpdate: '2027-08-31',
  },
  {
    id: 'python3.10',
    family: 'python',
    deprecated: '2026-10-31',
    blockCreate: '2027-02-01',
    blockUpdate: '2027-03-03',
  },
  { id: 'python3.9', family: 'python', deprecated: '2025-12-15', blockCreate: '2027-02-01', blockUpdate: '2027-03-03' },
  { id: 'python3.8', family: 'python', deprecated: '2024-10-14', blockCreate: '2027-02-01', blockUpdate: '2027-03-03' },
  { id: 'python3.6', family: 'python', deprecated: '2022-07-18', blockCreate: '2022-07-18', blockUpdate: '2022-08-29' },
  {
    id: 'nodejs24.x',
    family: 'nodejs',
    deprecated: '2028-04-30',
    blockCreate: '2028-06-01',
    blockUpdate: '2028-07-01',
  },
  {
    id: 'nodejs22.x',
    family: 'nodejs',
    deprecated: '2027-04-30',
    blockCreate: '2027-06-01',
    blockUpdate: '2027-07-01',
  },
  {
    id: 'nodejs20.x',
    family: 'nodejs',
    deprecated: '2026-04-30',
    blockCreate: '2027-02-01',
    blockUpdate: '2027-03-03',
  },
  {
    id: 'nodejs18.x',
    family: 'nodejs',
    deprecated: '2025-09-01',
    blockCreate: '2027-02-01',
    blockUpdate: '2027-03-03',
  },
  {
    id: 'nodejs16.x',
    family: 'nodejs',
    deprecated: '2024-06-12',
    blockCreate: '2027-02-01',
    blockUpdate: '2027-03-03',
  },
  {
    id: 'nodejs12.x',
    family: 'nodejs',
    deprecated: '2023-03-31',
    blockCreate: '2023-03-31',
    blockUpdate: '2023-04-30',
  },
  {
    id: 'provided.al2023',
    family: 'provided',
    deprecated: '2029-06-30',
    blockCreate: '2029-07-31',
    blockUpdate: '2029-08-31',
  },
  {
    id: 'provided.al2',
    family: 'provided',
    deprecated: '2026-07-31',
    blockCreate: '2027-02-01',
    blockUpdate: '2027-03-03',
  },
] as const satisfies readonly RuntimeInfo[];

export type Runtime = (typeof RUNTIME_TABLE)[number]['id'];
export type Architecture = 'x86_64' | 'arm64';

export const RUNTIMES: readonly Runtime[] = RUNTIME_TABLE.map((r) => r.id);

export const DEFAULT_RUNTIME: Runtime = 'python3.12';
export const DEFAULT_ARCHITECTURE: Architecture = 'x86_64';

const INFO = new Map<string, RuntimeInfo>((RUNTIME_TABLE as readonly RuntimeInfo[]).map((r) => [r.id, r]));

export function runtimeInfo(runtime: Runtime): RuntimeInfo {
  return INFO.get(runtime)!;
}

export function runtimeFamily(runtime: Runtime): RuntimeFamily {
  return runtimeInfo(runtime).family;
}

export type RuntimeStatus =
  | { state: 'supported' }
  | { state: 'deprecated' | 'blocked'; info: RuntimeInfo; successor: string };

/** Where a runtime stands on `today` (an ISO date): supported, deprecated (updates still work until blockUpdate), or blocked. Pure. */
export function runtimeStatus(runtime: Runtime, today: string): RuntimeStatus {
  const info = runtimeInfo(runtime);
  if (today < info.deprecated) return { state: 'supported' };
  // The newest of the family still supported that day, else the newest of the family (the table lists the newest first).
  const family = RUNTIME_TABLE.filter((r) => r.family === info.family);
  const successor = (family.find((r) => today < r.deprecated) ?? family[0]!).id;
  return { state: today >= info.blockUpdate ? 'blocked' : 'deprecated', info, successor };
}

/** The sentence validate shows for a deprecated (warning) or blocked (error) runtime; null when supported. */
export function runtimeProblem(
  runtime: Runtime,
  today: string,
): { severity: 'warning' | 'error'; message: string } | null {
  // Thousands of functions name the same few runtimes: each is judged once a day.
  const key = `${runtime}\0${today}`;
  let problem = problems.get(key);
  if (problem === undefined) {
    problem = judge(runtime, today);
    problems.set(key, problem);
  }
  return problem && { ...problem };
}

const problems = new Map<string, { severity: 'warning' | 'error'; message: string } | null>();

function judge(runtime: Runtime, today: string): { severity: 'warning' | 'error'; message: string } | null {
  const s = runtimeStatus(runtime, today);
  if (s.state === 'supported') return null;
  const { info, successor } = s;
  if (s.state === 'blocked')
    return {
      severity: 'error',
      message: `${runtime} can no longer be deployed: AWS blocks updates of ${runtime} functions since ${info.blockUpdate}; move to ${successor}`,
    };
  return {
    severity: 'warning',
    message: `${runtime} is deprecated since ${info.deprecated}: AWS blocks updates of ${runtime} functions from ${info.blockUpdate} (new ones from ${info.blockCreate}); move to ${successor}`,
  };
}

/** Today's date as the runtime schedule reads it (UTC). */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** The descriptor a function has when lambdas.yaml names none; provided runtimes have no dependency recipe. */
export const DEFAULT_DESCRIPTOR: Record<RuntimeFamily, string | null> = {
  python: 'requirements.txt',
  nodejs: 'package.json',
  provided: null,
};

/** Files beside a descriptor whose changes change the installed dependencies. */
export function isLockfile(family: RuntimeFamily, basename: string): boolean {
  if (family === 'nodejs') return NODE_LOCKFILES.has(basename);
  if (family === 'provided') return false;
  return (
    PYTHON_LOCKFILES.has(basename) ||
    /^requirements.*\.(txt|in)$/.test(basename) ||
    /^constraints.*\.txt$/.test(basename)
  );
}

const NODE_LOCKFILES = new Set(['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', '.npmrc']);
const PYTHON_LOCKFILES = new Set([
  'poetry.lock',
  'Pipfile',
  'Pipfile.lock',
  'pyproject.toml',
  'uv.lock',
  'pdm.lock',
  'pip.conf',
]);

/** The handler when lambdas.yaml names none: what `lci generate --with-functions` configures, and `lci invoke --local` runs. */
export const DEFAULT_HANDLER: Record<RuntimeFamily, string> = {
  python: 'app.handler',
  nodejs: 'index.handler',
  provided: 'bootstrap',
};
