import { Refused } from '../../core/errors';
import { parseSequence, type Sequence } from '../../core/nurture/sequence';
import { listMagnets } from '../magnets';
import { lastStageSeq } from './enrollments-store';
import { getSequence, saveSequence, type StoredSequence } from './sequences-store';

/**
 * Saving a sequence: validated against the site's magnets, stored as a new
 * version. A new or changed trigger reads from now on (a stage trigger from
 * the newest stage change), so saving never enrols a backlog of old leads.
 * Leads in the sequence keep their place: their step, if it still exists,
 * runs under the new version (a wait that changed counts anew from when they
 * reached it); a removed step sends its leads out (`sequence_changed`).
 */
export async function putSequence(db: D1Database, siteId: string, id: string, body: unknown, now: number): Promise<{ created: boolean; stored: StoredSequence }> {
  const [magnets, current] = await Promise.all([listMagnets(db, siteId), getSequence(db, siteId, id)]);
  const seq: Sequence = parseSequence(body, { id, magnets: new Set(magnets.map((m) => m.id)) });
  const version = (current?.version ?? 0) + 1;
  const sameTrigger = current !== null && JSON.stringify(current.sequence.trigger) === JSON.stringify(seq.trigger);
  const cursor = sameTrigger ? null : { at: now, key: seq.trigger.on === 'stage' ? String(await lastStageSeq(db, siteId)) : '' };
  const saved = await saveSequence(db, siteId, { ...seq, version }, current?.version ?? null, now, cursor, current ? changedWaits(current.sequence, seq) : []);
  if (!saved) throw new Refused('conflict', `Sequence "${id}" was saved by someone else at the same time; read it again and retry.`);
  return { created: current === null, stored: (await getSequence(db, siteId, id))! };
}

/** The wait steps of `next` whose length or window differs from the step of the same id in `prev`. */
export function changedWaits(prev: Sequence, next: Sequence): string[] {
  const before = new Map(prev.steps.map((s) => [s.id, s] as const));
  const shape = (s: Sequence['steps'][number] | undefined) =>
    s?.type === 'wait' ? JSON.stringify([s.days ?? 0, s.hours ?? 0, s.window ?? null]) : null;
  return next.steps.filter((s) => s.type === 'wait' && before.has(s.id) && shape(before.get(s.id)) !== shape(s)).map((s) => s.id);
}
