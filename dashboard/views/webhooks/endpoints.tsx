import { useRef, useState } from 'preact/hooks';
import { api } from '../../api';
import { useWords } from '../../i18n';
import { ErrorAt, ErrorSummary, fieldErrors, invalidProps, type FieldErrors } from '../../ui/field-errors';
import { Empty } from '../../ui/states';
import { DEFAULT_EVENTS, EVENT_TYPES, WORDS, type Endpoint, type Segment } from './words';

/** The endpoints: a table; with config:write add, edit (the form) and delete (behind a confirmation). */
export function Endpoints({ endpoints, segments, canEdit, onChanged }: { endpoints: Endpoint[]; segments: Segment[]; canEdit: boolean; onChanged: () => void }) {
  const w = useWords(WORDS);
  const [editing, setEditing] = useState<Endpoint | 'new' | null>(null);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [message, setMessage] = useState('');
  const [removing, setRemoving] = useState<Endpoint | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  const segmentName = (id: string | null | undefined) => (id ? segments.find((s) => s.id === id)?.name ?? id : w.allLeads);
  const remove = async () => {
    if (!removing) return;
    try {
      await api(`/v1/webhooks/${encodeURIComponent(removing.id)}`, { method: 'DELETE' });
      setMessage(w.removed);
      onChanged();
    } catch (err) {
      setMessage((err as Error).message);
    }
    dialog.current?.close();
    setRemoving(null);
  };
  return (
    <section class="card wide" aria-labelledby="wh-endpoints">
      <h2 id="wh-endpoints">{w.endpoints}</h2>
      {secret && (
        <div class="notice" role="status">
          <p><strong>{w.secretTitle}</strong></p>
          <p class="break">{secret.url}</p>
          <pre class="code"><code>{secret.secret}</code></pre>
          <p class="muted">{w.secretText}</p>
        </div>
      )}
      {!endpoints.length ? (
        <Empty title={w.noEndpoints}>
          <p>{w.noEndpointsText}</p>
          {canEdit ? <p>{w.noEndpointsNext}</p> : <p>{w.noEndpointsReadOnly}</p>}
          <pre class="code"><code>npx lodestone webhooks add https://crm.example.com/hooks/lodestone --event lead.stage_changed</code></pre>
        </Empty>
      ) : (
        <div class="table-wrap">
          <table class="data stack">
            <thead>
              <tr>
                <th scope="col">{w.url}</th><th scope="col">{w.events}</th><th scope="col">{w.segment}</th><th scope="col">{w.state}</th>
                {canEdit && <th scope="col">{w.actions}</th>}
              </tr>
            </thead>
            <tbody>
              {endpoints.map((e) => (
                <tr key={e.id}>
                  <td data-label={w.url} class="break"><span><strong>{e.url}</strong>{e.description && <><br /><span class="muted">{e.description}</span></>}<br /><span class="muted">{e.id}</span></span></td>
                  <td data-label={w.events}><span>{e.events.map((t) => <span key={t} class="nowrap">{t}<br /></span>)}</span></td>
                  <td data-label={w.segment}>{segmentName(e.segment)}</td>
                  <td data-label={w.state}><span><span class={`badge ${e.enabled ? 'cold' : 'warm'}`}>{e.enabled ? w.on : w.off}</span></span></td>
                  {canEdit && (
                    <td data-label={w.actions}>
                      <span class="actions">
                        <button type="button" class="secondary" aria-label={w.edit(e.url)} onClick={() => { setSecret(null); setMessage(''); setEditing(e); }}>{w.editShort}</button>
                        <button type="button" class="danger" aria-label={w.remove(e.url)} onClick={() => { setRemoving(e); dialog.current?.showModal(); }}>{w.removeShort}</button>
                      </span>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p role="status" class={message ? 'notice' : 'sr-only'}>{message}</p>
      {canEdit && !editing && <p><button type="button" onClick={() => { setSecret(null); setMessage(''); setEditing('new'); }}>{w.add}</button></p>}
      {canEdit && editing && (
        <EndpointForm
          endpoint={editing === 'new' ? null : editing}
          segments={segments}
          onCancel={() => setEditing(null)}
          onSaved={(s) => { setEditing(null); setMessage(w.saved); if (s) setSecret(s); onChanged(); }}
        />
      )}
      {!canEdit && <p class="muted">{w.readOnly}</p>}
      <dialog ref={dialog} class="confirm" aria-labelledby="wh-del-title" aria-describedby="wh-del-text" onClose={() => setRemoving(null)}>
        <h2 id="wh-del-title">{w.confirmTitle}</h2>
        <p id="wh-del-text" class="break">{removing ? w.confirmText(removing.url) : ''}</p>
        <div class="actions">
          <button type="button" class="danger" onClick={remove}>{w.confirmDelete}</button>
          <button type="button" class="secondary" onClick={() => dialog.current?.close()}>{w.cancel}</button>
        </div>
      </dialog>
    </section>
  );
}

function EndpointForm({ endpoint, segments, onCancel, onSaved }: { endpoint: Endpoint | null; segments: Segment[]; onCancel: () => void; onSaved: (secret: { url: string; secret: string } | null) => void }) {
  const w = useWords(WORDS);
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [description, setDescription] = useState(endpoint?.description ?? '');
  const [events, setEvents] = useState<string[]>(endpoint?.events ?? DEFAULT_EVENTS);
  const [segment, setSegment] = useState(endpoint?.segment ?? '');
  const [enabled, setEnabled] = useState(endpoint?.enabled ?? true);
  const [errors, setErrors] = useState<FieldErrors>(new Map());
  const [busy, setBusy] = useState(false);
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors(new Map());
    try {
      if (endpoint) {
        await api(`/v1/webhooks/${encodeURIComponent(endpoint.id)}`, { method: 'PATCH', body: { url, description: description || null, events, enabled, segment: segment || null } });
        onSaved(null);
      } else {
        const r = await api<{ endpoint: Endpoint; secret: string }>('/v1/webhooks', { method: 'POST', body: { url, ...(description ? { description } : {}), events, enabled, ...(segment ? { segment } : {}) } });
        onSaved({ url: r.endpoint.url, secret: r.secret });
      }
    } catch (err) {
      setErrors(fieldErrors(err));
    } finally {
      setBusy(false);
    }
  };
  const eventsError = [...errors].filter(([p]) => p === '/events' || p.startsWith('/events/')).map(([, m]) => m).join(' ');
  return (
    <form class="stack-form" onSubmit={save} noValidate aria-labelledby="wh-form-title">
      <h3 id="wh-form-title">{endpoint ? w.editEndpoint : w.newEndpoint}</h3>
      <div class="field">
        <label for="wh-url">{w.url}</label>
        <input id="wh-url" type="url" size={50} value={url} aria-describedby="wh-url-hint" {...invalidProps(errors, 'wh', '/url')} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
        <span id="wh-url-hint" class="hint muted">{w.urlHint}</span>
        <ErrorAt errors={errors} prefix="wh" path="/url" />
      </div>
      <div class="field">
        <label for="wh-description">{w.description}</label>
        <input id="wh-description" size={50} maxLength={200} value={description} aria-describedby="wh-description-hint" {...invalidProps(errors, 'wh', '/description')} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />
        <span id="wh-description-hint" class="hint muted">{w.descriptionHint}</span>
        <ErrorAt errors={errors} prefix="wh" path="/description" />
      </div>
      <fieldset class="stages" aria-describedby={eventsError ? 'wh-events-error' : undefined}>
        <legend>{w.eventsLegend}</legend>
        {EVENT_TYPES.map((t) => (
          <label class="check" key={t}>
            <input type="checkbox" checked={events.includes(t)} onChange={(e) => setEvents((e.target as HTMLInputElement).checked ? [...events, t] : events.filter((x) => x !== t))} />
            {w.eventNames[t]} <span class="muted">({t})</span>
          </label>
        ))}
      </fieldset>
      {eventsError && <p class="field-error" id="wh-events-error">{eventsError}</p>}
      <div class="field">
        <label for="wh-segment">{w.segment}</label>
        <select id="wh-segment" value={segment} aria-describedby="wh-segment-hint" {...invalidProps(errors, 'wh', '/segment')} onChange={(e) => setSegment((e.target as HTMLSelectElement).value)}>
          <option value="">{w.allLeads}</option>
          {segments.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          {segment && !segments.some((s) => s.id === segment) && <option value={segment}>{segment}</option>}
        </select>
        <span id="wh-segment-hint" class="hint muted">{w.segmentHint}</span>
        <ErrorAt errors={errors} prefix="wh" path="/segment" />
      </div>
      <label class="check"><input type="checkbox" checked={enabled} onChange={(e) => setEnabled((e.target as HTMLInputElement).checked)} /> {w.enabledLabel}</label>
      <ErrorSummary errors={errors} shown={(p) => ['/url', '/description', '/segment', '/events'].includes(p) || p.startsWith('/events/')} words={w} />
      <div class="actions">
        <button type="submit" disabled={busy}>{busy ? w.saving : w.save}</button>
        <button type="button" class="secondary" onClick={onCancel}>{w.cancel}</button>
      </div>
    </form>
  );
}
