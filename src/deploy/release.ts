import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { firingAlarms } from '../aws/alarms.js';
import { DeployError } from '../errors.js';
import {
  createAlias,
  explain,
  moveAlias,
  publishLayer,
  publishVersion,
  sleep,
  updateCode,
  updateLayers,
  waitForUpdate,
  type AliasState,
  type DeployedState,
  type Timing,
} from '../aws/lambda.js';
import type { ResolvedFunction } from '../config/types.js';
import { desiredLayers, layerDescription, MAX_LAYERS, type Decision } from './decide.js';
import type { Strategy } from './strategy.js';

export interface ReleaseInput {
  fn: ResolvedFunction;
  sourceVersion: string;
  state: DeployedState;
  decision: Decision;
  codeSha256: string;
  /** The published version's Description (source version and code fingerprint). */
  description: string;
  bucket: string;
  /** The S3 key of the code zip, uploading it first when needed. */
  codeKey: () => Promise<string>;
  /** Where the layer zip is in S3, when a layer must be published. */
  layerZip: { key: string; depsKey: string } | null;
  strategy: Strategy;
}

export interface ReleaseOutcome {
  version: string;
  previousVersion: string | null;
  layer: { arn: string | null; version: number | null };
  /** Lambda calls that changed something, in order. */
  calls: string[];
}

export interface ReleaseContext {
  lambda: LambdaClient;
  cloudwatch: CloudWatchClient;
  timing: Timing;
  report: (message: string) => void;
}

/**
 * Layer, configuration, code, version, alias, in that order. Every step is guarded by Lambda's own
 * preconditions (RevisionId, CodeSha256); the alias moves last, only to a version published whole.
 * A failure anywhere leaves the alias where it was, and a re-run picks up from what is live.
 */
export async function release(input: ReleaseInput, ctx: ReleaseContext): Promise<ReleaseOutcome> {
  const { fn, state, decision } = input;
  const name = fn.functionName;
  const calls: string[] = [];
  const step = async <T>(label: string, doing: string, run: () => Promise<T>): Promise<T> => {
    ctx.report(label);
    try {
      const result = await run();
      calls.push(label);
      return result;
    } catch (e) {
      throw explain(e, `${doing} (the alias still points to ${state.alias ? `version ${state.alias.version}` : 'what it pointed to'})`);
    }
  };

  let latest = await waitForUpdate(ctx.lambda, name, ctx.timing).catch((e: unknown) => {
    throw explain(e, `reading ${name}`);
  });
  // Before any write: would our layer push the function over Lambda's layer limit?
  if (decision.deps === 'publish' || decision.deps === 'attach') {
    const current = (latest.Layers ?? []).map((l) => l.Arn!);
    const placeholder = `arn:aws:lambda:::layer:${fn.layerName}:new`;
    if (desiredLayers(current, fn.layerName, placeholder).length > MAX_LAYERS) throw tooManyLayers(name, [...current, `${fn.layerName} (lci)`]);
  }

  let layerArn: string | null = null;
  let layerVersion: number | null = null;
  if (decision.deps === 'publish') {
    const { key, depsKey } = input.layerZip!;
    const layer = await step(`PublishLayerVersion ${fn.layerName}`, `publishing layer ${fn.layerName}`, () =>
      publishLayer(
        ctx.lambda,
        name,
        {
          layerName: fn.layerName,
          bucket: input.bucket,
          key,
          description: layerDescription(depsKey, input.sourceVersion),
          runtime: fn.runtime,
          architecture: fn.architecture,
        },
        ctx.timing,
      ),
    );
    layerArn = layer.arn;
    layerVersion = layer.version;
  } else if ((decision.deps === 'attach' || decision.deps === 'intact') && state.latestLayer) {
    layerArn = state.latestLayer.arn;
    layerVersion = state.latestLayer.version;
  }

  if (decision.deps !== 'none') {
    const current = (latest.Layers ?? []).map((l) => l.Arn!);
    const wanted = desiredLayers(current, fn.layerName, decision.deps === 'detach' ? null : layerArn);
    if (wanted.length > MAX_LAYERS) throw tooManyLayers(name, wanted);
    if (wanted.join() !== current.join()) {
      await step(`UpdateFunctionConfiguration ${name} (layers)`, `attaching layer version ${layerVersion ?? '-'} to ${name}`, () =>
        updateLayers(ctx.lambda, name, wanted, latest.RevisionId!, ctx.timing),
      );
      latest = await waitForUpdate(ctx.lambda, name, ctx.timing);
    }
  }

  if (latest.CodeSha256 !== input.codeSha256) {
    const key = await input.codeKey();
    const updated = await step(`UpdateFunctionCode ${name}`, `updating the code of ${name}`, () =>
      updateCode(ctx.lambda, name, input.bucket, key, latest.RevisionId!, ctx.timing),
    );
    if (updated.CodeSha256 !== input.codeSha256) {
      throw new DeployError(
        `the code in s3://${input.bucket}/${key} has CodeSha256 ${updated.CodeSha256}, not ${input.codeSha256} as built; something rewrote it. Re-run`,
      );
    }
    latest = await waitForUpdate(ctx.lambda, name, ctx.timing);
  }

  const published = await step(`PublishVersion ${name}`, `publishing a version of ${name}`, () =>
    publishVersion(ctx.lambda, name, input.codeSha256, latest.RevisionId!, input.description, ctx.timing),
  );
  const version = published.Version!;
  const previous = state.alias?.version ?? null;

  if (!state.alias) {
    await step(`CreateAlias ${fn.alias} → ${version}`, `creating alias ${fn.alias} of ${name}`, () =>
      createAlias(ctx.lambda, name, fn.alias, version, ctx.timing),
    );
  } else if (version !== state.alias.version || Object.keys(state.alias.weights).length > 0) {
    await shiftTraffic(input, ctx, state.alias, version, step);
  }
  return { version, previousVersion: previous, layer: { arn: layerArn, version: layerVersion }, calls };
}

