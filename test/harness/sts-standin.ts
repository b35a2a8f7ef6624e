import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { closeServer, listenLocal } from './http-server.js';

/**
 * The one AWS call `terraform plan` makes for lci's generated Terraform: STS GetCallerIdentity (for
 * data.aws_caller_identity; seen by running plan against a request log). STS speaks the AWS Query
 * protocol: a form-encoded POST (Action=GetCallerIdentity&Version=2011-06-15) answered with XML in
 * the https://sts.amazonaws.com/doc/2011-06-15/ namespace; errors are an ErrorResponse document.
 */
export class StsStandin {
  endpoint = '';
  readonly log: string[] = [];
  private readonly server: Server;

  private constructor(readonly accountId: string) {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (b: Buffer) => (body += b.toString('utf8')));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const action = form.get('Action') ?? '';
        this.log.push(action);
        const requestId = randomUUID();
        res.setHeader('Content-Type', 'text/xml');
        res.setHeader('x-amzn-RequestId', requestId);
        if (req.method === 'POST' && action === 'GetCallerIdentity' && form.get('Version') === '2011-06-15') {
          res.end(
            `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
              `<Arn>arn:aws:iam::${accountId}:user/lci-test</Arn><UserId>AIDAEXAMPLELCITEST0001</UserId><Account>${accountId}</Account>` +
              `</GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
          );
          return;
        }
        res.statusCode = 400;
        res.end(
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidAction</Code>` +
            `<Message>The stand-in does not implement ${action || 'this request'}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
      });
    });
  }

  static async start(accountId = '123456789012'): Promise<StsStandin> {
    const s = new StsStandin(accountId);
    s.endpoint = await listenLocal(s.server);
    return s;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }
}
