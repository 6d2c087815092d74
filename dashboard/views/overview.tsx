import { useMemo, useState } from 'preact/hooks';
import { api, query } from '../api';
import { useFormat, useWords } from '../i18n';
import { href, replaceParams } from '../router';
import { useSession } from '../session';
import { Bars, Columns } from '../ui/charts';
import { Empty, Failed, Loading, Show } from '../ui/states';
import { useLoad, type Loaded } from '../ui/use-load';
import { DAY, filtersOf, funnelPath, periodOf } from './overview/requests';
import type { ViewProps } from '../views';

interface FunnelStep { step: string; count: number; conversion: number | null; lost: number | null; medianMs: number | null }
interface Funnel { from: string; to: string; steps: FunnelStep[]; revenue: Record<string, number>; groups?: { value: string | null; steps: FunnelStep[] }[] }
interface Overview {
  newLeads: { day: string; count: number }[];
  stageChanges: { day: string; stage: string; count: number }[];
  scoreDistribution: { bands: { from: number; to: number; count: number }[]; below: number; above: number };
  temperature: { hot: number; warm: number; cold: number };
  totals: { newLeads: number; stageChanges: number; byStage: Record<string, number> };
}
interface Magnet { id: string; title?: string }

const PERIODS = [7, 30, 90, 365] as const;

const WORDS = {
  en: {
    title: 'Overview',
    period: 'Period', days: (n: number) => `Last ${n} days`, magnet: 'Magnet', source: 'Source', all: 'All',
    funnel: 'Funnel: from visitor to won', funnelNote: 'Visitor steps count the whole site; magnet and source filter the lead steps.',
    lost: (n: string) => `${n} lost`, of: 'of the step before',
    steps: { visitors: 'Visitors', pricing_visitors: 'Pricing visitors', form_viewers: 'Saw a form', leads: 'Leads', confirmed: 'Confirmed', mql: 'MQL', sql: 'SQL', accepted: 'Accepted by sales', opportunity: 'Opportunity', won: 'Won' } as Record<string, string>,
    biggestLoss: (step: string, pct: string) => `Most are lost before “${step}”: ${pct} of the step before do not get there.`,
    newLeads: 'New leads per day', stageChanges: 'Stage changes in the period', score: 'Score of the new leads', temperature: 'Temperature of the new leads',
    hot: 'Hot', warm: 'Warm', cold: 'Cold', table: 'Show the numbers', revenue: 'Revenue won',
    kpiVisitors: 'Visitors', kpiNew: 'New leads', kpiChanges: 'Stage changes', kpiWon: 'Won', below: 'below 0', above: '100 and more', noChanges: 'No lead changed stage in this period.',
    emptyTitle: 'No visits and no leads yet',
    emptyText: 'Paste this tag into every page of your site, before </head>. It sends nothing until the visitor consents.',
    emptyNext: 'Then add a lead magnet (see Magnets) so visitors can become leads.',
    openLeads: 'Open the lead list',
    stages: { pending: 'Opt-in pending', confirmed: 'Confirmed', mql: 'MQL', sql: 'SQL', withdrawn: 'Withdrawn', accepted: 'Accepted', rejected: 'Rejected', recycled: 'Recycled', opportunity: 'Opportunity', won: 'Won', lost: 'Lost' } as Record<string, string>,
  },
  de: {
    title: 'Überblick',
    period: 'Zeitraum', days: (n: number) => `Letzte ${n} Tage`, magnet: 'Lead-Magnet', source: 'Quelle', all: 'Alle',
    funnel: 'Trichter: vom Besucher zum Abschluss', funnelNote: 'Die Besucherstufen zählen die ganze Website; Lead-Magnet und Quelle filtern die Lead-Stufen.',
    lost: (n: string) => `${n} verloren`, of: 'der Stufe davor',
    steps: { visitors: 'Besucher', pricing_visitors: 'Preisseite besucht', form_viewers: 'Formular gesehen', leads: 'Leads', confirmed: 'Bestätigt', mql: 'MQL', sql: 'SQL', accepted: 'Vom Vertrieb angenommen', opportunity: 'Verkaufschance', won: 'Gewonnen' } as Record<string, string>,
    biggestLoss: (step: string, pct: string) => `Die meisten gehen vor „${step}“ verloren: ${pct} der Stufe davor kommen nicht an.`,
    newLeads: 'Neue Leads pro Tag', stageChanges: 'Stufenwechsel im Zeitraum', score: 'Score der neuen Leads', temperature: 'Temperatur der neuen Leads',
    hot: 'Heiß', warm: 'Warm', cold: 'Kalt', table: 'Zahlen anzeigen', revenue: 'Gewonnener Umsatz',
    kpiVisitors: 'Besucher', kpiNew: 'Neue Leads', kpiChanges: 'Stufenwechsel', kpiWon: 'Gewonnen', below: 'unter 0', above: '100 und mehr', noChanges: 'In diesem Zeitraum hat kein Lead die Stufe gewechselt.',
    emptyTitle: 'Noch keine Besuche und keine Leads',
    emptyText: 'Fügen Sie dieses Tag in jede Seite Ihrer Website ein, vor </head>. Es sendet nichts, bevor der Besucher einwilligt.',
    emptyNext: 'Legen Sie danach einen Lead-Magneten an (siehe Lead-Magnete), damit aus Besuchern Leads werden.',
    openLeads: 'Zur Lead-Liste',
    stages: { pending: 'Opt-in ausstehend', confirmed: 'Bestätigt', mql: 'MQL', sql: 'SQL', withdrawn: 'Widerrufen', accepted: 'Angenommen', rejected: 'Abgelehnt', recycled: 'Zurückgestellt', opportunity: 'Verkaufschance', won: 'Gewonnen', lost: 'Verloren' } as Record<string, string>,
  },
};

