// @ts-check
/**
 * npm run bench:snippet — how long a consenting visitor's first page view
 * waits: the time from navigation start to the moment the snippet hands
 * the first POST /v1/collect to the browser, in headless Chromium.
 *
 * The bundles in dist/public/ (or BENCH_DIST) are served from a local HTTP
 * server on the loopback address with a simulated round trip
 * (BENCH_LATENCY ms, default 100, through Chromium's network emulation), to
 * a page whose consent is known at load (`data-consent="analytics"`), with
 * and without a preload hint for t.js. Each run is a new browser context
 * (cold cache); BENCH_RUNS runs per case (default 15). Prints min, median
 * and p90 per case, and the median difference.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from '../scripts/stack.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const LATENCY = Number(process.env.BENCH_LATENCY ?? 100);
const DIST = resolve(ROOT, process.env.BENCH_DIST ?? join('dist', 'public'));

const js = { s: readFileSync(join(DIST, 's.js')), t: readFileSync(join(DIST, 't.js')) };
const TAG = '<script defer src="/s.js" data-site="demo" data-consent="analytics"></script>';
const PRELOAD = '<link rel="preload" href="/t.js" as="script">';
/** A plain article page: enough markup that parsing is not free. */
const body = '<main>' + '<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>'.repeat(200) + '</main>';
const CASES = {
  'tag only': `${TAG}`,
  'tag + preload hint': `${PRELOAD}${TAG}`,
};

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path == '/v1/collect') {
    req.resume();
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1,"duplicates":0}');
  } else if (path == '/s.js' || path == '/t.js') {
    res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' }).end(js[path == '/s.js' ? 's' : 't']);
  } else if (path.startsWith('/page/')) {
    const head = CASES[/** @type {keyof typeof CASES} */ (decodeURIComponent(path.slice(6)))] ?? '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`);
  } else res.writeHead(404).end();
});
await new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(undefined)));
const address = server.address();
const origin = `http://127.0.0.1:${typeof address == 'object' && address ? address.port : 0}`;

// Debian's Chromium, with the flags of the browser tests; never a downloaded browser.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  headless: true,
});
/** @param {string} name @returns {Promise<number>} ms from navigation start to the first collect request */
async function once(name) {
  const ctx = await browser.newContext();
  try {
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: LATENCY, downloadThroughput: -1, uploadThroughput: -1 });
    await page.goto(`${origin}/page/${encodeURIComponent(name)}`);
    const handle = await page.waitForFunction(
      () => performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname == '/v1/collect')?.startTime,
      undefined,
      { timeout: 15_000 },
    );
    return Number(await handle.jsonValue());
  } finally {
    await ctx.close();
  }
}

/** @param {number[]} xs @param {number} q */
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
const ms = (/** @type {number} */ x) => `${x.toFixed(0).padStart(5)} ms`;

console.log(`navigation → first page view sent (headless Chromium, ${LATENCY} ms simulated round trip, ${RUNS} cold runs each)`);
console.log(`bundles: ${DIST} (s.js ${js.s.length} B, t.js ${js.t.length} B raw)\n`);
/** @type {Record<string, number>} */
const medians = {};
try {
  await once('tag only'); // warm-up: the browser's own start-up
  for (const name of Object.keys(CASES)) {
    const times = [];
    for (let i = 0; i < RUNS; i++) times.push(await once(name));
    medians[name] = quantile(times, 0.5);
    console.log(`${name.padEnd(20)} min ${ms(Math.min(...times))}   median ${ms(quantile(times, 0.5))}   p90 ${ms(quantile(times, 0.9))}`);
  }
  const saved = (medians['tag only'] ?? 0) - (medians['tag + preload hint'] ?? 0);
  console.log(`\npreload hint saves ${saved.toFixed(0)} ms at the median (one round trip is ${LATENCY} ms)`);
} finally {
  await browser.close();
  server.close();
}
