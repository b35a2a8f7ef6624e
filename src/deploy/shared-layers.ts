import type { ArtifactStore } from '../aws/artifact-store.js';
import type { AwsClients } from '../aws/clients.js';
import { explain, latestLayerVersion, publishLayer, type LayerState, type Timing } from '../aws/lambda.js';
import type { DependencyBuilder } from '../builder/dependency-builder.js';
import type { Project, ResolvedFunction, ResolvedLayer, Workspace } from '../config/types.js';
import { checkSizes } from '../artifacts/code-package.js';
import { BuildError, DeployError } from '../errors.js';
import { keyOfLayer, layerDescription, type WantedLayer } from './decide.js';
import { checkPublished, holdsRecordedZip, recordedZip } from './layer-record.js';
import { Pusher } from './push.js';

export type SharedLayerStatus = 'INTACT' | 'PUBLISHED' | 'PLANNED' | 'FAILED';

/** What a deploy did with one shared layer. */
export interface SharedLayerResult {
  name: string;
  awsName: string;
  key: string | null;
  status: SharedLayerStatus;
  version: number | null;
  /** The functions of this deploy that asked for it (those whose serving version did not already run with it). */
  functions: string[];
  s3: string[];
  calls: string[];
  error?: string;
}

export interface SharedLayersContext {
  ws: Workspace;
  aws: AwsClients;
  store: ArtifactStore;
  deps: DependencyBuilder;
  timing: Timing;
  sourceVersion: string;
  dryRun: boolean;
  report: (layer: string, message: string) => void;
}

/**
 * The shared layers of one deploy. Each is identified (its content key, no AWS) once, and, only
 * when a function needs its exact version (its serving version does not already record the key),
 * resolved once for all of them: one ListLayerVersions, and when no version has its key, built
 * (or taken from its S3 cache) and published, before any function that uses it is released. Every
 * function then attaches that exact version.
 */
export class SharedLayers {
  private readonly keys = new Map<string, Promise<string>>();
  private readonly published = new Map<string, Promise<LayerState | null>>();
  private readonly found = new Map<string, Promise<LayerState | null>>();
  private readonly results = new Map<string, SharedLayerResult>();

  constructor(
    private readonly project: Project,
    private readonly ctx: SharedLayersContext,
  ) {}

  /** Every shared layer's AWS name in the environment: lci's to attach, reorder and take off. */
  managed(env: string): string[] {
    return Object.values(this.project.layers).flatMap((l) => (l.envs[env] ? [l.envs[env]!.layerName] : []));
  }

  /** The shared layers a function should run with, in order, with their content keys (no AWS). */
  async wanted(r: ResolvedFunction): Promise<WantedLayer[]> {
    return Promise.all(r.layers.map(async (l) => ({ layerName: l.layerName, key: await this.key(l) })));
  }

  /** The version of each of the function's shared layers that has its key, when one is published (one read per layer per run; no write). */
  async lookup(r: ResolvedFunction): Promise<(LayerState | null)[]> {
    return Promise.all(r.layers.map((l) => this.find(l)));
  }

  /**
   * The exact version of each of the function's shared layers, publishing what is missing once per
   * run, before any function that uses it is released (null in a dry run, for a layer to publish).
   */
  async exact(r: ResolvedFunction): Promise<(LayerState | null)[]> {
    return Promise.all(
      r.layers.map(async (l) => {
        this.result(l).functions.push(r.name);
        let running = this.published.get(l.name);
        if (!running) {
          running = this.publish(l, r.functionName);
          this.published.set(l.name, running);
        }
        return running;
      }),
    );
  }

  private find(l: ResolvedLayer): Promise<LayerState | null> {
    let running = this.found.get(l.name);
    if (!running) {
      running = (async () => {
        const key = await this.key(l);
        const latest = await latestLayerVersion(this.ctx.aws.lambda, l.layerName).catch((e: unknown) => {
          throw explain(e, `reading layer ${l.layerName}`);
        });
        // a version that does not hold the zip its Description records is never attached
        return latest && keyOfLayer(latest.description) === key && (await holdsRecordedZip(this.ctx.aws.lambda, latest))
          ? latest
          : null;
      })();
      this.found.set(l.name, running);
    }
    return running;
  }

  /** What happened to each shared layer a function asked for the exact version of, by name. */
  summary(): SharedLayerResult[] {
    return [...this.results.values()].filter((r) => r.functions.length > 0).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  private key(l: ResolvedLayer): Promise<string> {
    let k = this.keys.get(l.name);
    if (!k) {
      k = this.ctx.deps.identifyShared(l).then((identified) => {
        if (!identified)
          throw new BuildError(
            `shared layer ${l.name}: ${l.descriptorPath ?? 'its descriptor'} declares no dependencies (or git does not track it), so the layer would be empty; declare them, or take the layer off its functions`,
          );
        this.result(l).key = identified.key;
        return identified.key;
      });
      this.keys.set(l.name, k);
    }
    return k;
  }

  private result(l: ResolvedLayer): SharedLayerResult {
    let r = this.results.get(l.name);
    if (!r) {
      r = {
        name: l.name,
        awsName: l.layerName,
        key: null,
        status: 'INTACT',
        version: null,
        functions: [],
        s3: [],
        calls: [],
      };
      this.results.set(l.name, r);
    }
    return r;
  }

  private async publish(l: ResolvedLayer, functionName: string): Promise<LayerState | null> {
    const result = this.result(l);
    const report = (m: string) => this.ctx.report(l.name, m);
    const push = new Pusher(
      this.ctx.store,
      this.ctx.ws,
      { name: l.name, functionName: l.layerName, env: l.env },
      this.ctx.sourceVersion,
      report,
    );
    try {
      const key = await this.key(l);
      const lambda = this.ctx.aws.lambda;
      const latest = await this.find(l);
      if (latest) {
        result.version = latest.version;
        return latest;
      }
      if (this.ctx.dryRun) {
        result.status = 'PLANNED';
        result.calls = [`build or reuse the layer zip, upload it`, `PublishLayerVersion ${l.layerName}`];
        return null;
      }
      const cacheKey = this.ctx.store.sharedLayerKey(l.env, l.name, key);
      const identified = (await this.ctx.deps.identifyShared(l))!;
      const sha256 = await push.layerCache(
        cacheKey,
        key,
        async () => (await this.ctx.deps.layer(l, report, identified))!,
        (label, groups) => checkSizes({}, [{ label, groups }]),
        (sha) => recordedZip(lambda, l.layerName, key, sha),
      );
      report(`publishing ${l.layerName}`);
      const published = await publishLayer(
        lambda,
        functionName,
        {
          layerName: l.layerName,
          bucket: this.ctx.store.bucket,
          key: cacheKey,
          description: layerDescription(key, this.ctx.sourceVersion, sha256),
          runtimes: l.runtimes,
          architectures: l.architectures,
        },
        this.ctx.timing,
      ).catch((e: unknown) => {
        throw explain(e, `publishing layer ${l.layerName}`);
      });
      checkPublished(published, sha256);
      result.status = 'PUBLISHED';
      result.version = published.version;
      result.calls = [`PublishLayerVersion ${l.layerName}`];
      return published;
    } catch (e) {
      result.status = 'FAILED';
      result.error = (e as Error)?.message ?? String(e);
      throw new DeployError(`shared layer ${l.name}: ${result.error}`);
    } finally {
      result.s3 = push.written.map((k) => this.ctx.store.url(k));
    }
  }
}
