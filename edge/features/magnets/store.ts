import type { Lang, MagnetField } from '../../../protocol';

/** Data access for lead magnets and their versioned consent texts. */

export interface StoredConsent {
  text: string;
  version: string;
  hash: string;
}

export interface MagnetFile {
  name: string;
  type: string;
  size: number;
  sha256: string;
  chunks: number;
}

/** What the admin API writes (hashes are computed by the caller). */
export interface MagnetInput {
  title: string;
  description: string;
  lang: Lang;
  fields: MagnetField[];
  consent: StoredConsent;
  privacyUrl: string;
  marketing: StoredConsent | null;
  coupled: boolean;
  turnstile: boolean;
}

/** A stored magnet: what was written, plus its identity, its file and its times. */
export interface Magnet extends MagnetInput {
  siteId: string;
  id: string;
  file: MagnetFile | null;
  createdAt: number;
  updatedAt: number;
}

interface MagnetRow {
  site_id: string;
  id: string;
  title: string;
  description: string;
  lang: Lang;
  fields: string;
  consent_version: string;
  consent_hash: string;
  consent_text: string;
  privacy_url: string;
  marketing_version: string | null;
  marketing_hash: string | null;
  marketing_text: string | null;
  coupled: number;
  turnstile: number;
  file_name: string | null;
  file_type: string | null;
  file_size: number | null;
  file_sha256: string | null;
  file_chunks: number | null;
  created_at: number;
  updated_at: number;
}

const SELECT_MAGNET = `
  SELECT m.*, ct.text AS consent_text, mt.text AS marketing_text
  FROM magnets m
  JOIN consent_texts ct ON ct.site_id = m.site_id AND ct.magnet_id = m.id AND ct.purpose = 'download' AND ct.version = m.consent_version
  LEFT JOIN consent_texts mt ON mt.site_id = m.site_id AND mt.magnet_id = m.id AND mt.purpose = 'marketing' AND mt.version = m.marketing_version`;

