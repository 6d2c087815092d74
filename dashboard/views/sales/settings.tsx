import { useState } from 'preact/hooks';
import { api } from '../../api';
import { useFormat, useWords } from '../../i18n';
import { ErrorAt, ErrorSummary, fieldErrors, invalidProps, type FieldErrors } from '../../ui/field-errors';
import { splitList, WORDS } from './words';

export interface SalesSettings {
  settings: { handoffStage: 'mql' | 'sql'; slaHours: number; rejectReasons: string[]; lostReasons: string[] };
  overrides: Record<string, boolean>;
}

const FIELDS = ['handoffStage', 'slaHours', 'rejectReasons', 'lostReasons'] as const;

/** The hand-off settings: read for everyone, a form with config:write (PUT /v1/sales/settings, field errors at the field). */
export function Settings({ data, canEdit, onSaved }: { data: SalesSettings; canEdit: boolean; onSaved: () => void }) {
  const w = useWords(WORDS);
  const f = useFormat();
  const s = data.settings;
  const [editing, setEditing] = useState(false);
  const [message, setMessage] = useState('');
  const label = { handoffStage: w.handoffStage, slaHours: w.slaHours, rejectReasons: w.rejectReasons, lostReasons: w.lostReasons };
  const value = (k: (typeof FIELDS)[number]) => (k === 'slaHours' ? w.hours(f.number(s.slaHours)) : k === 'handoffStage' ? s.handoffStage.toUpperCase() : s[k].join(', '));
  return (
    <section class="card" aria-labelledby="sl-settings">
      <h2 id="sl-settings">{w.settings}</h2>
      {!editing && (
        <dl class="settings-list">
          {FIELDS.map((k) => (
            <div key={k}>
              <dt>{label[k]}</dt>
              <dd>{value(k)} <span class="muted">({data.overrides[k] ? w.own : w.default})</span></dd>
            </div>
          ))}
        </dl>
      )}
      {canEdit && !editing && (
        <p class="actions">
          <button type="button" class="secondary" onClick={() => { setMessage(''); setEditing(true); }}>{w.editSettings}</button>
          <span role="status" class={message ? 'notice' : 'sr-only'}>{message}</span>
        </p>
      )}
      {canEdit && editing && <SettingsForm data={data} onCancel={() => setEditing(false)} onSaved={() => { setEditing(false); setMessage(w.saved); onSaved(); }} />}
      {!canEdit && <p class="muted">{w.readOnly}</p>}
    </section>
  );
}

function SettingsForm({ data, onCancel, onSaved }: { data: SalesSettings; onCancel: () => void; onSaved: () => void }) {
  const w = useWords(WORDS);
  const s = data.settings;
  const [stage, setStage] = useState(s.handoffStage);
  const [hours, setHours] = useState(String(s.slaHours));
  const [reject, setReject] = useState(s.rejectReasons.join(', '));
  const [lost, setLost] = useState(s.lostReasons.join(', '));
  const [errors, setErrors] = useState<FieldErrors>(new Map());
  const [busy, setBusy] = useState(false);
  // Only what changed is sent: a setting left alone stays a default (or the site's own value).
  const changed = (next: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(next).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify((s as Record<string, unknown>)[k])));
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors(new Map());
    const n = Number(hours);
    try {
      await api('/v1/sales/settings', {
        method: 'PUT',
        body: changed({ handoffStage: stage, slaHours: hours.trim() !== '' && Number.isFinite(n) ? n : hours, rejectReasons: splitList(reject), lostReasons: splitList(lost) }),
      });
      onSaved();
    } catch (err) {
      setErrors(fieldErrors(err));
    } finally {
      setBusy(false);
    }
  };
  const at = (k: string) => errors.has(`/${k}`) || [...errors.keys()].some((p) => p.startsWith(`/${k}/`));
  // A list's error may point at one entry (/rejectReasons/2): shown under the list's field.
  const listError = (k: string) => [...errors].filter(([p]) => p === `/${k}` || p.startsWith(`/${k}/`)).map(([, m]) => m).join(' ');
  const listProps = (k: string) => (at(k) ? { 'aria-invalid': true as const, 'aria-describedby': `st-${k}-error` } : { 'aria-describedby': `st-${k}-hint` });
  return (
    <form class="stack-form" onSubmit={save} noValidate>
      <div class="field">
        <label for="st-stage">{w.handoffStage}</label>
        <select id="st-stage" value={stage} {...invalidProps(errors, 'st', '/handoffStage')} onChange={(e) => setStage((e.target as HTMLSelectElement).value as 'mql' | 'sql')}>
          <option value="sql">SQL</option>
          <option value="mql">MQL</option>
        </select>
        <ErrorAt errors={errors} prefix="st" path="/handoffStage" />
      </div>
      <div class="field">
        <label for="st-hours">{w.slaHours}</label>
        <input id="st-hours" inputMode="numeric" value={hours} {...invalidProps(errors, 'st', '/slaHours')} onInput={(e) => setHours((e.target as HTMLInputElement).value)} />
        <ErrorAt errors={errors} prefix="st" path="/slaHours" />
      </div>
      {(['rejectReasons', 'lostReasons'] as const).map((k) => (
        <div class="field" key={k}>
          <label for={`st-${k}`}>{k === 'rejectReasons' ? w.rejectReasons : w.lostReasons}</label>
          <input id={`st-${k}`} size={40} value={k === 'rejectReasons' ? reject : lost} {...listProps(k)} onInput={(e) => (k === 'rejectReasons' ? setReject : setLost)((e.target as HTMLInputElement).value)} />
          <span class="hint muted" id={`st-${k}-hint`}>{w.reasonsHint}</span>
          {at(k) && <p class="field-error" id={`st-${k}-error`}>{listError(k)}</p>}
        </div>
      ))}
      <ErrorSummary errors={errors} shown={(p) => FIELDS.some((k) => p === `/${k}` || p.startsWith(`/${k}/`))} words={w} />
      <div class="actions">
        <button type="submit" disabled={busy}>{busy ? w.saving : w.save}</button>
        <button type="button" class="secondary" onClick={onCancel}>{w.cancel}</button>
      </div>
    </form>
  );
}
