import { useState } from 'preact/hooks';
import { api } from '../../api';
import { useFormat, useWords } from '../../i18n';
import { ErrorAt, ErrorSummary, fieldErrors, invalidProps, type FieldErrors } from '../../ui/field-errors';
import { Empty } from '../../ui/states';
import { splitList, WORDS } from './words';

export interface Territory { countries?: string[]; industries?: string[]; sizeMin?: number; sizeMax?: number }
export interface Owner { id: string; name: string; email: string; lang: 'en' | 'de'; active: boolean; fallback: boolean; weight: number; assigned: number; territory: Territory | null }

/** An owner as the form edits it: lists as text, so typing a comma does not jump. */
interface Draft { id: string; isNew: boolean; name: string; email: string; lang: 'en' | 'de'; active: boolean; fallback: boolean; weight: string; countries: string; industries: string; sizeMin?: number; sizeMax?: number }

const toDraft = (o: Owner): Draft => ({
  id: o.id, isNew: false, name: o.name, email: o.email, lang: o.lang, active: o.active, fallback: o.fallback, weight: String(o.weight),
  countries: (o.territory?.countries ?? []).join(', '), industries: (o.territory?.industries ?? []).join(', '), sizeMin: o.territory?.sizeMin, sizeMax: o.territory?.sizeMax,
});

function toBody(d: Draft) {
  const territory: Territory = {};
  if (splitList(d.countries).length) territory.countries = splitList(d.countries);
  if (splitList(d.industries).length) territory.industries = splitList(d.industries);
  if (d.sizeMin !== undefined) territory.sizeMin = d.sizeMin;
  if (d.sizeMax !== undefined) territory.sizeMax = d.sizeMax;
  const weight = Number(d.weight);
  return {
    id: d.id.trim(), name: d.name, email: d.email.trim(), lang: d.lang, active: d.active, fallback: d.fallback,
    weight: d.weight.trim() === '' || !Number.isFinite(weight) ? d.weight : weight, territory: Object.keys(territory).length ? territory : null,
  };
}

export function TerritoryText({ t }: { t: Territory | null }) {
  const w = useWords(WORDS);
  const f = useFormat();
  if (!t || (!t.countries?.length && !t.industries?.length && t.sizeMin === undefined && t.sizeMax === undefined)) return <>{w.everywhere}</>;
  const parts = [
    t.countries?.length ? `${w.countries}: ${t.countries.join(', ')}` : '',
    t.industries?.length ? `${w.industries}: ${t.industries.join(', ')}` : '',
    t.sizeMin !== undefined || t.sizeMax !== undefined ? `${w.size}: ${t.sizeMin !== undefined ? f.number(t.sizeMin) : '0'}–${t.sizeMax !== undefined ? f.number(t.sizeMax) : '∞'}` : '',
  ].filter(Boolean);
  return <>{parts.join(' · ')}</>;
}

