/** /healthz for the operator's monitoring, and the webhook endpoint when the bot runs behind one. */
import http from 'node:http';
import type { Logger } from '../logger.js';

export interface HttpServerDeps {
  port: number;
  logger: Logger;
  health: () => Promise<boolean>;
  /** Path and handler of the Bot API webhook, when webhook mode is on. */
  webhook?: { path: string; handler: (req: http.IncomingMessage, res: http.ServerResponse) => void };
}

export async function startHttpServer(deps: HttpServerDeps): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      deps.health().then(
        (ok) => {
          res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable' }));
        },
        () => {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end('{"status":"unavailable"}');
        },
      );
      return;
    }
    if (deps.webhook && req.method === 'POST' && req.url === deps.webhook.path) {
      deps.webhook.handler(req, res);
      return;
    }
    res.writeHead(404).end();
  });
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(deps.port, resolve));
  deps.logger.info({ port: deps.port }, 'http server listening');
  return server;
}
