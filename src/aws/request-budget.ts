import type { LambdaClient } from '@aws-sdk/client-lambda';

/**
 * Lambda's control-plane request quotas, per account and region (the Lambda quotas page, "Lambda
 * API requests"): GetFunction 100 requests per second, GetPolicy 15, and every other control-plane
 * call together 15 (writes included; this one cannot be raised). Invoke has no request-rate quota.
 * lci spends them through one client-side budget per process and region, shared by every worker,
 * so it never meets a throttle it caused itself.
 */
export type RequestClass = 'getFunction' | 'getPolicy' | 'controlPlane';

export type Rates = Record<RequestClass, number>;

export const LAMBDA_QUOTAS: Rates = { getFunction: 100, getPolicy: 15, controlPlane: 15 };

/** The class a Lambda command's requests are counted in; null for Invoke (no request-rate quota). */
export function requestClass(commandName: string): RequestClass | null {
  const operation = commandName.replace(/Command$/, '');
  if (operation === 'Invoke' || operation === 'InvokeAsync' || operation === 'InvokeWithResponseStream') return null;
  if (operation === 'GetFunction') return 'getFunction';
  if (operation === 'GetPolicy') return 'getPolicy';
  return 'controlPlane';
}

/** Requests per second a run asked for (`--rate CONTROL[,GETFUNCTION]`), read by the CLI. */
export interface RequestedRates {
  controlPlane: number;
  getFunction?: number;
}

/**
 * The rates a run may spend, requests per second of the 15/s class and of GetFunction. Without a
 * GetFunction rate it takes the same share of its quota as the control-plane rate does; GetPolicy
 * always follows the control plane. With `share` = 1/N (a shard of N) and no explicit rate, each
 * shard gets 1/N of the quotas.
 */
export function ratesFor(requested: RequestedRates | undefined, share = 1): Rates {
  if (requested === undefined) return scaled(LAMBDA_QUOTAS, share);
  const { controlPlane } = requested;
  const getFunction = requested.getFunction ?? (controlPlane * LAMBDA_QUOTAS.getFunction) / LAMBDA_QUOTAS.controlPlane;
  return { controlPlane, getFunction, getPolicy: controlPlane };
}

function scaled(rates: Rates, share: number): Rates {
  return {
    getFunction: rates.getFunction * share,
    getPolicy: rates.getPolicy * share,
    controlPlane: rates.controlPlane * share,
  };
}

export interface BudgetReport {
  /** Requests per second each class was allowed. */
  rates: Rates;
  /** Requests sent (retries included), by class and by operation. */
  requests: Record<RequestClass, number>;
  byOperation: Record<string, number>;
  /** 429 TooManyRequestsException answers met (each was waited out and retried). */
  throttles: number;
  /** Wall-clock seconds during which at least one request waited for the budget. */
  waitedSeconds: number;
}

/** How a bucket slows down after a throttle and speeds up again (AIMD: halve, then add back). */
const SLOWEST_SHARE = 0.1;
const RECOVERY_PER_SUCCESS = 0.02;
/** Throttles of one request before lci gives up on it (each waited out first). */
export const MAX_THROTTLES_PER_REQUEST = 10;

/**
 * A token bucket that hands out start times in order (a virtual clock, as GCRA does): each caller
 * reserves the next slot synchronously, then sleeps until it. Half a second's worth of requests
 * may start at once; the server's own bucket keeps the other half as slack for network jitter.
 */
export class Bucket {
  private rate: number;
  /** When the bucket would be empty again, with every slot handed out so far taken (GCRA's theoretical arrival time). */
  private tat = 0;
  private pausedUntil = 0;

  constructor(
    readonly configured: number,
    private readonly burst: number,
  ) {
    this.rate = configured;
  }

  /** Milliseconds until the caller may send (the slot is reserved). */
  reserve(now: number): number {
    const interval = 1000 / this.rate;
    const start = Math.max(now, this.tat - (this.burst - 1) * interval, this.pausedUntil);
    this.tat = Math.max(this.tat, start) + interval;
    return start - now;
  }

  /** A 429: nobody sends before `retryAfterMs` has passed, then one at a time at half the rate (no burst). */
  throttled(now: number, retryAfterMs: number): void {
    this.rate = Math.max(this.configured * SLOWEST_SHARE, this.rate / 2);
    this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
    this.tat = Math.max(this.tat, this.pausedUntil + (this.burst - 1) * (1000 / this.rate));
  }

  paused(now: number): boolean {
    return now < this.pausedUntil;
  }

  succeeded(): void {
    this.rate = Math.min(this.configured, this.rate + this.configured * RECOVERY_PER_SUCCESS);
  }
}

/** The buckets of one account's region, shared by every client and worker of this process. */
export class RequestBudget {
  private readonly buckets: Record<RequestClass, Bucket>;

  constructor(readonly rates: Rates) {
    const bucket = (rate: number) => new Bucket(rate, Math.max(1, Math.floor(rate / 2)));
    this.buckets = {
      getFunction: bucket(rates.getFunction),
      getPolicy: bucket(rates.getPolicy),
      controlPlane: bucket(rates.controlPlane),
    };
  }

