import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../api';
import { useFormat, useWords } from '../../i18n';
import { href, replaceParams, type Route } from '../../router';
import { Empty, Failed, Show } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import { Filters } from './filters';
import { apiQuery, filterParams } from './params';
import { Segments } from './segments';
import { WORDS } from './words';

export interface ListedLead {
  id: string; email: string; firstName: string | null; company: string | null; country: string | null; industry: string | null;
  stage: string; score: number; temperature: 'hot' | 'warm' | 'cold'; likelihood?: number; updatedAt: string;
}
interface Page { leads: ListedLead[]; next: string | null }

const PAGE = 50;

export default function LeadList({ route }: { route: Route }) {
  const w = useWords(WORDS);
  const [params, setParams] = useState(() => filterParams(route.params));
  const [erased, setErased] = useState(route.params.get('erased') === '1');
  // Bumped when the filters are replaced as a whole (reset, a segment), so typed fields show the new values.
  const [generation, setGeneration] = useState(0);
  const key = params.toString();
  const [loaded, retry] = useLoad((signal) => api<Page>(`/v1/leads${apiQuery(params, { limit: String(PAGE) })}`, { signal }), [key]);
  const [extra, setExtra] = useState<{ leads: ListedLead[]; next: string | null; busy: boolean; error?: Error }>({ leads: [], next: null, busy: false });
  useEffect(() => setExtra({ leads: [], next: null, busy: false }), [key]);

  const apply = (p: URLSearchParams, whole = false) => {
    setParams(p);
    setErased(false);
    replaceParams(p);
    if (whole) setGeneration((g) => g + 1);
  };
  const change = (k: string, v: string) => {
    const p = new URLSearchParams(params);
    if (v) p.set(k, v);
    else p.delete(k);
    apply(p);
  };
  const more = async (cursor: string) => {
    setExtra((x) => ({ ...x, busy: true, error: undefined }));
    try {
      const page = await api<Page>(`/v1/leads${apiQuery(params, { limit: String(PAGE), cursor })}`);
      setExtra((x) => ({ leads: [...x.leads, ...page.leads], next: page.next, busy: false }));
    } catch (error) {
      setExtra((x) => ({ ...x, busy: false, error: error as Error }));
    }
  };
  const exportHref = (format: string) => `/v1/leads${apiQuery(params, { limit: '1000', format, ...(format === 'csv' ? { dialect: 'excel' } : {}) })}`;
  const sort = params.get('sort') ?? 'score';

  return (
    <>
      <h1 tabIndex={-1}>{w.title}</h1>
      {erased && <p class="notice" role="status">{w.erased}</p>}
      <div class="leads-top">
        <Filters key={generation} params={params} onChange={change} onReset={() => apply(new URLSearchParams(), true)} />
        <Segments params={params} onApply={(p) => apply(p, true)} />
      </div>
      <div class="toolbar list-bar">
        <div class="field">
          <label for="ll-sort">{w.sort}</label>
          <select id="ll-sort" value={sort} onChange={(e) => change('sort', (e.target as HTMLSelectElement).value === 'score' ? '' : (e.target as HTMLSelectElement).value)}>
            {['score', 'updated', 'likelihood'].map((s) => <option key={s} value={s}>{w.sorts[s]}</option>)}
          </select>
        </div>
        <p class="exports">
          <span class="muted">{w.export}:</span>{' '}
          <a href={exportHref('csv')} download="leads.csv">{w.csv}</a>{' · '}
          <a href={exportHref('ndjson')} download="leads.ndjson">{w.ndjson}</a>
        </p>
      </div>
      {loaded.state === 'error' && loaded.error instanceof ApiError && loaded.error.status === 422 ? (
        <Empty title={w.noLikelihood}>
          <button type="button" onClick={() => change('sort', '')}>{w.sorts.score}</button>
        </Empty>
      ) : (
        <Show loaded={loaded} retry={retry}>
          {(first) => {
            const leads = [...first.leads, ...extra.leads];
            const next = extra.leads.length ? extra.next : first.next;
            if (!leads.length) {
              return (
                <Empty title={w.emptyTitle}>
                  <p>{w.emptyText}</p>
                  <button type="button" class="secondary" onClick={() => apply(new URLSearchParams(), true)}>{w.reset}</button>
                </Empty>
              );
            }
            return (
              <>
                <p class="muted" role="status">{w.count(String(leads.length), !!next)}</p>
                <LeadTable leads={leads} />
                {extra.error && <Failed error={extra.error} />}
                {next && (
                  <p>
                    <button type="button" class="secondary" disabled={extra.busy} onClick={() => more(next)}>{extra.busy ? w.loadingMore : w.more}</button>
                  </p>
                )}
              </>
            );
          }}
        </Show>
      )}
    </>
  );
}

function LeadTable({ leads }: { leads: ListedLead[] }) {
  const w = useWords(WORDS);
  const f = useFormat();
  const likely = leads.some((l) => l.likelihood !== undefined);
  return (
    <div class="table-wrap" role="region" aria-label={w.table} tabIndex={0}>
      <table class="data leads">
        <caption class="sr-only">{w.table}</caption>
        <thead>
          <tr>
            <th scope="col">{w.lead}</th>
            <th scope="col">{w.company}</th>
            <th scope="col">{w.stage}</th>
            <th scope="col">{w.temperature}</th>
            <th scope="col" class="num">{w.score}</th>
            {likely && <th scope="col" class="num">{w.likelihood}</th>}
            <th scope="col">{w.updated}</th>
          </tr>
        </thead>
        <tbody>
          {leads.map((l) => (
            <tr key={l.id}>
              <td data-label={w.lead}>
                <a href={href('leads', l.id)}>{l.firstName ? `${l.firstName} · ${l.email}` : l.email}</a>
              </td>
              <td data-label={w.company}>{[l.company, l.country].filter(Boolean).join(', ') || '–'}</td>
              <td data-label={w.stage}>{w.stages[l.stage] ?? l.stage}</td>
              <td data-label={w.temperature}><span class={`badge ${l.temperature}`}>{w.temps[l.temperature]}</span></td>
              <td data-label={w.score} class="num">{f.number(l.score)}</td>
              {likely && <td data-label={w.likelihood} class="num">{f.percent(l.likelihood)}</td>}
              <td data-label={w.updated}>{f.dateTime(l.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
