import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { ArtifactStore } from '../aws/artifact-store.js';
import type { LayerState } from '../aws/lambda.js';
import { checkSizes } from '../artifacts/code-package.js';
import { Pusher } from '../artifacts/push.js';
import type { DependencyBuilder } from '../builder/dependency-builder.js';
import type { Project, ResolvedFunction, ResolvedLayer, Workspace } from '../config/types.js';
import { BuildError } from '../errors.js';
import type { WantedLayer } from './layers.js';
import type { SharedLayerPlan } from './plan.js';
import { findTrustedLayerVersion, recordedZip } from './layer-record.js';

export interface SharedLayerContext {
  ws: Workspace;
  lambda: LambdaClient;
  store: ArtifactStore;
  deps: DependencyBuilder;
  sourceVersion: string;
  report: (layer: string, message: string) => void;
}

/**
 * The shared layers of one plan. Each is identified (its content key, no AWS) once; looked up
 * (one ListLayerVersions) once, only when a function's serving version does not already record
 * it; and, when no version carries its key, built or taken from its S3 cache and uploaded once,
 * for the plan to publish before any function that uses it.
 */
export class SharedLayerPlanner {
  private readonly keys = new Map<string, Promise<string>>();
  private readonly found = new Map<string, Promise<LayerState | null>>();
  private readonly uploads = new Map<string, Promise<SharedLayerPlan>>();
  private readonly planned = new Map<string, SharedLayerPlan>();
  private readonly resolved = new Map<string, ResolvedLayer>();
  /** S3 objects written for each layer. */
  readonly written = new Map<string, string[]>();

  constructor(
    private readonly project: Project,
    private readonly ctx: SharedLayerContext,
  ) {}

  /** Every shared layer's AWS name in the environment: lci's to attach, reorder and take off. */
  managed(env: string): string[] {
    return Object.values(this.project.layers).flatMap((l) => (l.envs[env] ? [l.envs[env]!.layerName] : []));
  }

  /** The shared layers a function should run with, in order, with their content keys (no AWS). */
  async wanted(r: ResolvedFunction): Promise<(WantedLayer & { name: string })[]> {
    return Promise.all(r.layers.map(async (l) => ({ name: l.name, layerName: l.layerName, key: await this.key(l) })));
  }

  /** Per shared layer of the function, the version that carries its key, or null (one read per layer per plan). */
  versions(r: ResolvedFunction): Promise<(LayerState | null)[]> {
    return Promise.all(r.layers.map((l) => this.lookup(l)));
  }

  /** The layers looked up so far, as the plan carries them. */
  plans(): SharedLayerPlan[] {
    return [...this.planned.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** A layer of the plan to publish, with its zip uploaded (once) and its artifact filled in. */
  upload(name: string): Promise<SharedLayerPlan> {
    let running = this.uploads.get(name);
    if (!running) {
      running = this.uploadOnce(name);
      this.uploads.set(name, running);
    }
    return running;
  }

  private lookup(l: ResolvedLayer): Promise<LayerState | null> {
    let running = this.found.get(l.name);
    if (!running) {
      running = (async () => {
        const key = await this.key(l);
        const version = await findTrustedLayerVersion(this.ctx.lambda, l.layerName, key);
        this.resolved.set(l.name, l);
        this.planned.set(l.name, {
          name: l.name,
          awsName: l.layerName,
          key,
          action: version ? 'INTACT' : 'PUBLISH',
          version: version ? { arn: version.arn, version: version.version } : null,
          artifact: null,
          runtimes: l.runtimes,
          architectures: l.architectures,
          functions: [],
        });
        return version;
      })();
      this.found.set(l.name, running);
    }
    return running;
  }

  private key(l: ResolvedLayer): Promise<string> {
    let k = this.keys.get(l.name);
    if (!k) {
      k = this.ctx.deps.identifyShared(l).then((identified) => {
        if (!identified)
          throw new BuildError(
            `shared layer ${l.name}: ${l.descriptorPath ?? 'its descriptor'} declares no dependencies (or git does not track it), so the layer would be empty; declare them, or take the layer off its functions`,
          );
        return identified.key;
      });
      this.keys.set(l.name, k);
    }
    return k;
  }

  private async uploadOnce(name: string): Promise<SharedLayerPlan> {
    const plan = this.planned.get(name)!;
    if (plan.action !== 'PUBLISH') return plan;
    const l = this.resolved.get(name)!;
    const report = (m: string) => this.ctx.report(name, m);
    const push = new Pusher(
      this.ctx.store,
      this.ctx.ws,
      { name, functionName: plan.awsName, env: l.env },
      this.ctx.sourceVersion,
      report,
    );
    try {
      const cacheKey = this.ctx.store.sharedLayerKey(l.env, name, plan.key);
      const identified = (await this.ctx.deps.identifyShared(l))!;
      const zip = await push.layerCache(
        cacheKey,
        plan.key,
        async () => (await this.ctx.deps.layer(l, report, identified))!,
        (label, groups) => checkSizes({}, [{ label, groups }]),
        (sha) => recordedZip(this.ctx.lambda, plan.awsName, plan.key, sha),
      );
      plan.artifact = { key: cacheKey, ...zip };
      return plan;
    } finally {
      this.written.set(
        name,
        push.written.map((k) => this.ctx.store.url(k)),
      );
    }
  }
}
