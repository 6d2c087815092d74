import { useFormat, useWords } from '../../i18n';
import { ENGAGEMENT_LISTS, fitListKey, type Obj } from './model';
import { WORDS } from './words';

/** The model as tables, for a key that may read it but not change it. */
export function ReadOnlyModel({ model }: { model: Obj }) {
  const w = useWords(WORDS);
  const f = useFormat();
  const n = (x: unknown) => (typeof x === 'number' ? f.number(x) : '–');
  const fit = (model.fit as Obj[]) ?? [];
  const engagement = (model.engagement as Obj[]) ?? [];
  const t = (model.thresholds as Obj) ?? {};
  const temp = (model.temperature as Obj) ?? {};
  const fitMatch = (r: Obj) => {
    const field = String(r.field);
    const list = fitListKey(field);
    const what = list ? (r[list] as string[]).join(', ') : field === 'companySize' ? `${r.min ?? '…'}–${r.max ?? '…'}` : field === 'emailType' ? w[r.is as 'business' | 'freemail'] : '';
    return `${w.fields[field] ?? field}: ${what}`;
  };
  const engMatch = (r: Obj) => ENGAGEMENT_LISTS.filter((k) => r[k]).map((k) => `${w[k]}: ${(r[k] as string[]).join(', ')}`).join('; ');
  return (
    <>
      <section class="card wide" aria-labelledby="sc-fit-h">
        <h2 id="sc-fit-h">{w.fit}</h2>
        <div class="table-wrap">
          <table class="data stack">
            <thead><tr><th scope="col">{w.label}</th><th scope="col">{w.field}</th><th scope="col" class="num">{w.points}</th></tr></thead>
            <tbody>
              {fit.map((r) => (
                <tr key={String(r.id)}><th scope="row">{String(r.label ?? r.id)}</th><td data-label={w.field}>{fitMatch(r)}</td><td class="num" data-label={w.points}>{n(r.points)}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card wide" aria-labelledby="sc-eng-h">
        <h2 id="sc-eng-h">{w.engagement}</h2>
        <div class="table-wrap">
          <table class="data stack">
            <thead><tr><th scope="col">{w.label}</th><th scope="col">{w.field}</th><th scope="col" class="num">{w.points}</th><th scope="col" class="num">{w.capPerDay}</th><th scope="col" class="num">{w.capTotal}</th></tr></thead>
            <tbody>
              {engagement.map((r) => (
                <tr key={String(r.id)}><th scope="row">{String(r.label ?? r.id)}</th><td data-label={w.field}>{engMatch(r)}</td><td class="num" data-label={w.points}>{n(r.points)}</td><td class="num" data-label={w.capPerDay}>{n(r.capPerDay)}</td><td class="num" data-label={w.capTotal}>{n(r.capTotal)}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card wide" aria-labelledby="sc-set-h">
        <h2 id="sc-set-h">{w.settings}</h2>
        <dl class="facts">
          {(['mql', 'sql', 'sqlMinFit', 'mqlMinEngagement', 'sqlMinEngagement'] as const).map((k) => (
            <div key={k}><dt>{w[k]}</dt><dd>{n(t[k])}</dd></div>
          ))}
          <div><dt>{w.basis}</dt><dd>{temp.basis === 'score' ? w.basisScore : w.basisEngagement}</dd></div>
          <div><dt>{w.warm}</dt><dd>{n(temp.warm)}</dd></div>
          <div><dt>{w.hot}</dt><dd>{n(temp.hot)}</dd></div>
          <div><dt>{w.halfLife}</dt><dd>{n(model.halfLifeDays)}</dd></div>
        </dl>
      </section>
    </>
  );
}