  /** Resolves when a request of this class may be sent. */
  async take(cls: RequestClass): Promise<void> {
    const bucket = this.buckets[cls];
    for (;;) {
      const wait = bucket.reserve(Date.now());
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      // A throttle met while this request slept moved everyone's slots: take a new one.
      if (!bucket.paused(Date.now())) return;
    }
  }

  throttled(cls: RequestClass, retryAfterSeconds: number): void {
    this.buckets[cls].throttled(Date.now(), Math.max(0.1, retryAfterSeconds) * 1000);
  }

  succeeded(cls: RequestClass): void {
    this.buckets[cls].succeeded();
  }
}

/** What one client spent: requests by class and operation, throttles met, time spent waiting for the budget. */
export class BudgetMeter {
  private readonly requests: Record<RequestClass, number> = { getFunction: 0, getPolicy: 0, controlPlane: 0 };
  private readonly byOperation: Record<string, number> = {};
  private throttles = 0;
  private waiting = 0;
  private waitStarted = 0;
  private waitedMs = 0;

  constructor(readonly budget: RequestBudget) {}

  async take(cls: RequestClass, operation: string): Promise<void> {
    if (this.waiting++ === 0) this.waitStarted = Date.now();
    try {
      await this.budget.take(cls);
    } finally {
      if (--this.waiting === 0) this.waitedMs += Date.now() - this.waitStarted;
    }
    this.requests[cls]++;
    this.byOperation[operation] = (this.byOperation[operation] ?? 0) + 1;
  }

  throttled(cls: RequestClass, retryAfterSeconds: number): void {
    this.throttles++;
    this.budget.throttled(cls, retryAfterSeconds);
  }

  report(): BudgetReport {
    const now = Date.now();
    return {
      rates: { ...this.budget.rates },
      requests: { ...this.requests },
      byOperation: Object.fromEntries(Object.entries(this.byOperation).sort(([a], [b]) => (a < b ? -1 : 1))),
      throttles: this.throttles,
      waitedSeconds: Math.round(this.waitedMs + (this.waiting > 0 ? now - this.waitStarted : 0)) / 1000,
    };
  }
}

const budgets = new Map<string, RequestBudget>();

/**
 * The one budget of this process for an account's region and these rates (keyed by what tells
 * accounts apart here: the region, the endpoint, the profile).
 */
export function sharedBudget(key: string, rates: Rates): RequestBudget {
  const full = `${key}|${rates.controlPlane}|${rates.getFunction}|${rates.getPolicy}`;
  const budget = budgets.get(full) ?? new RequestBudget(rates);
  budgets.set(full, budget);
  return budget;
}

function isRateThrottle(e: unknown): boolean {
  const err = e as { name?: string; Reason?: string; $metadata?: { httpStatusCode?: number } };
  // Concurrency throttles of Invoke (ConcurrentInvocationLimitExceeded) are not the request budget's business.
  return (
    (err?.name === 'TooManyRequestsException' || err?.$metadata?.httpStatusCode === 429) &&
    !/Concurrent/.test(err?.Reason ?? '')
  );
}

/** Retry-After as Lambda sends it (the SDK reads it into retryAfterSeconds); 1 s when absent. */
function retryAfterOf(e: unknown): number {
  const err = e as { retryAfterSeconds?: string | number; $response?: { headers?: Record<string, string> } };
  const value = Number(err?.retryAfterSeconds ?? err?.$response?.headers?.['retry-after']);
  return Number.isFinite(value) && value >= 0 ? value : 1;
}

/**
 * Every request of this Lambda client waits for its class's budget; a 429 for the request rate
 * pauses the whole class for its Retry-After, halves the rate (then wins it back request by
 * request), and sends the request again. The SDK's own retries (5xx, dropped connections) go
 * through the budget too: this sits inside its retry loop, before signing.
 */
export function applyBudget(lambda: LambdaClient, meter: BudgetMeter): void {
  type Handler = (args: object) => Promise<object>;
  const middleware =
    (next: Handler, context: { commandName?: string }): Handler =>
    async (args) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const cls = requestClass(operation);
      if (cls === null) return next(args);
      for (let throttles = 0; ; throttles++) {
        await meter.take(cls, operation);
        try {
          const out = await next(args);
          meter.budget.succeeded(cls);
          return out;
        } catch (e) {
          if (!isRateThrottle(e) || throttles >= MAX_THROTTLES_PER_REQUEST) throw e;
          meter.throttled(cls, retryAfterOf(e));
        }
      }
    };
  // The SDK types a finalize-step middleware this way; its union of step types does not infer.
  lambda.middlewareStack.addRelativeTo(
    middleware as unknown as Parameters<LambdaClient['middlewareStack']['addRelativeTo']>[0],
    {
      name: 'lciRequestBudget',
      relation: 'before',
      toMiddleware: 'httpSigningMiddleware',
      override: true,
    },
  );
}
