import { useState } from 'preact/hooks';
import { api, ApiError } from '../../api';
import { useFormat, useWords } from '../../i18n';
import { useCan } from '../../session';
import { useLoad } from '../../ui/use-load';
import { NEXT_STATUSES, WORDS } from './words';

export interface LeadSales { status: string | null; reason: string | null; ownerId: string | null; assignedAt: number | null; slaDueAt: number | null; value: number | null; currency: string | null }
interface Owner { id: string; name: string; active: boolean }
interface SalesSettings { settings: { rejectReasons: string[]; lostReasons: string[] } }

/** What a move needs besides the status: a reason to reject or lose, a deal value to win. */
const NEEDS_REASON = new Set(['rejected', 'lost']);
const TAKES_VALUE = new Set(['opportunity', 'won']);

/** Owner and sales status: shown to everyone, editable with leads:write (PATCH /v1/leads/:id); the API's field errors next to their field. */
export function SalesForm({ leadId, sales, editable, onSaved }: { leadId: string; sales: LeadSales; editable: boolean; onSaved: () => void }) {
  const w = useWords(WORDS);
  const f = useFormat();
  const can = useCan();
  const [owners] = useLoad((signal) => (can('config:write') ? api<{ owners: Owner[] }>('/v1/owners', { signal }).catch(() => ({ owners: [] })) : Promise.resolve({ owners: [] as Owner[] })), []);
  const [owner, setOwner] = useState(sales.ownerId ?? '');
  const [status, setStatus] = useState(sales.status ?? '');
  const [reason, setReason] = useState('');
  const [value, setValue] = useState(sales.value === null ? '' : String(sales.value));
  const [currency, setCurrency] = useState(sales.currency ?? 'EUR');
  const [settings] = useLoad((signal) => api<SalesSettings>('/v1/sales/settings', { signal }).catch(() => null), []);
  const reasons = settings.state === 'ready' && settings.data ? (status === 'lost' ? settings.data.settings.lostReasons : settings.data.settings.rejectReasons) : [];
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState('');
  const list = owners.state === 'ready' ? owners.data.owners : [];
  const ownerName = (id: string | null) => (id ? list.find((o) => o.id === id)?.name ?? id : w.noOwner);
  const facts = (
    <dl class="lead-facts">
      <div><dt>{w.owner}</dt><dd>{ownerName(sales.ownerId)}</dd></div>
      <div><dt>{w.salesStatus}</dt><dd>{sales.status ? w.sales[sales.status] ?? sales.status : '–'}</dd></div>
      {sales.reason && <div><dt>{w.reason}</dt><dd>{sales.reason}</dd></div>}
      {sales.assignedAt && <div><dt>{w.assignedAt}</dt><dd>{f.dateTime(sales.assignedAt)}</dd></div>}
      {sales.slaDueAt && <div><dt>{w.slaDue}</dt><dd>{f.dateTime(sales.slaDueAt)}</dd></div>}
      {sales.value !== null && sales.currency && <div><dt>{w.value}</dt><dd>{f.money(sales.value, sales.currency)}</dd></div>}
    </dl>
  );
  if (!editable) return (<>{facts}<p class="muted">{w.readOnly}</p></>);

  const save = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = {};
    if (owner !== (sales.ownerId ?? '')) body.owner = owner || null;
    if (status && status !== sales.status) {
      body.status = status;
      if (NEEDS_REASON.has(status) && reason) body.reason = reason;
      if (TAKES_VALUE.has(status) && value.trim()) {
        // Sent as typed when it is no number, so the API's own message explains it.
        const n = Number(value.replace(',', '.'));
        body.value = Number.isFinite(n) ? n : value;
        body.currency = currency.trim();
      }
    }
    setErrors({});
    if (!Object.keys(body).length) return setMessage(w.unchanged);
    setBusy(true);
    setMessage('');
    try {
      const r = await api<{ result: string }>(`/v1/leads/${encodeURIComponent(leadId)}`, { method: 'PATCH', body });
      setMessage(r.result === 'unchanged' ? w.unchanged : w.savedSales);
      onSaved();
    } catch (err) {
      const problem = err instanceof ApiError ? err.problem : undefined;
      const byField: Record<string, string> = {};
      for (const x of problem?.errors ?? []) byField[x.path.replace(/^\//, '').split('/')[0] || 'form'] = x.message;
      if (!Object.keys(byField).length) byField.form = (err as Error).message;
      setErrors(byField);
    } finally {
      setBusy(false);
    }
  };
  const statuses = [...(sales.status ? [sales.status] : []), ...(NEXT_STATUSES[sales.status ?? 'none'] ?? [])];
  return (
    <>
      {facts}
      <form class="stack-form" onSubmit={save} noValidate>
        <div class="field">
          <label for="sf-owner">{w.owner}</label>
          {list.length ? (
            <select id="sf-owner" value={owner} onChange={(e) => setOwner((e.target as HTMLSelectElement).value)} aria-invalid={!!errors.owner} aria-describedby={errors.owner ? 'sf-owner-error' : undefined}>
              <option value="">{w.noOwner}</option>
              {list.map((o) => <option key={o.id} value={o.id}>{o.name}{o.active ? '' : ' (–)'}</option>)}
              {owner && !list.some((o) => o.id === owner) && <option value={owner}>{owner}</option>}
            </select>
          ) : (
            <input id="sf-owner" value={owner} maxLength={40} placeholder={w.ownerId} onInput={(e) => setOwner((e.target as HTMLInputElement).value.trim())} aria-invalid={!!errors.owner} aria-describedby={errors.owner ? 'sf-owner-error' : undefined} />
          )}
          {errors.owner && <p id="sf-owner-error" class="field-error">{errors.owner}</p>}
        </div>
        <div class="field">
          <label for="sf-status">{w.salesStatus}</label>
          <select id="sf-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)} aria-invalid={!!errors.status} aria-describedby={errors.status ? 'sf-status-error' : undefined}>
            {!sales.status && <option value="">–</option>}
            {statuses.map((s) => <option key={s} value={s}>{w.sales[s] ?? s}</option>)}
          </select>
          {errors.status && <p id="sf-status-error" class="field-error">{errors.status}</p>}
        </div>
        {NEEDS_REASON.has(status) && status !== sales.status && (
          <div class="field">
            <label for="sf-reason">{w.reason}</label>
            <select id="sf-reason" value={reason} onChange={(e) => setReason((e.target as HTMLSelectElement).value)} aria-invalid={!!errors.reason} aria-describedby={errors.reason ? 'sf-reason-error' : undefined}>
              <option value="">–</option>
              {reasons.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
            {errors.reason && <p id="sf-reason-error" class="field-error">{errors.reason}</p>}
          </div>
        )}
        {TAKES_VALUE.has(status) && status !== sales.status && (
          <>
            <div class="field">
              <label for="sf-value">{w.value}</label>
              <input id="sf-value" inputMode="decimal" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} aria-invalid={!!errors.value} aria-describedby={errors.value ? 'sf-value-error' : undefined} />
              {errors.value && <p id="sf-value-error" class="field-error">{errors.value}</p>}
            </div>
            <div class="field">
              <label for="sf-currency">{w.currency}</label>
              <input id="sf-currency" value={currency} maxLength={3} size={4} onInput={(e) => setCurrency((e.target as HTMLInputElement).value)} aria-invalid={!!errors.currency} aria-describedby={errors.currency ? 'sf-currency-error' : undefined} />
              {errors.currency && <p id="sf-currency-error" class="field-error">{errors.currency}</p>}
            </div>
          </>
        )}
        {/* Errors of fields this form has no control for (e.g. the deal value of won) are said here, with the field's name. */}
        {Object.entries(errors).filter(([k]) => !['owner', 'status', 'reason', 'value', 'currency'].includes(k)).map(([k, m]) => (
          <p key={k} class="field-error">{k === 'form' ? m : `${k}: ${m}`}</p>
        ))}
        {Object.keys(errors).length > 0 && <p class="sr-only" role="alert">{Object.entries(errors).map(([k, m]) => `${k}: ${m}`).join(' ')}</p>}
        <button type="submit" disabled={busy}>{busy ? w.saving : w.save}</button>
        <p role="status" class={message ? 'notice' : 'sr-only'}>{message}</p>
      </form>
    </>
  );
}
