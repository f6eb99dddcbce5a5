import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Registry } from 'prom-client';
import type { Logger } from './logging.js';
import type { JsonRpcServer } from './jsonrpc/server.js';

const DASHBOARD_HTML = fileURLToPath(new URL('../dashboard/index.html', import.meta.url));
const DASHBOARD_JS = fileURLToPath(new URL('../dashboard/app.js', import.meta.url));

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServerOptions {
  port: number;
  host: string;
  metrics: Registry;
  rpc: JsonRpcServer;
  logger: Logger;
  /** True once every started plugin is ready. */
  isReady: () => boolean;
}

/**
 * The one HTTP server of a process: `/metrics`, `/health`, `/ready`, the operator's `/dashboard`,
 * and JSON-RPC on `POST /` (every plugin's namespaces on the same port).
 */
export class HttpServer {
  private server: Server | undefined;
  private readonly routes = new Map<string, RouteHandler>();

  constructor(private readonly options: HttpServerOptions) {
    this.route('GET', '/health', (_req, res) => json(res, 200, { status: 'ok' }));
    this.route('GET', '/ready', (_req, res) => {
      const ready = this.options.isReady();
      json(res, ready ? 200 : 503, { ready });
    });
    this.route('GET', '/metrics', async (_req, res) => {
      const body = await this.options.metrics.metrics();
      res.writeHead(200, { 'content-type': this.options.metrics.contentType });
      res.end(body);
    });
    this.route('POST', '/', (req, res) => this.options.rpc.handleHttp(req, res));
    // The dashboard reads the same JSON-RPC methods from the browser; it needs no server state.
    this.file('/dashboard', DASHBOARD_HTML, 'text/html; charset=utf-8');
    this.file('/dashboard/app.js', DASHBOARD_JS, 'text/javascript; charset=utf-8');
  }

  /** Serves a file read once (the dashboard's assets). */
  file(path: string, file: string, contentType: string): void {
    const body = readFileSync(file);
    this.route('GET', path, (_req, res) => {
      res.writeHead(200, { 'content-type': contentType, 'content-length': body.length, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
      res.end(body);
    });
  }

  route(method: string, path: string, handler: RouteHandler): void {
    this.routes.set(`${method} ${path}`, handler);
  }

  async listen(): Promise<number> {
    const server = createServer((req, res) => void this.dispatch(req, res));
    server.keepAliveTimeout = 65_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'EADDRINUSE' ? new Error(`--port ${this.options.port}: the port is already in use; pick another port or stop the process using it`) : err),
      );
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const handler = this.routes.get(`${req.method} ${path}`);
    try {
      if (handler) await handler(req, res);
      else json(res, 404, { error: `no route for ${req.method} ${path}` });
    } catch (err) {
      this.options.logger.error({ err, path }, 'HTTP handler failed');
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.destroy();
    }
  }
}

/** Whether binding `host` keeps the server on this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function json(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
