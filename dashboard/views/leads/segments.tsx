import { useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api';
import { useWords } from '../../i18n';
import { useCan } from '../../session';
import { useLoad } from '../../ui/use-load';
import { fromSegment, slugOf, toSegment, type SegmentFilter } from './params';
import { WORDS } from './words';

interface Segment { id: string; name: string; filter: SegmentFilter }

/** Saved segments: apply one (it sets the filters), save the current filters as one, delete one after a confirmation. */
export function Segments({ params, onApply }: { params: URLSearchParams; onApply: (p: URLSearchParams) => void }) {
  const w = useWords(WORDS);
  const can = useCan();
  const edit = can('leads:write') && can('config:write');
  const [loaded, reload] = useLoad((signal) => api<{ segments: Segment[] }>('/v1/segments', { signal }), []);
  const [chosen, setChosen] = useState('');
  const [name, setName] = useState('');
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const dialog = useRef<HTMLDialogElement>(null);
  const segments = loaded.state === 'ready' ? loaded.data.segments : [];
  const selected = segments.find((s) => s.id === chosen);

  const save = async (e: Event) => {
    e.preventDefault();
    const id = slugOf(name);
    if (!id) return setError(w.nameNeeded);
    setError('');
    try {
      const s = await api<Segment>(`/v1/segments/${encodeURIComponent(id)}`, { method: 'PUT', body: { name: name.trim(), filter: toSegment(params) } });
      setMessage(w.saved(s.name));
      setName('');
      setChosen(s.id);
      reload();
    } catch (err) {
      setError(err instanceof ApiError ? err.problem?.errors?.map((x) => `${x.path}: ${x.message}`).join('; ') || err.message : String(err));
    }
  };
  const remove = async () => {
    if (!selected) return;
    dialog.current?.close();
    try {
      await api(`/v1/segments/${encodeURIComponent(selected.id)}`, { method: 'DELETE' });
      setMessage(w.deleted(selected.name));
      setChosen('');
      reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <section class="card" aria-labelledby="ls-title">
      <h2 id="ls-title">{w.segments}</h2>
      <div class="toolbar">
        <div class="field grow">
          <label for="ls-pick">{w.segment}</label>
          <select id="ls-pick" value={chosen} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
            <option value="">{w.chooseSegment}</option>
            {segments.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </select>
        </div>
        <button type="button" disabled={!selected} onClick={() => {
          if (!selected) return;
          onApply(fromSegment(selected.filter, params.get('sort')));
          setMessage(w.applied(selected.name));
        }}>
          {w.applySegment}
        </button>
        {edit && (
          <button type="button" class="danger" disabled={!selected} onClick={() => dialog.current?.showModal()}>
            {w.deleteSegment}
          </button>
        )}
      </div>
      {edit && (
        <form class="toolbar" onSubmit={save}>
          <div class="field grow">
            <label for="ls-name">{w.segmentName}</label>
            <input id="ls-name" value={name} maxLength={80} onInput={(e) => setName((e.target as HTMLInputElement).value)} aria-describedby={error ? 'ls-error' : undefined} />
          </div>
          <button type="submit" class="secondary">{w.saveSegment}</button>
        </form>
      )}
      {error && <p id="ls-error" class="field-error" role="alert">{error}</p>}
      <p role="status" class={message ? 'notice' : 'sr-only'}>{message}</p>
      <dialog ref={dialog} class="confirm" aria-labelledby="ls-confirm">
        <p id="ls-confirm">{selected ? w.confirmDelete(selected.name) : ''}</p>
        <div class="toolbar">
          <button type="button" class="secondary" onClick={() => dialog.current?.close()}>{w.cancel}</button>
          <button type="button" class="danger" onClick={remove}>{w.del}</button>
        </div>
      </dialog>
    </section>
  );
}
