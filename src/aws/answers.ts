import { AwsAnswerError } from '../errors.js';

type Handler = (args: { request?: unknown }) => Promise<unknown>;
type Context = { commandName?: string; clientName?: string; lciEndpoint?: string };

/** What the middleware stack of any SDK v3 client takes. */
interface WithMiddleware {
  middlewareStack: { add(middleware: unknown, options: object): void };
}

/**
 * Every answer that is not an AWS API response (an HTML page from a proxy, a wrong --endpoint-url,
 * an emulator's error page) becomes one line naming the endpoint and the HTTP status, instead of
 * the SDK's "inspect the hidden field {error}.$response". The check wraps the whole call, retries
 * included, so only the answer that ends the call is explained.
 */
export function explainAnswers(client: WithMiddleware): void {
  client.middlewareStack.add(
    (next: Handler, context: Context): Handler =>
      async (args) => {
        try {
          return await next(args);
        } catch (e) {
          throw unexpectedAnswer(e, context) ?? e;
        }
      },
    { step: 'initialize', priority: 'high', name: 'lciExplainAnswers', override: true },
  );
  // Where the request went, known once the endpoint is resolved.
  client.middlewareStack.add(
    (next: Handler, context: Context): Handler =>
      async (args) => {
        const r = args.request as { protocol?: string; hostname?: string; port?: number } | undefined;
        if (r?.hostname) context.lciEndpoint = `${r.protocol ?? 'https:'}//${r.hostname}${r.port ? `:${r.port}` : ''}`;
        return next(args);
      },
    { step: 'build', priority: 'low', name: 'lciRecordEndpoint', override: true },
  );
}

/** The error as lci says it, or null when it is an AWS error (or no answer came at all). */
export function unexpectedAnswer(e: unknown, context: Context): AwsAnswerError | null {
  const response = (e as { $response?: { statusCode?: number; headers?: Record<string, string> } })?.$response;
  const message = (e as Error)?.message ?? '';
  if (!response) return null;
  // An answer to HEAD has no body: its status is all of it, whatever Content-Type an S3 server puts on it.
  if (/^Head/.test(context.commandName ?? '')) return null;
  const type = Object.entries(response.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  const sdkInternal = /Deserialization error|\$response/.test(message);
  if (!sdkInternal && !/html|text\/plain/i.test(type)) return null;
  // An answer to HEAD has no body to tell it by: S3's 404 is NotFound whatever content type a server names.
  if (!sdkInternal && /^Head/.test(context.commandName ?? '')) return null;
  const operation = (context.commandName ?? 'the request').replace(/Command$/, '');
  const service = (context.clientName ?? '').replace(/Client$/, '');
  return new AwsAnswerError(
    `${service ? `${service} ` : ''}${operation}: ${context.lciEndpoint ?? 'the endpoint'} answered HTTP ${response.statusCode ?? '?'}${type ? ` (${type.split(';')[0]})` : ''}, which is not an AWS API response; check the endpoint (--endpoint-url, AWS_ENDPOINT_URL*), the region, and any proxy in between (HTTPS_PROXY)`,
    false,
    response.statusCode,
  );
}
