import { Hono, type Context } from 'hono';
import { getLead, ledgerOf, listLeads, magnetId as magnetIdSchema } from '../leads';
import { MAX_FILE_BYTES, putMagnetFile } from './files-store';
import { deleteMagnet, getMagnet, listMagnets, type Magnet } from './store';
import { saveMagnet } from './save-magnet';
import { getSite } from '../sites';
import type { AppEnv } from '../../platform/env';
import { requireAdminToken } from '../../platform/admin-guard';
import { readJson } from '../../http/body';
import { readBytes } from '../../http/bytes';
import { invalid, notFound } from '../../http/problem';
import { siteId as siteIdSchema } from '../../core/schemas/events';
import { FILE_TYPES, fileName, leadsQuery, magnetBody } from './schemas';
import { validate } from '../../http/validate';

const ADMIN_BODY = { maxBytes: 32 * 1024, mediaTypes: ['application/json'] } as const;

async function siteParam(c: Context<AppEnv>): Promise<string> {
  const id = validate(siteIdSchema, c.req.param('site') ?? '', 'site id');
  if (!(await getSite(c.env.DB, id))) throw notFound(`No site with id "${id}".`);
  return id;
}

async function magnetParam(c: Context<AppEnv>, site: string): Promise<Magnet> {
  const id = validate(magnetIdSchema, c.req.param('magnet') ?? '', 'magnet id');
  const magnet = await getMagnet(c.env.DB, site, id);
  if (!magnet) throw notFound(`Site "${site}" has no lead magnet "${id}".`);
  return magnet;
}

async function digest(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * /admin/sites/:site/magnets…, /leads…: lead magnets (config and file) and a
 * read view of leads with their consent ledger. Guarded by ADMIN_TOKEN.
 */
export const adminMagnetRoutes = new Hono<AppEnv>()
  .use('/admin/sites/:site/magnets', requireAdminToken)
  .use('/admin/sites/:site/magnets/*', requireAdminToken)
  .use('/admin/sites/:site/leads', requireAdminToken)
  .use('/admin/sites/:site/leads/*', requireAdminToken)
  .get('/admin/sites/:site/magnets', async (c) => {
    const site = await siteParam(c);
    return c.json({ magnets: await listMagnets(c.env.DB, site) });
  })
  .get('/admin/sites/:site/magnets/:magnet', async (c) => {
    const site = await siteParam(c);
    return c.json({ magnet: await magnetParam(c, site) });
  })
  /** Creates or replaces a magnet's config (201 / 200). Its file is kept. */
  .put('/admin/sites/:site/magnets/:magnet', async (c) => {
    const site = await siteParam(c);
    const id = validate(magnetIdSchema, c.req.param('magnet'), 'magnet id');
    const body = validate(magnetBody, await readJson(c.req.raw, ADMIN_BODY));
    const { magnet, created } = await saveMagnet(c.env.DB, site, id, body, Date.now());
    return c.json({ magnet }, created ? 201 : 200);
  })
  .delete('/admin/sites/:site/magnets/:magnet', async (c) => {
    const site = await siteParam(c);
    const magnet = await magnetParam(c, site);
    await deleteMagnet(c.env.DB, site, magnet.id);
    return c.json({ deleted: magnet.id });
  })
  /**
   * PUT …/magnets/:magnet/file?name=whitepaper.pdf with the raw file as body.
   * The type follows from the name's extension (an allow-list of documents).
   */
  .put('/admin/sites/:site/magnets/:magnet/file', async (c) => {
    const site = await siteParam(c);
    const magnet = await magnetParam(c, site);
    const name = validate(fileName, c.req.query('name') ?? '', 'name query parameter');
    const bytes = await readBytes(c.req.raw, MAX_FILE_BYTES);
    if (!bytes.length) throw invalid('The file is empty.', [{ path: '/', message: 'must not be empty' }]);
    const type = FILE_TYPES[name.split('.').pop()!.toLowerCase()]!;
    const sha256 = await digest(bytes);
    await putMagnetFile(c.env.DB, site, magnet.id, { name, type, size: bytes.length, sha256, bytes }, Date.now());
    return c.json({ magnet: await getMagnet(c.env.DB, site, magnet.id) });
  })
  .get('/admin/sites/:site/leads', async (c) => {
    const site = await siteParam(c);
    const q = validate(leadsQuery, c.req.query(), 'query');
    return c.json({ leads: await listLeads(c.env.DB, site, { status: q.status, email: q.email, limit: q.limit }) });
  })
  /** One lead with its full consent ledger (the evidence, oldest first). */
  .get('/admin/sites/:site/leads/:lead', async (c) => {
    const site = await siteParam(c);
    const lead = await getLead(c.env.DB, site, c.req.param('lead'));
    if (!lead) throw notFound(`Site "${site}" has no lead "${c.req.param('lead')}".`);
    return c.json({ lead, ledger: await ledgerOf(c.env.DB, site, lead.id) });
  });
