import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../../protocol';
import { stitchVisitor } from '../../../edge/features/scoring/lead-scoring';
import { call, collect, createSite, eventId, expectProblem } from '../helpers';
import { apiKey, seedLead } from '../scoring-helpers';

const ORIGIN = 'https://www.example.com';
const auth = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

/** A site whose leads have fractional scores (decayed engagement) and non-ASCII text. */
async function site() {
  const id = await createSite();
  const key = await apiKey(id);
  for (let i = 0; i < 3; i++) {
    const lead = await seedLead(id, { email: `m${i}@corp.example`, company: i === 1 ? 'Müller; Söhne' : 'Müller GmbH', companySize: '50-249', country: 'DE' });
    const vid = `vid_${Math.random().toString(36).slice(2, 14)}`;
    await stitchVisitor(env.DB, id, lead, vid);
    // Old events decay: the score stops being a whole number.
    await collect({ site: id, events: Array.from({ length: 2 + i }, (_, k) => ({ id: eventId(), kind: 'pricing_view', ts: Date.now() - (k + 1) * 3_600_000 * 7, url: `${ORIGIN}/preise`, vid })) });
  }
  return key;
}

const NUMERIC = ['score', 'fit', 'engagement'];

describe('GET /v1/leads CSV', () => {
  it('rounds scores to 2 decimals in the default dialect', async () => {
    const key = await site();
    const json = (await (await call('/v1/leads?limit=10', auth(key))).json()) as { leads: { score: number }[] };
    // The data really has more than 2 decimals (JSON keeps full precision).
    expect(json.leads.some((l) => Math.abs(l.score * 100 - Math.round(l.score * 100)) > 1e-6)).toBe(true);
    const text = await (await call('/v1/leads?format=csv&limit=10', auth(key))).text();
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    const [header, ...rows] = text.trimEnd().split('\r\n');
    const cols = header!.split(',');
    expect(rows.length).toBe(3);
    for (const row of rows) {
      const cells = row.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, ''));
      for (const name of NUMERIC) expect(cells[cols.indexOf(name)], name).toMatch(/^-?\d+(\.\d{1,2})?$/);
    }
  });

  it('dialect=excel: BOM, semicolons, decimal comma, CRLF, umlauts intact', async () => {
    const key = await site();
    const res = await call('/v1/leads?format=csv&dialect=excel&limit=10', auth(key));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    expect(text.startsWith('\uFEFFid;email;firstName;company;')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text).toContain(';Müller GmbH;');
    expect(text).toContain(';"Müller; Söhne";');
    const [header, ...rows] = text.slice(1).trimEnd().split('\r\n');
    const cols = header!.split(';');
    const fitRow = rows.find((r) => !r.includes('"'))!.split(';');
    for (const name of NUMERIC) expect(fitRow[cols.indexOf(name)], name).toMatch(/^-?\d+(,\d{1,2})?$/);
  });

  it('rejects an unknown dialect with a problem', async () => {
    const key = await site();
    await expectProblem(await call('/v1/leads?format=csv&dialect=lotus', auth(key)), 400, PROBLEM_TYPES.validation);
  });
});
