import { api, ApiError } from '../../api';
import { useFormat, useWords } from '../../i18n';
import { href } from '../../router';
import { useCan } from '../../session';
import { Bars } from '../../ui/charts';
import { Empty, Show } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import { Erase } from './erase';
import { SalesForm, type LeadSales } from './sales-form';
import { WORDS } from './words';

interface Line { id: string; label?: string; group: 'fit' | 'engagement'; points: number; raw: number; count: number; capped: boolean; lastTs: number | null }
export interface LeadDetailData {
  lead: {
    id: string; email: string; status: string; marketing: boolean; firstName: string | null; company: string | null; role: string | null;
    companySize: string | null; industry: string | null; lang: string; createdAt: number; confirmedAt: number | null; basis: string; origin: string | null;
    sales: LeadSales;
  };
  consents: { seq: number; magnetId: string | null; action: string; purpose: string | null; granted: boolean | null; textVersion: string | null; textHash: string | null; pageUrl: string | null; createdAt: number }[];
  score: null | { score: number | null; fit?: number; engagement?: number; stage?: string; temperature?: string; rescorePending?: boolean; explanation?: { lines: Line[] } };
  likelihood?: { probability: number; factors: string[]; basis: { outcomes: number; won: number } };
  stageHistory: { seq: number; from: string; to: string; at: number; score: number; by: string }[];
  events: { id: string; kind: string; name: string | null; path: string | null; url: string | null; target: string | null; magnet: string | null; at: string }[];
}

export default function LeadDetail({ id }: { id: string }) {
  const w = useWords(WORDS);
  const [loaded, retry] = useLoad((signal) => api<LeadDetailData>(`/v1/leads/${encodeURIComponent(id)}`, { signal }), [id]);
  const missing = loaded.state === 'error' && loaded.error instanceof ApiError && loaded.error.status === 404;
  return (
    <>
      <p class="back"><a href={href('leads')}>← {w.back}</a></p>
      {missing ? (
        <>
          <h1 tabIndex={-1}>{w.notFound}</h1>
          <Empty title={w.notFoundText}>
            <p><a href={href('leads')}>{w.back}</a></p>
          </Empty>
        </>
      ) : (
        <Show loaded={loaded} retry={retry}>
          {(d) => <Lead data={d} reload={retry} />}
        </Show>
      )}
      {loaded.state !== 'ready' && !missing && <h1 tabIndex={-1} class="sr-only">{w.title}</h1>}
    </>
  );
}

