import { useState } from 'preact/hooks';
import { api, query } from '../../api';
import { useFormat, useWords } from '../../i18n';
import { href, replaceParams, type Route } from '../../router';
import { Empty, Show } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import { WORDS, type Delivery, type Endpoint } from './words';

const STATUSES = ['pending', 'delivered', 'dead', 'cancelled'] as const;
const TONE: Record<string, string> = { delivered: 'cold', pending: 'warm', dead: 'hot', cancelled: '' };

function DeliveryRows({ list, endpoints, replay }: { list: Delivery[]; endpoints: Endpoint[]; replay?: (d: Delivery) => void }) {
  const w = useWords(WORDS);
  const f = useFormat();
  const url = (id: string) => endpoints.find((e) => e.id === id)?.url ?? id;
  return (
    <div class="table-wrap">
      <table class="data stack">
        <thead>
          <tr>
            <th scope="col">{w.created}</th><th scope="col">{w.type}</th><th scope="col">{w.lead}</th><th scope="col">{w.endpoint}</th>
            <th scope="col">{w.status}</th><th scope="col" class="num">{w.attempts}</th><th scope="col">{w.last}</th>
            {replay && <th scope="col">{w.actions}</th>}
          </tr>
        </thead>
        <tbody>
          {list.map((d) => (
            <tr key={d.id}>
              <td data-label={w.created}><span>{f.dateTime(d.createdAt)}<br /><span class="muted break">{d.id}</span></span></td>
              <td data-label={w.type}><span>{d.type}{d.change?.from && d.change?.to && <><br /><span class="muted">{d.change.from} → {d.change.to}</span></>}</span></td>
              <td data-label={w.lead}><a class="break" href={href('leads', d.leadId)}>{d.leadId}</a></td>
              <td data-label={w.endpoint} class="break">{url(d.endpointId)}</td>
              <td data-label={w.status}>
                <span>
                  <span class={`badge ${TONE[d.status] ?? ''}`}>{w.statuses[d.status] ?? d.status}</span>
                  {d.status === 'pending' && d.nextAttemptAt && <><br /><span class="muted">{w.nextAttempt(f.dateTime(d.nextAttemptAt))}</span></>}
                </span>
              </td>
              <td data-label={w.attempts} class="num">{f.number(d.attempts)}</td>
              <td data-label={w.last} class="break">{d.lastError ?? (d.lastStatus === null ? '–' : `HTTP ${d.lastStatus}`)}</td>
              {replay && <td data-label={w.actions}><span><button type="button" class="secondary" aria-label={w.replayOf(d.id)} onClick={() => replay(d)}>{w.replay}</button></span></td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The dead letters with Replay (config:write), and what the replay did: delivered, failed again, or still waiting. */
export function DeadLetters({ endpoints, canReplay, onReplayed, tick }: { endpoints: Endpoint[]; canReplay: boolean; onReplayed: () => void; tick: number }) {
  const w = useWords(WORDS);
  const [result, setResult] = useState<{ text: string; ok: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const [loaded, retry] = useLoad((signal) => api<{ deliveries: Delivery[] }>('/v1/webhooks/deliveries?status=dead&limit=50', { signal }), [tick]);
  const replay = async (d: Delivery) => {
    if (busy) return;
    setBusy(true);
    setResult({ text: w.replayQueued(d.id), ok: true });
    try {
      await api(`/v1/webhooks/deliveries/${encodeURIComponent(d.id)}/replay`, { method: 'POST' });
      // The attempt starts right after the answer: look a few times for its outcome.
      let now: Delivery | null = null;
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 500));
        now = (await api<{ delivery: Delivery }>(`/v1/webhooks/deliveries/${encodeURIComponent(d.id)}`)).delivery;
        if (now.attempts > d.attempts && now.status !== 'pending') break;
        if (now.attempts > d.attempts && now.status === 'pending') break;
      }
      if (now?.status === 'delivered') setResult({ text: w.replayDelivered(d.id, String(now.lastStatus ?? '')), ok: true });
      else if (now && now.attempts > d.attempts) setResult({ text: w.replayFailed(d.id, `${w.statuses[now.status] ?? now.status}, ${now.lastStatus ?? ''} ${now.lastError ?? ''}`.trim()), ok: false });
      else setResult({ text: w.replayPending(d.id), ok: true });
    } catch (err) {
      setResult({ text: (err as Error).message, ok: false });
    } finally {
      setBusy(false);
      retry();
      onReplayed();
    }
  };
  return (
    <section class="card wide" aria-labelledby="wh-dead">
      <h2 id="wh-dead">{w.dead}</h2>
      <p class="muted">{w.deadNote}</p>
      <div role="status" aria-live="polite">{result && <p class={result.ok ? 'notice' : 'field-error'}>{result.text}</p>}</div>
      <Show loaded={loaded} retry={retry}>
        {({ deliveries }) => (deliveries.length
          ? <DeliveryRows list={deliveries} endpoints={endpoints} replay={canReplay ? replay : undefined} />
          : <p class="muted">{w.noDead}</p>)}
      </Show>
    </section>
  );
}

/** Recent deliveries, newest first, with a status filter kept in the URL; "older" pages on with the cursor. */
export function Deliveries({ route, endpoints, tick }: { route: Route; endpoints: Endpoint[]; tick: number }) {
  const w = useWords(WORDS);
  const [status, setStatus] = useState(route.params.get('status') ?? '');
  const [cursor, setCursor] = useState<string | null>(null);
  const [loaded, retry] = useLoad(async (signal) => {
    const r = await api<{ deliveries: Delivery[]; next: string | null }>(`/v1/webhooks/deliveries${query({ status, limit: 25, cursor })}`, { signal });
    return r;
  }, [status, cursor, tick]);
  const pick = (v: string) => {
    setStatus(v);
    setCursor(null);
    const p = new URLSearchParams(route.params);
    if (v) p.set('status', v);
    else p.delete('status');
    replaceParams(p);
  };
  return (
    <section class="card wide" aria-labelledby="wh-deliveries">
      <h2 id="wh-deliveries">{w.deliveries}</h2>
      <form class="toolbar" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="wh-status">{w.status}</label>
          <select id="wh-status" value={status} onChange={(e) => pick((e.target as HTMLSelectElement).value)}>
            <option value="">{w.all}</option>
            {STATUSES.map((s) => <option key={s} value={s}>{w.statuses[s]}</option>)}
          </select>
        </div>
        <button type="button" class="secondary" onClick={() => (cursor ? setCursor(null) : retry())}>{w.reload}</button>
      </form>
      <Show loaded={loaded} retry={retry}>
        {({ deliveries, next }) => (
          <>
            {deliveries.length ? <DeliveryRows list={deliveries} endpoints={endpoints} /> : status ? <p class="muted">{w.noDeliveriesFiltered}</p> : (
              <Empty title={w.noDeliveries}><p>{w.noDeliveriesText}</p></Empty>
            )}
            {next && <p><button type="button" class="secondary" onClick={() => setCursor(next)}>{w.older}</button></p>}
          </>
        )}
      </Show>
    </section>
  );
}
