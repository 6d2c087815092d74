import { api } from '../../api';
import { useFormat, useLang, useWords } from '../../i18n';
import { Bars } from '../../ui/charts';
import { Show } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import { WEEKDAYS, WORDS } from './words';

export interface SequenceSummary { id: string; name: string; status: string; version: number; trigger: { on: string; magnet?: string; stage?: string; days?: number }; steps: number; createdAt: string; savedAt: string }
interface StepDoc { id: string; type: string; template?: string; days?: number; hours?: number; window?: { days?: string[]; from?: string; to?: string }; then?: string; else?: string }
interface StepStats { id: string; type: string | null; sent: number; clicked: number; pending: number; failed: number; unsubscribed: number; exited: number; waiting: number }
interface Stats { entered: number; leads: number; active: number; completed: number; exited: Record<string, number>; reached: { mql: number; sql: number }; steps: StepStats[] }

/** One sequence: its trigger, its numbers, and per step what it does with sent, clicked and exits. */
export function Sequence({ s, magnetTitle }: { s: SequenceSummary; magnetTitle: (id: string) => string }) {
  const w = useWords(WORDS);
  const f = useFormat();
  const lang = useLang();
  const [loaded, retry] = useLoad(async (signal) => {
    const id = encodeURIComponent(s.id);
    const [stats, doc] = await Promise.all([
      api<Stats>(`/v1/sequences/${id}/stats`, { signal }),
      api<{ sequence: { steps: StepDoc[] } }>(`/v1/sequences/${id}`, { signal }),
    ]);
    return { stats, steps: new Map(doc.sequence.steps.map((x) => [x.id, x])) };
  }, [s.id, s.version]);
  const t = s.trigger;
  const tw = w.triggers;
  const trigger = t.on === 'download' ? tw.download(magnetTitle(t.magnet ?? '')) : t.on === 'stage' ? tw.stage(t.stage ?? '') : t.on === 'inactive' ? tw.inactive(f.number(t.days ?? 0)) : t.on === 'cold' ? tw.cold() : tw.confirmed();
  const what = (d: StepDoc | undefined) => {
    if (!d) return w.formerStep;
    if (d.type === 'send') return w.sendWhat(d.template ?? '');
    if (d.type === 'branch') return w.branchWhat(d.then ?? '', d.else ?? '');
    if (d.type === 'exit') return w.exitWhat;
    const span = [d.days ? w.days(d.days) : '', d.hours ? w.hoursN(d.hours) : ''].filter(Boolean).join(' ') || w.days(0);
    const win = d.window ? w.windowWhat((d.window.days ?? []).map((x) => WEEKDAYS[lang][x] ?? x).join(', '), d.window.from ?? '00:00', d.window.to ?? '24:00') : '';
    return `${w.waitWhat(span)}${win}`;
  };
  const hid = `nu-${s.id}`;
  return (
    <section class="card wide" aria-labelledby={hid}>
      <h2 id={hid}>{s.name} <span class={`badge ${s.status === 'active' ? 'cold' : 'warm'}`}>{w.status[s.status] ?? s.status}</span></h2>
      <p class="muted">{w.version(f.number(s.version))} · {w.saved(f.dateTime(s.savedAt))} · {s.id}</p>
      <p><strong>{w.trigger}</strong> {trigger}.</p>
      <Show loaded={loaded} retry={retry}>
        {({ stats, steps }) => {
          const exits = Object.entries(stats.exited).filter(([, n]) => n > 0);
          const sends = stats.steps.filter((x) => (x.type ?? steps.get(x.id)?.type) === 'send');
          return (
            <>
              <ul class="kpis">
                <li><span class="kpi-value">{f.number(stats.entered)}</span>{w.entered}</li>
                <li><span class="kpi-value">{f.number(stats.active)}</span>{w.active}</li>
                <li><span class="kpi-value">{f.number(stats.completed)}</span>{w.completed}</li>
                <li><span class="kpi-value">{f.number(stats.reached.mql)}</span>{w.reachedMql}</li>
                <li><span class="kpi-value">{f.number(stats.reached.sql)}</span>{w.reachedSql}</li>
              </ul>
              <h3>{w.steps}</h3>
              <div class="table-wrap">
                <table class="data stack">
                  <thead>
                    <tr>
                      <th scope="col">{w.step}</th><th scope="col">{w.what}</th><th scope="col" class="num">{w.sent}</th><th scope="col" class="num">{w.clicked}</th>
                      <th scope="col" class="num">{w.failed}</th><th scope="col" class="num">{w.unsubscribed}</th><th scope="col" class="num">{w.exited}</th><th scope="col" class="num">{w.waiting}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {stats.steps.map((x) => {
                      const type = x.type ?? steps.get(x.id)?.type ?? '';
                      const send = type === 'send';
                      return (
                        <tr key={x.id}>
                          <th scope="row" data-label={w.step}><span class="break">{x.id}</span> <span class="muted">· {w.types[type] ?? type}</span></th>
                          <td data-label={w.what}>{what(steps.get(x.id))}</td>
                          <td data-label={w.sent} class="num">{send ? f.number(x.sent) : '–'}</td>
                          <td data-label={w.clicked} class="num">{send ? `${f.number(x.clicked)}${x.sent ? ` (${f.percent(x.clicked / x.sent)})` : ''}` : '–'}</td>
                          <td data-label={w.failed} class="num">{send ? f.number(x.failed) : '–'}</td>
                          <td data-label={w.unsubscribed} class="num">{send ? f.number(x.unsubscribed) : '–'}</td>
                          <td data-label={w.exited} class="num">{f.number(x.exited)}</td>
                          <td data-label={w.waiting} class="num">{f.number(x.waiting)}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              <p class="muted">{w.noOpens}</p>
              <div class="grid">
                {sends.length > 0 && (
                  <div>
                    <h3>{w.sentChart}</h3>
                    <Bars label={w.sentChart} format={(n) => f.number(n)} bars={sends.flatMap((x) => [
                      { label: `${x.id}: ${w.sent}`, value: x.sent },
                      { label: `${x.id}: ${w.clicked}`, value: x.clicked, tone: 'good' },
                    ])} />
                  </div>
                )}
                <div>
                  <h3>{w.exits}</h3>
                  {exits.length ? (
                    <Bars label={w.exits} format={(n) => f.number(n)} bars={exits.map(([r, n]) => ({ label: w.reasons[r] ?? r, value: n, tone: r === 'handoff' ? 'good' : undefined }))} />
                  ) : <p class="muted">{w.noExits}</p>}
                </div>
              </div>
            </>
          );
        }}
      </Show>
    </section>
  );
}
