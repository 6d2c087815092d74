import { api } from '../../api';
import { useFormat, useWords } from '../../i18n';
import { Loading } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import type { Obj } from './model';
import { NotYet } from './review';
import { WORDS } from './words';

interface Change { id: string; group: 'fit' | 'engagement'; action: string; before: number | null; after: number | null; why: string }
interface Suggestion {
  verdict: 'change' | 'keep';
  model: Obj;
  holdout: { outcomes: number; current: { auc: number } | null; suggested: { auc: number } | null };
  changes: Change[];
  thresholds: string[];
}

/** The suggested model beside the current one: per rule the points before and after, with the API's reason. */
export function SuggestPanel({ current, onUse }: { current: Obj; onUse?: (model: Obj) => void }) {
  const w = useWords(WORDS);
  const f = useFormat();
  const [loaded, retry] = useLoad(async (signal) => {
    const r = await api<Suggestion | { status: 'computing' }>('/v1/scoring-model/suggest', { method: 'POST', body: {}, signal });
    if ('status' in r) throw 'computing';
    return r;
  }, []);
  const labels = new Map([...((current.fit as Obj[]) ?? []), ...((current.engagement as Obj[]) ?? [])].map((r) => [String(r.id), String(r.label ?? r.id)]));
  let body;
  if (loaded.state === 'loading') body = <Loading />;
  else if (loaded.state === 'error') body = <NotYet error={loaded.error} retry={retry} />;
  else {
    const s = loaded.data;
    const suggestedLabels = new Map([...((s.model.fit as Obj[]) ?? []), ...((s.model.engagement as Obj[]) ?? [])].map((r) => [String(r.id), String(r.label ?? r.id)]));
    const pts = (n: number | null) => (n === null ? '–' : f.number(n));
    body = (
      <>
        <p class="notice">{s.verdict === 'change' ? w.verdictChange : w.verdictKeep}</p>
        {s.holdout.current && s.holdout.suggested && <p>{w.holdout(f.number(s.holdout.current.auc, 2), f.number(s.holdout.suggested.auc, 2), f.number(s.holdout.outcomes))}</p>}
        <div class="table-wrap">
          <table class="data stack">
            <thead>
              <tr><th scope="col">{w.ruleCol}</th><th scope="col" class="num">{w.current}</th><th scope="col" class="num">{w.suggested}</th><th scope="col">{w.action}</th><th scope="col">{w.reason}</th></tr>
            </thead>
            <tbody>
              {s.changes.map((c) => (
                <tr key={c.id}>
                  <th scope="row">{labels.get(c.id) ?? suggestedLabels.get(c.id) ?? c.id}</th>
                  <td class="num" data-label={w.current}>{pts(c.before)}</td>
                  <td class="num" data-label={w.suggested}>{pts(c.after)}</td>
                  <td data-label={w.action}>{w.actions[c.action] ?? c.action}</td>
                  <td class="why" data-label={w.reason}>{c.why}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {s.thresholds.length > 0 && (
          <>
            <p><strong>{w.thresholdsNote}</strong></p>
            <ul>{s.thresholds.map((t) => <li key={t}>{t}</li>)}</ul>
          </>
        )}
        {onUse && (
          <button type="button" onClick={() => onUse(s.model)}>
            {w.useSuggestion}
          </button>
        )}
      </>
    );
  }
  return (
    <section class="card wide" aria-labelledby="sc-suggest-h">
      <h2 id="sc-suggest-h">{w.suggestion}</h2>
      <p class="muted">{w.suggestionIntro}</p>
      {body}
    </section>
  );
}