/** Days from `from` to `to` (UTC), so a chart shows the quiet days as zero. */
function daysBetween(from: number, to: number): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(new Date(from).getUTCFullYear(), new Date(from).getUTCMonth(), new Date(from).getUTCDate()); t <= to; t += DAY) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

export default function OverviewView({ route }: ViewProps) {
  const w = useWords(WORDS);
  const f = useFormat();
  const session = useSession();
  const initial = filtersOf(route.params);
  const [days, setDays] = useState<number>(initial.days);
  const [magnet, setMagnet] = useState(initial.magnet);
  const [source, setSource] = useState(initial.source);
  const set = (k: string, v: string, apply: (v: string) => void) => {
    apply(v);
    const p = new URLSearchParams(route.params);
    if (v) p.set(k, v);
    else p.delete(k);
    replaceParams(p);
  };

  // One period for both reports, so their numbers agree; a retry asks again for now.
  const [tick, setTick] = useState(0);
  const period = useMemo(() => periodOf(days), [days, magnet, source, tick]);
  const filters = { ...period, magnet, source };
  // Each panel draws when its own report arrives; the funnel is asked first (the entry may have sent it already).
  const [funnelLoaded] = useLoad((signal) => api<Funnel>(funnelPath(filters), { signal }), [period]);
  // The database answers one query at a time: the overview's are asked once the funnel has its answer, so the funnel is not
  // queued behind them. A reload keeps the funnel shown meanwhile (useLoad), so later changes ask for both at once.
  const funnelDone = funnelLoaded.state !== 'loading';
  const [overviewLoaded] = useLoad((signal) => api<Overview>(`/v1/reports/overview${query(filters)}`, { signal }), [period], funnelDone);
  const retry = () => setTick((t) => t + 1);
  // The magnets fill a filter list: asked after the reports.
  const [magnets] = useLoad((signal) => api<{ magnets: Magnet[] }>('/v1/magnets', { signal }).catch(() => ({ magnets: [] })), [], overviewLoaded.state !== 'loading');
  // The sources of the period cost a report of their own: asked only when the list is first opened.
  const [sources, setSources] = useState<string[] | null>(null);
  const loadSources = () => {
    if (sources) return;
    setSources([]);
    api<Funnel>(`/v1/reports/funnel${query({ ...periodOf(days), by: 'source', medians: 'false' })}`)
      .then((r) => setSources((r.groups ?? []).map((g) => g.value).filter((v): v is string => !!v && v !== '(other)')))
      .catch(() => setSources(null));
  };

  return (
    <>
      <h1 tabIndex={-1}>{w.title}</h1>
      <form class="toolbar" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="ov-period">{w.period}</label>
          <select id="ov-period" value={String(days)} onChange={(e) => { setSources(null); set('days', (e.target as HTMLSelectElement).value, (v) => setDays(Number(v))); }}>
            {PERIODS.map((n) => (
              <option key={n} value={String(n)}>{w.days(n)}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="ov-magnet">{w.magnet}</label>
          <select id="ov-magnet" value={magnet} onChange={(e) => set('magnet', (e.target as HTMLSelectElement).value, setMagnet)}>
            <option value="">{w.all}</option>
            {magnets.state === 'ready' && magnets.data.magnets.map((m) => <option key={m.id} value={m.id}>{m.title || m.id}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="ov-source">{w.source}</label>
          <select id="ov-source" value={source} onFocus={loadSources} onPointerDown={loadSources} onChange={(e) => set('source', (e.target as HTMLSelectElement).value, setSource)}>
            <option value="">{w.all}</option>
            {[...new Set([...(sources ?? []), ...(source ? [source] : [])])].map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </div>
      </form>
      <Panels funnel={funnelLoaded} overview={overviewLoaded} period={period} retry={retry} siteId={session.site.id} />
    </>
  );
}

/**
 * The KPIs and the cards. The funnel card draws as soon as the funnel has
 * come, the others when the overview has; the KPI row keeps its place with
 * a dash meanwhile, so nothing below it moves. An empty site (no counts,
 * no stage changes) shows how to install the snippet instead.
 */
function Panels({ funnel: fl, overview: ol, period: { from, to }, retry, siteId }: {
  funnel: Loaded<Funnel>; overview: Loaded<Overview>; period: { from: number; to: number }; retry: () => void; siteId: string;
}) {
  const w = useWords(WORDS);
  const f = useFormat();
  if (fl.state === 'error') return <Failed error={fl.error} retry={retry} />;
  if (fl.state === 'loading') return <Loading />;
  const funnel = fl.data;
  const overview = ol.state === 'ready' ? ol.data : null;
  if (!funnel.steps.some((s) => s.count)) {
    if (ol.state === 'loading') return <Loading />;
    if (overview && !overview.totals.stageChanges) return <EmptySite siteId={siteId} />;
  }
  const byStep = new Map(funnel.steps.map((s) => [s.step, s]));
  // The step with the largest share lost: the first question marketing asks.
  const worst = funnel.steps.filter((s) => s.conversion !== null && (byStep.get(funnel.steps[funnel.steps.indexOf(s) - 1]?.step ?? '')?.count ?? 0) > 0)
    .sort((a, b) => (a.conversion ?? 1) - (b.conversion ?? 1))[0];
  const won = byStep.get('won')?.count ?? 0;
  const later = (n: (o: Overview) => number) => (overview ? f.number(n(overview)) : '–');
  return (
    <>
      <ul class="kpis" aria-busy={overview ? undefined : 'true'}>
        <li><span class="kpi-value">{f.number(byStep.get('visitors')?.count ?? 0)}</span>{w.kpiVisitors}</li>
        <li><span class="kpi-value">{later((o) => o.totals.newLeads)}</span>{w.kpiNew}</li>
        <li><span class="kpi-value">{later((o) => o.totals.stageChanges)}</span>{w.kpiChanges}</li>
        <li><span class="kpi-value">{f.number(won)}</span>{w.kpiWon}</li>
        {Object.entries(funnel.revenue).map(([cur, sum]) => (
          <li key={cur}><span class="kpi-value">{f.money(sum, cur)}</span>{w.revenue}</li>
        ))}
      </ul>
      <div class="grid">
        <section class="card wide" aria-labelledby="ov-funnel">
          <h2 id="ov-funnel">{w.funnel}</h2>
          {worst && worst.conversion !== null && worst.conversion < 1 && (
            <p class="notice">{w.biggestLoss(w.steps[worst.step] ?? worst.step, f.percent(1 - worst.conversion))}</p>
          )}
          <Bars
            label={w.funnel}
            format={(n) => f.number(n)}
            bars={funnel.steps.map((s) => ({
              label: w.steps[s.step] ?? s.step,
              value: s.count,
              note: s.conversion === null ? undefined : `${f.percent(s.conversion, 1)} ${w.of} · ${w.lost(f.number(s.lost))}`,
            }))}
          />
          <p class="muted">{w.funnelNote}</p>
        </section>
        <Show loaded={ol} retry={retry}>{(o) => <OverviewCards overview={o} from={from} to={to} />}</Show>
      </div>
    </>
  );
}

function OverviewCards({ overview, from, to }: { overview: Overview; from: number; to: number }) {
  const w = useWords(WORDS);
  const f = useFormat();
  const dayList = daysBetween(from, to);
  const perDay = new Map(overview.newLeads.map((d) => [d.day, d.count]));
  const changesByStage = Object.entries(overview.totals.byStage);
  const changesPerDay = new Map<string, number>();
  for (const c of overview.stageChanges) changesPerDay.set(c.day, (changesPerDay.get(c.day) ?? 0) + c.count);
  const sd = overview.scoreDistribution;
  return (
    <>
      <section class="card" aria-labelledby="ov-new">
        <h2 id="ov-new">{w.newLeads}</h2>
        <Columns label={w.newLeads} tableLabel={w.table} format={(n) => f.number(n)} columns={dayList.map((d) => ({ label: f.day(d), value: perDay.get(d) ?? 0 }))} />
      </section>
      <section class="card" aria-labelledby="ov-changes">
        <h2 id="ov-changes">{w.stageChanges}</h2>
        {changesByStage.length ? (
          <>
            <Columns label={w.stageChanges} tableLabel={w.table} format={(n) => f.number(n)} columns={dayList.map((d) => ({ label: f.day(d), value: changesPerDay.get(d) ?? 0 }))} />
            <Bars label={w.stageChanges} format={(n) => f.number(n)} bars={changesByStage.map(([stage, count]) => ({ label: w.stages[stage] ?? stage, value: count }))} />
          </>
        ) : (
          <p class="muted">{w.noChanges}</p>
        )}
      </section>
      <section class="card" aria-labelledby="ov-score">
        <h2 id="ov-score">{w.score}</h2>
        <Bars
          label={w.score}
          format={(n) => f.number(n)}
          bars={[
            ...(sd.below ? [{ label: w.below, value: sd.below }] : []),
            ...sd.bands.map((b) => ({ label: `${f.number(b.from)}–${f.number(b.to)}`, value: b.count })),
            ...(sd.above ? [{ label: w.above, value: sd.above }] : []),
          ]}
        />
      </section>
      <section class="card" aria-labelledby="ov-temp">
        <h2 id="ov-temp">{w.temperature}</h2>
        <Bars label={w.temperature} format={(n) => f.number(n)} bars={(['hot', 'warm', 'cold'] as const).map((t) => ({ label: w[t], value: overview.temperature[t], tone: t }))} />
        <p><a href={href('leads')}>{w.openLeads}</a></p>
      </section>
    </>
  );
}

function EmptySite({ siteId }: { siteId: string }) {
  const w = useWords(WORDS);
  return (
    <Empty title={w.emptyTitle}>
      <p>{w.emptyText}</p>
      <pre class="code"><code>{`<script defer src="${location.origin}/s.js" data-site="${siteId}"></script>`}</code></pre>
      <p>{w.emptyNext}</p>
    </Empty>
  );
}