/** The team: a table for everyone; with config:write an editor that PUTs the whole document (field errors at their field). */
export function Owners({ owners, canEdit, onSaved }: { owners: Owner[]; canEdit: boolean; onSaved: () => void }) {
  const w = useWords(WORDS);
  const f = useFormat();
  const [editing, setEditing] = useState(false);
  const [message, setMessage] = useState('');
  return (
    <section class="card wide" aria-labelledby="sl-owners">
      <h2 id="sl-owners">{w.owners}</h2>
      <p class="muted">{w.ownersNote}</p>
      {!owners.length && !editing && (
        <Empty title={w.noOwners}>
          <p>{w.noOwnersText}</p>
          <pre class="code"><code>npx lodestone owners set team.json</code></pre>
        </Empty>
      )}
      {owners.length > 0 && !editing && (
        <div class="table-wrap">
          <table class="data stack">
            <thead>
              <tr><th scope="col">{w.name}</th><th scope="col">{w.email}</th><th scope="col">{w.territory}</th><th scope="col" class="num">{w.weight}</th><th scope="col">{w.active}</th><th scope="col">{w.fallback}</th><th scope="col" class="num">{w.assignedCount}</th></tr>
            </thead>
            <tbody>
              {owners.map((o) => (
                <tr key={o.id}>
                  <td data-label={w.name}><span><strong>{o.name}</strong> <span class="muted">({o.id})</span></span></td>
                  <td data-label={w.email} class="break">{o.email}</td>
                  <td data-label={w.territory}><TerritoryText t={o.territory} /></td>
                  <td data-label={w.weight} class="num">{f.number(o.weight)}</td>
                  <td data-label={w.active}>{o.active ? w.yes : w.no}</td>
                  <td data-label={w.fallback}>{o.fallback ? w.yes : w.no}</td>
                  <td data-label={w.assignedCount} class="num">{f.number(o.assigned)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canEdit && !editing && (
        <p class="actions">
          <button type="button" class="secondary" onClick={() => { setMessage(''); setEditing(true); }}>{owners.length ? w.editTeam : w.addOwner}</button>
          <span role="status" class={message ? 'notice' : 'sr-only'}>{message}</span>
        </p>
      )}
      {canEdit && editing && (
        <TeamForm owners={owners} onCancel={() => setEditing(false)} onSaved={() => { setEditing(false); setMessage(w.saved); onSaved(); }} />
      )}
      {!canEdit && <p class="muted">{w.readOnly}</p>}
    </section>
  );
}

const blank = (): Draft => ({ id: '', isNew: true, name: '', email: '', lang: 'en', active: true, fallback: false, weight: '1', countries: '', industries: '' });

function TeamForm({ owners, onCancel, onSaved }: { owners: Owner[]; onCancel: () => void; onSaved: () => void }) {
  const w = useWords(WORDS);
  // Inactive owners stay out of the form unless reactivated there: leaving one out keeps it inactive anyway.
  const [drafts, setDrafts] = useState<Draft[]>(() => (owners.length ? owners.map(toDraft) : [blank()]));
  const [errors, setErrors] = useState<FieldErrors>(new Map());
  const [busy, setBusy] = useState(false);
  const set = (i: number, patch: Partial<Draft>) => setDrafts(drafts.map((d, j) => (i === j ? { ...d, ...patch } : d)));
  const shown = (p: string) => /^\/owners\/\d+\/(id|name|email|lang|weight|active|fallback|territory(\/countries|\/industries)?)$/.test(p) || p === '/owners';
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors(new Map());
    try {
      await api('/v1/owners', { method: 'PUT', body: { owners: drafts.map(toBody) } });
      onSaved();
    } catch (err) {
      setErrors(fieldErrors(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="stack-form team-form" onSubmit={save} noValidate>
      {drafts.map((d, i) => {
        const p = (k: string) => `/owners/${i}/${k}`;
        const ctl = (k: string) => ({ id: `ow-${i}-${k}`, ...invalidProps(errors, 'ow', p(k)) });
        return (
          <fieldset class="rule" key={i}>
            <legend>{w.ownerN(i + 1, d.name)}</legend>
            <div class="rule-fields">
              {d.isNew && (
                <div class="field narrow">
                  <label for={`ow-${i}-id`}>{w.id}</label>
                  <input {...ctl('id')} value={d.id} maxLength={40} autoComplete="off" onInput={(e) => set(i, { id: (e.target as HTMLInputElement).value })} />
                  <ErrorAt errors={errors} prefix="ow" path={p('id')} />
                </div>
              )}
              <div class="field">
                <label for={`ow-${i}-name`}>{w.name}</label>
                <input {...ctl('name')} value={d.name} maxLength={100} onInput={(e) => set(i, { name: (e.target as HTMLInputElement).value })} />
                <ErrorAt errors={errors} prefix="ow" path={p('name')} />
              </div>
              <div class="field wide">
                <label for={`ow-${i}-email`}>{w.email}</label>
                <input {...ctl('email')} type="email" value={d.email} onInput={(e) => set(i, { email: (e.target as HTMLInputElement).value })} />
                <ErrorAt errors={errors} prefix="ow" path={p('email')} />
              </div>
              <div class="field narrow">
                <label for={`ow-${i}-lang`}>{w.lang}</label>
                <select {...ctl('lang')} value={d.lang} onChange={(e) => set(i, { lang: (e.target as HTMLSelectElement).value as 'en' | 'de' })}>
                  <option value="en">{w.langEn}</option>
                  <option value="de">{w.langDe}</option>
                </select>
              </div>
              <div class="field narrow">
                <label for={`ow-${i}-weight`}>{w.weight}</label>
                <input {...ctl('weight')} inputMode="numeric" value={d.weight} onInput={(e) => set(i, { weight: (e.target as HTMLInputElement).value })} />
                <ErrorAt errors={errors} prefix="ow" path={p('weight')} />
              </div>
              <div class="field wide">
                <label for={`ow-${i}-countries`}>{w.countries}</label>
                <input aria-describedby={`ow-${i}-countries-hint`} {...ctl('territory/countries')} value={d.countries} placeholder="DE, AT, CH" onInput={(e) => set(i, { countries: (e.target as HTMLInputElement).value })} />
                <span class="hint muted" id={`ow-${i}-countries-hint`}>{w.countriesHint}</span>
                <ErrorAt errors={errors} prefix="ow" path={p('territory/countries')} />
              </div>
              <div class="field wide">
                <label for={`ow-${i}-industries`}>{w.industries}</label>
                <input aria-describedby={`ow-${i}-industries-hint`} {...ctl('territory/industries')} value={d.industries} onInput={(e) => set(i, { industries: (e.target as HTMLInputElement).value })} />
                <span class="hint muted" id={`ow-${i}-industries-hint`}>{w.industriesHint}</span>
                <ErrorAt errors={errors} prefix="ow" path={p('territory/industries')} />
                <ErrorAt errors={errors} prefix="ow" path={p('territory')} />
              </div>
            </div>
            <div class="actions">
              <label class="check"><input type="checkbox" checked={d.active} onChange={(e) => set(i, { active: (e.target as HTMLInputElement).checked })} /> {w.active}</label>
              <label class="check"><input type="checkbox" checked={d.fallback} onChange={(e) => set(i, { fallback: (e.target as HTMLInputElement).checked })} /> {w.fallback}</label>
              <button type="button" class="secondary" onClick={() => setDrafts(drafts.filter((_, j) => j !== i))}>{w.removeOwner(d.name || d.id || String(i + 1))}</button>
            </div>
          </fieldset>
        );
      })}
      <p class="muted">{w.removeNote}</p>
      <ErrorAt errors={errors} prefix="ow" path="/owners" />
      <ErrorSummary errors={errors} shown={shown} words={w} />
      <div class="actions">
        <button type="button" class="secondary" onClick={() => setDrafts([...drafts, blank()])}>{w.addOwner}</button>
        <button type="submit" disabled={busy}>{busy ? w.saving : w.save}</button>
        <button type="button" class="secondary" onClick={onCancel}>{w.cancel}</button>
      </div>
    </form>
  );
}
