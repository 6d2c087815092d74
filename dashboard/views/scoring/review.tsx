import { api, ApiError } from '../../api';
import { useFormat, useWords } from '../../i18n';
import { Bars } from '../../ui/charts';
import { Empty, Failed, Loading } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import { WORDS } from './words';

interface Rate { leads: number; won: number; winRate: number | null; ci: [number, number] }
interface Band extends Rate { band: number; scoreFrom: number; scoreTo: number; implied: number }
interface Finding { attribute: string; value: string; group: { count: number; share: number }; compared: { count: number; share: number }; significant: boolean }
export interface Review {
  outcomes: Rate & { notWon: number; open: number };
  bands: Band[];
  discrimination: { auc: { auc: number } | null };
  calibration: { ece?: number };
  highScorers: Rate & { scoreFrom: number; notWonShare: Finding[] };
}
type Computing = { status: 'computing' };

/** A 202 (still computing) or a 422 (too few outcomes) as the words that say what to do next. */
export function NotYet({ error, retry }: { error: unknown; retry: () => void }) {
  const w = useWords(WORDS);
  const f = useFormat();
  if (error === 'computing')
    return (
      <Empty title={w.computing}>
        <button type="button" class="secondary" onClick={retry}>{w.retry}</button>
      </Empty>
    );
  const p = error instanceof ApiError && error.status === 422 ? (error.problem as unknown as { detail?: string; have?: Record<string, number>; needed?: Record<string, number> }) : undefined;
  if (p?.have && p.needed)
    return (
      <Empty title={w.notEnough}>
        <p>{(/newest quarter/.test(p.detail ?? '') ? w.notEnoughHoldout : w.notEnoughHave)(f.number(p.have.outcomes), f.number(p.have.won), f.number(p.have.notWon))}</p>
        <p>{w.notEnoughNeed(f.number(p.needed.outcomes), f.number(p.needed.won), f.number(p.needed.notWon))}</p>
      </Empty>
    );
  return <Failed error={error as Error} retry={retry} />;
}

/** Predicted against observed win rate per band: two lines of points on a 0–100 % scale. */
function Calibration({ bands }: { bands: Band[] }) {
  const w = useWords(WORDS);
  const W = 320;
  const H = 160;
  const x = (i: number) => (bands.length < 2 ? W / 2 : 20 + (i * (W - 40)) / (bands.length - 1));
  const y = (p: number) => H - 10 - p * (H - 20);
  const line = (pick: (b: Band) => number) => bands.map((b, i) => `${x(i)},${y(pick(b))}`).join(' ');
  return (
    <svg class="calibration" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${w.calibration}: ${w.showTable}`}>
      <line class="axis" x1="0" x2={W} y1={y(0)} y2={y(0)} />
      <line class="grid-line" x1="0" x2={W} y1={y(0.5)} y2={y(0.5)} />
      <polyline class="predicted" points={line((b) => b.implied)} />
      <polyline class="observed" points={line((b) => b.winRate ?? 0)} />
      {bands.map((b, i) => <rect key={`o${i}`} class="observed" x={x(i) - 3.5} y={y(b.winRate ?? 0) - 3.5} width="7" height="7" />)}
      {bands.map((b, i) => <circle key={`p${i}`} class="predicted" cx={x(i)} cy={y(b.implied)} r="5" />)}
    </svg>
  );
}

export function ReviewPanel() {
  const w = useWords(WORDS);
  const f = useFormat();
  const [loaded, retry] = useLoad(async (signal) => {
    const r = await api<Review | Computing>('/v1/reports/scoring-review', { signal });
    if ('status' in r) throw 'computing';
    return r;
  }, []);
  let body;
  if (loaded.state === 'loading') body = <Loading />;
  else if (loaded.state === 'error') body = <NotYet error={loaded.error} retry={retry} />;
  else {
    const r = loaded.data;
    const range = (b: Band) => (b.scoreFrom === b.scoreTo ? f.number(b.scoreFrom) : w.band(f.number(b.scoreFrom), f.number(b.scoreTo)));
    body = (
      <>
        <ul class="kpis">
          <li><span class="kpi-value">{f.number(r.outcomes.leads)}</span>{w.outcomes}</li>
          <li><span class="kpi-value">{f.number(r.outcomes.won)}</span>{w.won}</li>
          <li><span class="kpi-value">{f.percent(r.outcomes.winRate)}</span>{w.winRate}</li>
          <li><span class="kpi-value">{f.number(r.discrimination.auc?.auc, 2)}</span>{w.aucLabel}</li>
        </ul>
        <div class="grid">
          <div>
            <h3 id="sc-bands">{w.bands}</h3>
            <Bars label={w.bands} max={1} format={(n) => f.percent(n)} bars={r.bands.map((b) => ({ label: range(b), value: b.winRate ?? 0, note: w.bandNote(f.number(b.won), f.number(b.leads)), tone: 'good' }))} />
          </div>
          <div>
            <h3 id="sc-cal">{w.calibration}</h3>
            <Calibration bands={r.bands} />
            <p class="legend"><span class="key predicted" aria-hidden="true" /> {w.predicted} <span class="key observed" aria-hidden="true" /> {w.observed}</p>
            {r.calibration.ece !== undefined && <p class="muted">{w.calibrationNote(f.number(r.calibration.ece * 100, 1))}</p>}
            <details>
              <summary>{w.showTable}</summary>
              <div class="table-wrap">
                <table class="data">
                  <thead><tr><th scope="col">{w.bandCol}</th><th scope="col" class="num">{w.predicted}</th><th scope="col" class="num">{w.observed}</th><th scope="col" class="num">{w.leads}</th></tr></thead>
                  <tbody>
                    {r.bands.map((b) => (
                      <tr key={b.band}><th scope="row">{range(b)}</th><td class="num">{f.percent(b.implied)}</td><td class="num">{f.percent(b.winRate)}</td><td class="num">{f.number(b.leads)}</td></tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          </div>
        </div>
        <h3 id="sc-high">{w.highNotWon}</h3>
        <p class="muted">{w.highNotWonIntro(f.number(r.highScorers.scoreFrom))}</p>
        {r.highScorers.notWonShare.length ? (
          <div class="table-wrap">
            <table class="data stack" aria-labelledby="sc-high">
              <thead><tr><th scope="col">{w.attribute}</th><th scope="col">{w.value}</th><th scope="col" class="num">{w.notBought}</th><th scope="col" class="num">{w.bought}</th><th scope="col">{w.significant}</th></tr></thead>
              <tbody>
                {r.highScorers.notWonShare.map((x) => (
                  <tr key={`${x.attribute}:${x.value}`}>
                    <th scope="row">{w.attributes[x.attribute] ?? x.attribute}</th><td data-label={w.value}>{x.value}</td>
                    <td class="num" data-label={w.notBought}>{f.percent(x.group.share)}</td><td class="num" data-label={w.bought}>{f.percent(x.compared.share)}</td><td data-label={w.significant}>{x.significant ? w.yes : w.no}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p>{w.noFindings}</p>
        )}
      </>
    );
  }
  return (
    <section class="card wide" aria-labelledby="sc-review-h">
      <h2 id="sc-review-h">{w.review}</h2>
      <p class="muted">{w.reviewIntro}</p>
      {body}
    </section>
  );
}
