import { useFormat, useWords } from '../../i18n';
import { href } from '../../router';
import { WORDS } from './words';

interface Side { score: number; stage: string; temperature: string }
export interface Mover { lead: string; before: Side; after: Side; why: string[] }
export interface Preview {
  leads: number;
  stages: { changed: number; changes: { from: string; to: string; leads: number }[] };
  temperatures: { changed: number; changes: { from: string; to: string; leads: number }[] };
  outcomes: { leads: number; won: number; current: { auc: number } | null; draft: { auc: number } | null };
  movers: { up: Mover[]; down: Mover[] };
}

export type PreviewState =
  | { state: 'idle' }
  | { state: 'busy'; last?: Preview }
  | { state: 'ready'; data: Preview }
  | { state: 'invalid' }
  | { state: 'failed'; message: string };

function Movers({ title, list, id }: { title: string; list: Mover[]; id: string }) {
  const w = useWords(WORDS);
  const f = useFormat();
  if (!list.length) return null;
  return (
    <>
      <h3 id={id}>{title}</h3>
      <div class="table-wrap">
        <table class="data stack" aria-labelledby={id}>
          <thead>
            <tr><th scope="col">{w.lead}</th><th scope="col" class="num">{w.score}</th><th scope="col">{w.stage}</th><th scope="col">{w.why}</th></tr>
          </thead>
          <tbody>
            {list.slice(0, 10).map((m) => (
              <tr key={m.lead}>
                <th scope="row"><a href={href('leads', m.lead)}>{m.lead}</a></th>
                <td class="num nowrap" data-label={w.score}>{f.number(m.before.score)} → {f.number(m.after.score)}</td>
                <td class="nowrap" data-label={w.stage}>{m.before.stage === m.after.stage ? (w.stages[m.after.stage] ?? m.after.stage) : `${w.stages[m.before.stage] ?? m.before.stage} → ${w.stages[m.after.stage] ?? m.after.stage}`}</td>
                <td data-label={w.why}>{m.why.join('; ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** What the draft would change: stage changes by pair, the AUC on outcomes, the biggest movers. */
export function PreviewPanel({ preview, dirty }: { preview: PreviewState; dirty: boolean }) {
  const w = useWords(WORDS);
  const f = useFormat();
  const data = preview.state === 'ready' ? preview.data : preview.state === 'busy' ? preview.last : undefined;
  return (
    <section class="card wide" aria-labelledby="sc-preview-h" aria-busy={preview.state === 'busy'}>
      <h2 id="sc-preview-h">{w.preview}</h2>
      <div role="status" aria-live="polite">
        {preview.state === 'busy' && <p class="muted">{w.previewBusy}</p>}
        {preview.state === 'invalid' && <p class="muted">{w.previewInvalid}</p>}
        {preview.state === 'failed' && <p class="field-error">{w.previewFailed} {preview.message}</p>}
        {!dirty && preview.state === 'idle' && <p class="muted">{w.previewIdle}</p>}
        {data && (
          <p class="state-title">
            {data.stages.changed ? w.stageChanges(f.number(data.stages.changed), f.number(data.leads)) : w.noChange(f.number(data.leads))}
            {data.temperatures.changed ? `; ${w.tempChanges(f.number(data.temperatures.changed))}` : ''}
          </p>
        )}
      </div>
      {data && (
        <>
          {data.stages.changes.length > 0 && (
            <div class="table-wrap">
              <table class="data narrow-table">
                <thead><tr><th scope="col">{w.from}</th><th scope="col">{w.to}</th><th scope="col" class="num">{w.leads}</th></tr></thead>
                <tbody>
                  {data.stages.changes.map((c) => (
                    <tr key={`${c.from}>${c.to}`}><td>{w.stages[c.from] ?? c.from}</td><td>{w.stages[c.to] ?? c.to}</td><td class="num">{f.number(c.leads)}</td></tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {data.outcomes.current && data.outcomes.draft && (
            <p>{w.auc(f.number(data.outcomes.current.auc, 2), f.number(data.outcomes.draft.auc, 2), f.number(data.outcomes.leads))}</p>
          )}
          <Movers id="sc-up" title={w.moversUp} list={data.movers.up} />
          <Movers id="sc-down" title={w.moversDown} list={data.movers.down} />
          {!data.movers.up.length && !data.movers.down.length && <p class="muted">{w.noMovers}</p>}
        </>
      )}
    </section>
  );
}
