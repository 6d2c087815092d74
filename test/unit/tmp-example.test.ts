import { it } from 'vitest';
import { buildReview } from '../../edge/core/review/report';
import { DEFAULT_MODEL } from '../../edge/core/scoring';
import { DAY, NOW, PLANTED, plantedLeads } from './core/review/planted';

const PERIOD = { now: NOW, openDays: 180, from: NOW - 800 * DAY, to: NOW };
it('search', () => {
  const model = { ...DEFAULT_MODEL, version: 3 };
  const out: string[] = [];
  for (const base of [-1.6, -1.7, -1.8, -1.9, -2.0, -2.1, -2.2, -2.3, -2.4, -2.5]) {
    for (let seed = 0; seed < 400; seed++) {
      const { rows } = plantedLeads(model as any, 160, seed, { ...PLANTED, base });
      const won = rows.filter((r) => r.salesStatus === 'won').length;
      if (won !== 42) continue;
      const rv = buildReview(model as any, rows, PERIOD);
      const auc = rv.discrimination.auc!.auc;
      if (Math.abs(auc - 0.489) < 0.003) out.push(`base ${base} seed ${seed} auc ${auc.toFixed(4)} b ${rv.calibration.b}`);
    }
  }
  console.log(out.join('\n'));
}, 600000);
