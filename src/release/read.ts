import type { LambdaClient } from '@aws-sdk/client-lambda';
import {
  explain,
  getAlias,
  getFunction,
  layerVersionDescription,
  waitForIdle,
  type LayerState,
  type Serving,
  type Timing,
} from '../aws/lambda.js';
import { decideFunction, type Desired, type Need, type Reads } from './decide.js';
import type { FunctionPlan } from './plan.js';
import { findTrustedLayerVersion } from './layer-record.js';

/** What the reads of one run share: the client, and the lookups every function of the run may ask for. */
export interface ReadContext {
  lambda: LambdaClient;
  timing: Timing;
  /** The version of each of the function's shared layers that carries its key (one lookup per layer per run). */
  sharedVersions: (d: Desired) => Promise<(LayerState | null)[]>;
  report: (message: string) => void;
}

/**
 * One function's plan: the reads its decision asks for, and nothing more. `serving` is the
 * GetFunction of the alias, sent by the caller as early as it could be; `codeSha256` zips the code
 * when the decision needs it.
 */
export async function planFunction(
  d: Desired,
  serving: Promise<Serving>,
  codeSha256: () => Promise<string>,
  ctx: ReadContext,
): Promise<FunctionPlan> {
  const reads: Reads = { serving: await serving };
  for (let round = 0; round < 8; round++) {
    const decision = decideFunction(d, reads);
    if ('plan' in decision) return decision.plan;
    await Promise.all(decision.need.map((n) => fetch(n, d, reads, decision.layerArns ?? [], codeSha256, ctx)));
  }
  throw new Error(`the release decision of ${d.name} kept asking for reads`);
}

async function fetch(
  need: Need,
  d: Desired,
  reads: Reads,
  arns: string[],
  codeSha256: () => Promise<string>,
  ctx: ReadContext,
): Promise<void> {
  const name = d.awsName;
  const reading = (e: unknown) => {
    throw explain(e, `reading ${name}`);
  };
  switch (need) {
    case 'alias': {
      ctx.report('reading the alias');
      const alias = await getAlias(ctx.lambda, name, d.alias);
      if (alias === null) {
        // The alias went away between the reads: what the release publishes from is $LATEST.
        const latest = await getFunction(ctx.lambda, name, '$LATEST').catch(reading);
        reads.serving = { ...reads.serving, ...latest, aliasExists: false };
      } else if (alias.version !== reads.serving.config.Version) {
        // The alias moved between the reads: decide from the version it serves now.
        const served = await getFunction(ctx.lambda, name, alias.version).catch(reading);
        reads.serving = { ...reads.serving, ...served };
      }
      reads.alias = alias;
      return;
    }
    case 'codeSha256':
      reads.codeSha256 = await codeSha256();
      return;
    case 'ownLayer':
      ctx.report(`reading layer ${d.layerName}`);
      reads.ownLayer = await findTrustedLayerVersion(ctx.lambda, d.layerName, d.depsKey!);
      return;
    case 'shared':
      ctx.report('reading shared layers');
      reads.shared = await ctx.sharedVersions(d);
      return;
    case 'latest': {
      ctx.report('checking the live configuration');
      const latest = await waitForIdle(ctx.lambda, name, ctx.timing).catch(reading);
      reads.latest = latest.config;
      reads.latestCode = latest.code;
      return;
    }
    case 'layerDescriptions': {
      const found = await Promise.all(
        arns.map((arn) =>
          layerVersionDescription(ctx.lambda, arn).catch((e: unknown) => {
            throw explain(e, `reading layer ${arn}`);
          }),
        ),
      );
      reads.layerDescriptions = Object.fromEntries(arns.map((arn, i) => [arn, found[i]!]));
      return;
    }
  }
}
