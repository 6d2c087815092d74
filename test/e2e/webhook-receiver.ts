import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/**
 * A real HTTP receiver on 127.0.0.1 for the e2e webhook tests: records every
 * request (raw body bytes, headers, arrival time) and answers as scripted
 * per path, so a test can make it fail on purpose.
 */

export interface Arrival {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Date.now() when the whole request had arrived. */
  at: number;
}

export type Answer = { status: number; headers?: Record<string, string>; body?: string };

export class Receiver {
  readonly arrivals: Arrival[] = [];
  private scripts = new Map<string, (n: number, a: Arrival) => Answer>();
  private counts = new Map<string, number>();
  private waiters: (() => void)[] = [];
  private server: Server | null = null;
  port = 0;

  /** How requests to `path` are answered (the n-th request to that path, from 1). Default: 200. */
  on(path: string, script: (n: number, a: Arrival) => Answer): void {
    this.scripts.set(path, script);
    this.counts.set(path, 0);
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const arrival: Arrival = { path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        this.arrivals.push(arrival);
        const n = (this.counts.get(path) ?? 0) + 1;
        this.counts.set(path, n);
        const answer = this.scripts.get(path)?.(n, arrival) ?? { status: 200, body: 'ok' };
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body ?? '');
        for (const w of this.waiters.splice(0)) w();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Waits until an arrival matches, or throws after `timeoutMs`. */
  async waitFor(match: (a: Arrival) => boolean, timeoutMs = 10_000): Promise<Arrival> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.arrivals.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching webhook within ${timeoutMs} ms (${this.arrivals.length} arrived)`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

/**
 * Standard Webhooks verification with node:crypto — independent of the
 * Worker's Web Crypto signer. Also checks the timestamp tolerance (5 min).
 */
export function verifyStandardWebhook(secret: string, headers: IncomingHttpHeaders, body: string, toleranceS = 300): boolean {
  const id = String(headers['webhook-id'] ?? '');
  const timestamp = String(headers['webhook-timestamp'] ?? '');
  const signatures = String(headers['webhook-signature'] ?? '');
  if (!id || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceS) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, sig] = entry.split(',');
    const got = Buffer.from(sig ?? '', 'base64');
    return version === 'v1' && got.length === expected.length && timingSafeEqual(got, expected);
  });
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}
