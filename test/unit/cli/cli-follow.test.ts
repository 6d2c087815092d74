import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/lodestone.mjs';
import { fakeApi } from './cli-fake';

const ev = (id: string, at: number) => ({ event_id: id, kind: 'pageview', path: `/${id}`, received_at: at, visitor_id: null });
class Stop extends Error {}

describe('events --follow', () => {
  it('survives a server restart: one notice, resumes from the last event, no duplicate lines', async () => {
    // The store the servers read from; "since" is exclusive, as in the API.
    const store = [ev('e1', 1000), ev('e2', 2000)];
    const routes = {
      'GET /admin/sites/acme/events': (req: { query: URLSearchParams }) => {
        const since = Number(req.query.get('since') ?? 0);
        return { json: { events: store.filter((e) => e.received_at > since).sort((a, b) => b.received_at - a.received_at).slice(0, Number(req.query.get('limit'))) } };
      },
    };
    let server = await fakeApi(routes);
    const port = server.port;
    const lines: string[] = [];
    const notices: string[] = [];
    let ticks = 0;
    const sleep = async () => {
      ticks++;
      if (ticks === 2) store.push(ev('e3', 3000));
      if (ticks === 3) await server.close(); // the dev server restarts…
      if (ticks === 4) store.push(ev('e4', 3000), ev('e5', 4000)); // …events arrive meanwhile (e4 in e3's millisecond)
      if (ticks === 7) server = await fakeApi(routes, port); // …and it is back
      if (ticks === 9) store.push(ev('e6', 5000));
      if (ticks === 11) throw new Stop();
    };
    const run = main(['events', 'acme', '--follow', '--limit', '10'], (l) => lines.push(l), {
      env: { LODESTONE_URL: server.url, LODESTONE_ADMIN_TOKEN: 't' }, err: (l) => notices.push(l), sleep,
    });
    await expect(run).rejects.toBeInstanceOf(Stop);
    await server.close();
    expect(lines.map((l) => l.match(/\/(e\d)/)?.[1])).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^lodestone: Cannot reach http:\/\/127\.0\.0\.1:\d+ .*Retrying/);
  });

  it('still stops on a refusal that is not an outage', async () => {
    const server = await fakeApi({ 'GET /admin/sites/acme/events': () => ({ status: 401, json: { title: 'Unauthorized', status: 401, detail: 'Bad token.' } }) });
    const run = main(['events', 'acme', '--follow'], () => {}, { env: { LODESTONE_URL: server.url, LODESTONE_ADMIN_TOKEN: 't' }, err: () => {}, sleep: async () => {} });
    await expect(run).rejects.toThrow('Unauthorized (401): Bad token.');
    await server.close();
  });
});