function Lead({ data, reload }: { data: LeadDetailData; reload: () => void }) {
  const w = useWords(WORDS);
  const f = useFormat();
  const can = useCan();
  const { lead, score } = data;
  const lines = score?.explanation?.lines ?? [];
  const name = [lead.firstName, lead.company].filter(Boolean).join(' · ');
  const rows: [string, string][] = [
    [w.email, lead.email], [w.firstName, lead.firstName ?? '–'], [w.company, lead.company ?? '–'], [w.role, lead.role ?? '–'],
    [w.size, lead.companySize ?? '–'], [w.industry, lead.industry ?? '–'], [w.consentStatus, w.statuses[lead.status] ?? lead.status],
    [w.marketing, lead.marketing ? w.yes : w.no], [w.basis, w.bases[lead.basis] ?? lead.basis], [w.created, f.dateTime(lead.createdAt)],
    [w.confirmedAt, f.dateTime(lead.confirmedAt)], ...(lead.origin ? [[w.origin, lead.origin] as [string, string]] : []),
  ];
  return (
    <>
      <h1 tabIndex={-1} class="break">{name ? `${name} (${lead.email})` : lead.email}</h1>
      {score && typeof score.score === 'number' && (
        <ul class="kpis">
          <li><span class="kpi-value">{f.number(score.score)}</span>{w.score}</li>
          <li><span class="kpi-value">{f.number(score.fit)}</span>{w.fit}</li>
          <li><span class="kpi-value">{f.number(score.engagement)}</span>{w.engagement}</li>
          <li><span class="kpi-value">{w.stages[score.stage ?? ''] ?? score.stage}</span>{w.stage}</li>
          <li><span class="kpi-value"><span class={`badge ${score.temperature}`}>{w.temps[score.temperature ?? ''] ?? score.temperature}</span></span>{w.temperature}</li>
          {data.likelihood && <li><span class="kpi-value">{f.percent(data.likelihood.probability)}</span>{w.likelihoodTitle}</li>}
        </ul>
      )}
      <div class="grid">
        <section class="card" aria-labelledby="ld-profile">
          <h2 id="ld-profile">{w.profile}</h2>
          <dl class="lead-facts">
            {rows.map(([k, v]) => (
              <div key={k}><dt>{k}</dt><dd>{v}</dd></div>
            ))}
          </dl>
        </section>
        <section class="card" aria-labelledby="ld-score">
          <h2 id="ld-score">{w.whyScore}</h2>
          {score?.rescorePending && <p class="notice">{w.rescorePending}</p>}
          {!lines.length ? (
            <p>{w.noScore}</p>
          ) : (
            <>
              <Bars
                label={w.contributions}
                // Widths by the absolute contribution; the signed number is the bar's text.
                format={() => ''}
                bars={lines.map((l) => ({
                  label: w.line(l.label || l.id, l.count, l.capped, l.group),
                  value: Math.abs(l.points),
                  tone: l.points < 0 ? 'bad' : 'good',
                  note: `${l.points > 0 ? '+' : l.points < 0 ? '−' : ''}${f.number(Math.abs(l.points))} · ${l.group === 'fit' ? w.fit : w.engagement}`,
                }))}
              />
            </>
          )}
          {data.likelihood && (
            <>
              <h3>{w.likelihoodTitle}: {f.percent(data.likelihood.probability)}</h3>
              <ul>{data.likelihood.factors.map((x) => <li key={x}>{x}</li>)}</ul>
              <p class="muted">{w.likelihoodBasis(f.number(data.likelihood.basis.outcomes), f.number(data.likelihood.basis.won))}</p>
            </>
          )}
        </section>
        <section class="card" aria-labelledby="ld-sales">
          <h2 id="ld-sales">{w.salesTitle}</h2>
          <SalesForm leadId={lead.id} sales={lead.sales} editable={can('leads:write') && lead.status !== 'withdrawn'} onSaved={reload} />
        </section>
        <section class="card" aria-labelledby="ld-history">
          <h2 id="ld-history">{w.history}</h2>
          {!data.stageHistory.length ? <p>{w.noHistory}</p> : (
            <ol class="plain">
              {data.stageHistory.map((h) => (
                <li key={h.seq}>
                  <time dateTime={new Date(h.at).toISOString()}>{f.dateTime(h.at)}</time>: {w.stages[h.from] ?? w.sales[h.from] ?? h.from} → <strong>{w.stages[h.to] ?? w.sales[h.to] ?? h.to}</strong>
                  <span class="muted"> · {w.score} {f.number(h.score)}{h.by ? ` · ${w.by} ${h.by}` : ''}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
        <Consents data={data} />
        <Timeline data={data} />
        <section class="card" aria-labelledby="ld-gdpr">
          <h2 id="ld-gdpr">{w.gdpr}</h2>
          <p><a href={`/v1/leads/${encodeURIComponent(lead.id)}/export`} download={`lodestone-export-${lead.id}.json`}>{w.exportLead}</a></p>
          {can('leads:write') && <Erase leadId={lead.id} email={lead.email} />}
        </section>
      </div>
    </>
  );
}

function Consents({ data }: { data: LeadDetailData }) {
  const w = useWords(WORDS);
  const f = useFormat();
  return (
    <section class="card wide" aria-labelledby="ld-consents">
      <h2 id="ld-consents">{w.consents}</h2>
      {!data.consents.length ? <p>{w.noConsents}</p> : (
        <table class="data stack">
          <thead>
            <tr><th scope="col">{w.when}</th><th scope="col">{w.action}</th><th scope="col">{w.purpose}</th><th scope="col">{w.version}</th><th scope="col">{w.page}</th></tr>
          </thead>
          <tbody>
            {data.consents.map((c) => (
              <tr key={c.seq}>
                <td data-label={w.when}>{f.dateTime(c.createdAt)}</td>
                <td data-label={w.action}>{w.actions[c.action] ?? c.action}{c.granted !== null ? ` (${w.granted[String(c.granted)]})` : ''}</td>
                <td data-label={w.purpose}>{c.purpose ? w.purposes[c.purpose] ?? c.purpose : '–'}{c.magnetId ? ` · ${c.magnetId}` : ''}</td>
                <td data-label={w.version}>{c.textVersion ?? '–'}{c.textHash && <span class="muted break hash">{c.textHash.slice(0, 12)}…</span>}</td>
                <td data-label={w.page} class="break">{c.pageUrl ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Timeline({ data }: { data: LeadDetailData }) {
  const w = useWords(WORDS);
  const f = useFormat();
  return (
    <section class="card wide" aria-labelledby="ld-timeline">
      <h2 id="ld-timeline">{w.timeline}</h2>
      {!data.events.length ? <p>{w.noEvents}</p> : (
        <ol class="plain timeline">
          {data.events.map((e) => (
            <li key={e.id}>
              <time dateTime={e.at}>{f.dateTime(e.at)}</time>{' '}
              <strong>{w.kinds[e.kind] ?? e.kind}</strong>
              <span class="break"> {[e.name, e.magnet, e.path ?? e.url, e.target].filter(Boolean).join(' · ')}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
