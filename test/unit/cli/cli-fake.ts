import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLI = join(import.meta.dirname, '..', '..', '..', 'cli', 'lodestone.mjs');

export interface Seen { method: string; path: string; query: URLSearchParams; auth: string; body: unknown }
type Reply = { status?: number; json?: unknown; text?: string; headers?: Record<string, string> };
export type Route = (req: Seen) => Reply;

/** JSON bodies parsed; files (CSV, NDJSON) kept as text. */
const parseBody = (text: string, type: string): unknown => (type.startsWith('application/json') ? JSON.parse(text) : text);

/** A tiny stand-in for the API: answers from `routes` ("GET /path" keys), records every request. */
export async function fakeApi(routes: Record<string, Route>, port = 0) {
  const seen: Seen[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const text = Buffer.concat(chunks).toString('utf8');
    const s: Seen = { method: req.method ?? '', path: url.pathname, query: url.searchParams, auth: req.headers.authorization ?? '', body: text ? parseBody(text, req.headers['content-type'] ?? '') : undefined };
    seen.push(s);
    const route = routes[`${s.method} ${s.path}`];
    const reply: Reply = route ? route(s) : { status: 404, json: { type: 'urn:lodestone:problem:not-found', title: 'Not found', status: 404, detail: `No route ${s.path}.` } };
    const status = reply.status ?? 200;
    res.writeHead(status, { 'content-type': reply.text !== undefined ? 'text/plain' : status >= 400 ? 'application/problem+json' : 'application/json', ...reply.headers });
    res.end(reply.text ?? JSON.stringify(reply.json ?? {}));
  };
  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
  return { url, seen, close, port: (server.address() as AddressInfo).port };
}

/** Runs the CLI as a separate process (stdin and stderr are pipes, not terminals). */
export function runCli(args: string[], env: Record<string, string> = {}, cwd = mkdtempSync(join(tmpdir(), 'lodestone-cli-'))) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LODESTONE_')));
    execFile(process.execPath, [CLI, ...args], { env: { ...clean, ...env }, cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
