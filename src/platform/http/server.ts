/**
 * The operator's endpoints and the webhook: /healthz (the process is up and its database answers),
 * /readyz (ready for traffic: database, migrations, Redis), /metrics (Prometheus text), and the Bot
 * API webhook when the bot runs behind one. Only the webhook's path is meant to be reachable from
 * outside: the reverse proxy forwards that path alone (docs/deploy.md), so /metrics needs no token.
 */
import http from 'node:http';
import type { Logger } from '../logger.js';
import type { MetricsEndpoint } from '../metrics/endpoint.js';
import type { Readiness } from './readiness.js';

export interface HttpServerDeps {
  port: number;
  logger: Logger;
  health: () => Promise<boolean>;
  /** /readyz; unset: 404. */
  ready?: () => Promise<Readiness>;
  /** /metrics; unset: 404. */
  metrics?: MetricsEndpoint;
  /** Path and handler of the Bot API webhook, when webhook mode is on. */
  webhook?: { path: string; handler: (req: http.IncomingMessage, res: http.ServerResponse) => void };
}

const JSON_TYPE = { 'content-type': 'application/json' };

export async function startHttpServer(deps: HttpServerDeps): Promise<http.Server> {
  const { ready, metrics } = deps;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      answer(res, deps.health().then((ok) => [ok ? 200 : 503, JSON.stringify({ status: ok ? 'ok' : 'unavailable' })]), '{"status":"unavailable"}');
      return;
    }
    if (req.method === 'GET' && path === '/readyz' && ready) {
      const body = ready().then(({ ready: ok, checks }) => [ok ? 200 : 503, JSON.stringify({ status: ok ? 'ready' : 'not ready', checks })] as const);
      answer(res, body, '{"status":"not ready"}');
      return;
    }
    if (req.method === 'GET' && path === '/metrics' && metrics) {
      metrics.render().then(
        (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
        (err: unknown) => {
          deps.logger.warn({ err }, 'metrics could not be collected');
          res.writeHead(500).end();
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

/** A JSON answer computed later; a failure to compute it is a 503 with `fallback`. */
function answer(res: http.ServerResponse, result: Promise<readonly [number, string]>, fallback: string): void {
  result.then(
    ([status, body]) => res.writeHead(status, JSON_TYPE).end(body),
    () => res.writeHead(503, JSON_TYPE).end(fallback),
  );
}