function tooManyLayers(name: string, layers: string[]): DeployError {
  return new DeployError(
    `${name} would have ${layers.length} layers, Lambda allows ${MAX_LAYERS}: ${layers.join(', ')}; remove one in Terraform. Nothing was changed`,
  );
}

type Step = <T>(label: string, doing: string, run: () => Promise<T>) => Promise<T>;

/** All at once, or in weighted steps with the alarms watched between them; an alarm puts the old version back. */
async function shiftTraffic(input: ReleaseInput, ctx: ReleaseContext, alias: AliasState, version: string, step: Step): Promise<void> {
  const { fn } = input;
  const name = fn.functionName;
  const old = alias.version;
  let revision = alias.revisionId;
  const steps = version === old ? [] : input.strategy.steps;
  if (steps.length > 0)
    await firingAlarms(ctx.cloudwatch, fn.alarms).catch((e: unknown) => {
      throw explain(e, `checking alarms of ${name}`);
    });
  try {
    for (const s of steps) {
      const pct = `${Math.round(s.weight * 1000) / 10}%`;
      const moved = await step(`UpdateAlias ${fn.alias}: ${pct} → ${version}`, `shifting ${pct} of ${fn.alias} to version ${version}`, () =>
        moveAlias(ctx.lambda, name, fn.alias, old, { [version]: s.weight }, revision, ctx.timing),
      );
      revision = moved.revisionId;
      const firing = await holdAndWatch(ctx, fn.alarms, s.holdMs).catch((e: unknown) => {
        throw explain(e, `watching the alarms of ${name}`);
      });
      if (firing.length > 0) throw new DeployError(`alarm ${firing.join(', ')} went into ALARM with ${pct} of traffic on version ${version}`);
    }
  } catch (e) {
    if (revision === alias.revisionId) throw e; // nothing shifted yet
    await step(`UpdateAlias ${fn.alias} → ${old} (rollback)`, `rolling ${fn.alias} back to version ${old}`, () =>
      moveAlias(ctx.lambda, name, fn.alias, old, {}, revision, ctx.timing),
    );
    throw new DeployError(`${(e as Error).message}; alias ${fn.alias} rolled back to version ${old}`);
  }
  await step(`UpdateAlias ${fn.alias} → ${version}`, `moving alias ${fn.alias} of ${name} to version ${version}`, () =>
    moveAlias(ctx.lambda, name, fn.alias, version, {}, revision, ctx.timing),
  );
}

async function holdAndWatch(ctx: ReleaseContext, alarms: string[], holdMs: number): Promise<string[]> {
  const deadline = Date.now() + holdMs;
  const every = Math.max(200, Math.min(10_000, holdMs / 6));
  for (;;) {
    const firing = await firingAlarms(ctx.cloudwatch, alarms);
    if (firing.length > 0 || Date.now() >= deadline) return firing;
    ctx.report(`watching ${alarms.length} alarm(s), ${Math.ceil((deadline - Date.now()) / 1000)} s left`);
    await sleep(Math.min(every, deadline - Date.now()));
  }
}