const toMagnet = (r: MagnetRow): Magnet => ({
  siteId: r.site_id,
  id: r.id,
  title: r.title,
  description: r.description,
  lang: r.lang,
  fields: JSON.parse(r.fields) as MagnetField[],
  consent: { text: r.consent_text, version: r.consent_version, hash: r.consent_hash },
  privacyUrl: r.privacy_url,
  marketing:
    r.marketing_version && r.marketing_text !== null && r.marketing_hash
      ? { text: r.marketing_text, version: r.marketing_version, hash: r.marketing_hash }
      : null,
  coupled: r.coupled === 1,
  turnstile: r.turnstile === 1,
  file:
    r.file_name && r.file_type && r.file_sha256 && r.file_size !== null && r.file_chunks !== null
      ? { name: r.file_name, type: r.file_type, size: r.file_size, sha256: r.file_sha256, chunks: r.file_chunks }
      : null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function getMagnet(db: D1Database, siteId: string, id: string): Promise<Magnet | null> {
  const row = await db.prepare(`${SELECT_MAGNET} WHERE m.site_id = ? AND m.id = ?`).bind(siteId, id).first<MagnetRow>();
  return row ? toMagnet(row) : null;
}

export async function listMagnets(db: D1Database, siteId: string): Promise<Magnet[]> {
  const { results } = await db.prepare(`${SELECT_MAGNET} WHERE m.site_id = ? ORDER BY m.id`).bind(siteId).all<MagnetRow>();
  return results.map(toMagnet);
}

/** A consent text as recorded: one version of the words for one purpose of a magnet, never changed. */
export interface ConsentTextVersion {
  purpose: 'download' | 'marketing';
  version: string;
  hash: string;
  text: string;
  createdAt: number;
}

/** Every consent text version of the site's magnets, by magnet id; per magnet by purpose, newest first. */
export async function consentTextsOf(db: D1Database, siteId: string): Promise<Map<string, ConsentTextVersion[]>> {
  const { results } = await db
    .prepare(`SELECT magnet_id, purpose, version, hash, text, created_at FROM consent_texts WHERE site_id = ?
              ORDER BY magnet_id, purpose, created_at DESC, version DESC`)
    .bind(siteId)
    .all<{ magnet_id: string; purpose: 'download' | 'marketing'; version: string; hash: string; text: string; created_at: number }>();
  const out = new Map<string, ConsentTextVersion[]>();
  for (const r of results) {
    const list = out.get(r.magnet_id) ?? [];
    list.push({ purpose: r.purpose, version: r.version, hash: r.hash, text: r.text, createdAt: r.created_at });
    out.set(r.magnet_id, list);
  }
  return out;
}

/** Whether the site has this magnet or once had it (its consent texts outlive it: they are evidence). */
export async function magnetKnown(db: D1Database, siteId: string, id: string): Promise<boolean> {
  const row = await db
    .prepare(`SELECT EXISTS (SELECT 1 FROM magnets WHERE site_id = ?1 AND id = ?2)
                  OR EXISTS (SELECT 1 FROM consent_texts WHERE site_id = ?1 AND magnet_id = ?2) AS known`)
    .bind(siteId, id)
    .first<{ known: number }>();
  return row?.known === 1;
}

export type UpsertResult = { outcome: 'created' | 'updated' } | { outcome: 'conflict'; purpose: 'download' | 'marketing'; version: string };

/**
 * Creates or replaces a magnet's config; its file is kept. A consent text is
 * stored once per version and never changed: sending a different text under
 * a version already used is a conflict (the ledger would otherwise point at
 * words the visitor never saw). All writes in one batch.
 */
export async function upsertMagnet(db: D1Database, siteId: string, id: string, input: MagnetInput, now: number): Promise<UpsertResult> {
  const texts = [
    { purpose: 'download' as const, c: input.consent },
    ...(input.marketing ? [{ purpose: 'marketing' as const, c: input.marketing }] : []),
  ];
  for (const { purpose, c } of texts) {
    const known = await db
      .prepare('SELECT hash FROM consent_texts WHERE site_id = ? AND magnet_id = ? AND purpose = ? AND version = ?')
      .bind(siteId, id, purpose, c.version)
      .first<{ hash: string }>();
    if (known && known.hash !== c.hash) return { outcome: 'conflict', purpose, version: c.version };
  }
  const existed = await db.prepare('SELECT 1 FROM magnets WHERE site_id = ? AND id = ?').bind(siteId, id).first();
  const storedHash = (purpose: 'download' | 'marketing', versionParam: string) =>
    `(SELECT hash FROM consent_texts WHERE site_id = ?1 AND magnet_id = ?2 AND purpose = '${purpose}' AND version = ${versionParam})`;
  await db.batch([
    ...texts.map(({ purpose, c }) =>
      db.prepare(`INSERT INTO consent_texts (site_id, magnet_id, purpose, version, hash, text, created_at)
                  VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
        .bind(siteId, id, purpose, c.version, c.hash, c.text, now),
    ),
    // Hashes come from consent_texts, so a magnet always names stored words.
    db.prepare(`INSERT INTO magnets (site_id, id, title, description, lang, fields, consent_version, consent_hash, privacy_url,
                                     marketing_version, marketing_hash, coupled, turnstile, created_at, updated_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ${storedHash('download', '?7')}, ?8, ?9, ${storedHash('marketing', '?9')}, ?10, ?11, ?12, ?12)
                ON CONFLICT (site_id, id) DO UPDATE SET
                  title = excluded.title, description = excluded.description, lang = excluded.lang, fields = excluded.fields,
                  consent_version = excluded.consent_version, consent_hash = excluded.consent_hash, privacy_url = excluded.privacy_url,
                  marketing_version = excluded.marketing_version, marketing_hash = excluded.marketing_hash,
                  coupled = excluded.coupled, turnstile = excluded.turnstile, updated_at = excluded.updated_at`)
      .bind(siteId, id, input.title, input.description, input.lang, JSON.stringify(input.fields), input.consent.version,
        input.privacyUrl, input.marketing?.version ?? null, input.coupled ? 1 : 0, input.turnstile ? 1 : 0, now),
  ]);
  return { outcome: existed ? 'updated' : 'created' };
}

/** Deletes a magnet and its file. Leads, ledger and consent texts stay: they are evidence. */
export async function deleteMagnet(db: D1Database, siteId: string, id: string): Promise<boolean> {
  const [, del] = await db.batch([
    db.prepare('DELETE FROM magnet_file_chunks WHERE site_id = ? AND magnet_id = ?').bind(siteId, id),
    db.prepare('DELETE FROM magnets WHERE site_id = ? AND id = ?').bind(siteId, id),
  ]);
  return del!.meta.changes === 1;
}

/** A magnet that cannot deliver as configured, for /admin/health. */
export interface MagnetProblem {
  site: string;
  magnet: string;
  problem: string;
}

/** Every misconfigured magnet (no file, file parts missing, empty title, consent text missing), up to `limit` magnets scanned. */
export async function magnetProblems(db: D1Database, limit = 1000): Promise<MagnetProblem[]> {
  const { results } = await db.prepare(`
    SELECT m.site_id, m.id, trim(m.title) = '' AS no_title, m.file_name IS NULL AS no_file, m.file_chunks,
           (SELECT COUNT(*) FROM magnet_file_chunks c WHERE c.site_id = m.site_id AND c.magnet_id = m.id) AS chunks,
           EXISTS (SELECT 1 FROM consent_texts ct WHERE ct.site_id = m.site_id AND ct.magnet_id = m.id
                   AND ct.purpose = 'download' AND ct.version = m.consent_version) AS has_consent
    FROM magnets m ORDER BY m.site_id, m.id LIMIT ?`).bind(limit)
    .all<{ site_id: string; id: string; no_title: number; no_file: number; file_chunks: number | null; chunks: number; has_consent: number }>();
  const out: MagnetProblem[] = [];
  for (const r of results) {
    const add = (problem: string) => out.push({ site: r.site_id, magnet: r.id, problem });
    if (r.no_file) add('no file uploaded');
    else if (r.chunks !== r.file_chunks) add(`file missing: ${r.chunks} of ${r.file_chunks ?? 0} parts stored`);
    if (r.no_title) add('no title');
    if (!r.has_consent) add('consent text missing');
  }
  return out;
}
