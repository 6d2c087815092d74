import { fromBase64, toBase64 } from '../../core/crypto';
import type { MagnetFile } from './store';

/**
 * A magnet's file, stored in D1 as base64 chunks. D1 caps a row at 2 MB and
 * hands BLOBs back as arrays of numbers, so base64 text in 1 MiB pieces is
 * both within limits and cheap to decode.
 */

export const CHUNK_BYTES = 1024 * 1024;
/** Whitepapers, e-books, checklists: 10 MiB is plenty; larger files belong in R2. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/**
 * Replaces the file of an existing magnet in one batch: old chunks go, new
 * chunks and the file metadata arrive together, or nothing changes. False
 * when the magnet does not exist (then nothing is written either).
 */
export async function putMagnetFile(
  db: D1Database,
  siteId: string,
  magnetId: string,
  file: Omit<MagnetFile, 'chunks'> & { bytes: Uint8Array },
  now: number,
): Promise<boolean> {
  const chunks: string[] = [];
  for (let i = 0; i < file.bytes.length; i += CHUNK_BYTES) chunks.push(toBase64(file.bytes.subarray(i, i + CHUNK_BYTES)));
  const results = await db.batch([
    db.prepare(`UPDATE magnets SET file_name = ?, file_type = ?, file_size = ?, file_sha256 = ?, file_chunks = ?, updated_at = ?
                WHERE site_id = ? AND id = ?`)
      .bind(file.name, file.type, file.size, file.sha256, chunks.length, now, siteId, magnetId),
    db.prepare('DELETE FROM magnet_file_chunks WHERE site_id = ?1 AND magnet_id = ?2 AND EXISTS (SELECT 1 FROM magnets WHERE site_id = ?1 AND id = ?2)')
      .bind(siteId, magnetId),
    ...chunks.map((data, seq) =>
      db.prepare(`INSERT INTO magnet_file_chunks (site_id, magnet_id, seq, data)
                  SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM magnets WHERE site_id = ?1 AND id = ?2)`)
        .bind(siteId, magnetId, seq, data),
    ),
  ]);
  return results[0]!.meta.changes === 1;
}

/** The file as a stream, one chunk (one D1 read) at a time. */
export function streamMagnetFile(db: D1Database, siteId: string, magnetId: string, chunks: number): ReadableStream<Uint8Array> {
  let seq = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (seq >= chunks) return controller.close();
      const row = await db
        .prepare('SELECT data FROM magnet_file_chunks WHERE site_id = ? AND magnet_id = ? AND seq = ?')
        .bind(siteId, magnetId, seq++)
        .first<{ data: string }>();
      if (!row) return controller.error(new Error(`chunk ${seq - 1} of ${siteId}/${magnetId} is missing`));
      controller.enqueue(fromBase64(row.data));
    },
  });
}
