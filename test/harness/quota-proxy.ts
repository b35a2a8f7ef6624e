import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { closeServer, listenLocal } from './http-server.js';
import { type LambdaRates, LambdaQuotas, lambdaErrorReply, lambdaOperation } from './lambda-standin.js';

/**
 * Lambda's request quotas in front of an emulator that has none (moto): every request is
 * forwarded to `target` unchanged, except those above the quota of their operation, which get the
 * 429 Lambda sends (TooManyRequestsException, Retry-After). So a bench can run against a
 * third-party Lambda as strict about quotas as AWS, not only against lci's own stand-in. Listens
 * on 127.0.0.1 only; forwards to 127.0.0.1 only.
 */
export class QuotaProxy {
  /** Each request that reached the proxy: its operation and the status it ended with. */
  readonly log: { operation: string; status: number }[] = [];
  private readonly quotas = new LambdaQuotas();

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(target: string, rates?: LambdaRates): Promise<QuotaProxy> {
    const to = new URL(target);
    if (to.hostname !== '127.0.0.1') throw new Error(`the quota proxy forwards to 127.0.0.1 only, not ${to.hostname}`);
    let proxy: QuotaProxy | undefined;
    const server = createServer((req, res) => proxy!.handle(req, res, to));
    proxy = new QuotaProxy(server, await listenLocal(server));
    proxy.quotas.set(rates);
    return proxy;
  }

  setRates(rates: LambdaRates | undefined): void {
    this.quotas.set(rates);
  }

  clearLog(): void {
    this.log.length = 0;
  }

  throttleCount(): number {
    return this.log.filter((l) => l.status === 429).length;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private handle(req: IncomingMessage, res: ServerResponse, to: URL): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const operation = lambdaOperation(req.method ?? 'GET', url.pathname);
    const throttled = this.quotas.take(operation);
    if (throttled) {
      req.resume();
      const reply = lambdaErrorReply(throttled);
      this.log.push({ operation, status: reply.status });
      res.writeHead(reply.status, reply.headers).end(reply.body);
      return;
    }
    const forward = httpRequest(
      { host: '127.0.0.1', port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        this.log.push({ operation, status: answer.statusCode ?? 0 });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', (e) => {
      this.log.push({ operation, status: 502 });
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`quota proxy: ${e.message}`);
    });
    req.pipe(forward);
  }
}
