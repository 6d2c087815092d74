import { useRef, useState } from 'preact/hooks';
import { api } from '../../api';
import { useWords } from '../../i18n';
import { WORDS } from './words';

/** Erasure behind a confirmation: a dialog where the person types the lead's address; afterwards back to the list with a notice. */
export function Erase({ leadId, email }: { leadId: string; email: string }) {
  const w = useWords(WORDS);
  const dialog = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const matches = typed.trim().toLowerCase() === email.toLowerCase();
  const erase = async (e: Event) => {
    e.preventDefault();
    if (!matches) return setError(w.eraseMismatch);
    setBusy(true);
    try {
      await api(`/v1/leads/${encodeURIComponent(leadId)}`, { method: 'DELETE' });
      dialog.current?.close();
      location.hash = '#/leads?erased=1';
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class="danger" onClick={() => { setTyped(''); setError(''); dialog.current?.showModal(); }}>{w.eraseLead}</button>
      <dialog ref={dialog} class="confirm" aria-labelledby="er-title" aria-describedby="er-text">
        <form onSubmit={erase} noValidate>
          <h2 id="er-title">{w.eraseTitle}</h2>
          <p id="er-text">{w.eraseText}</p>
          <div class="field">
            <label for="er-email">{w.eraseType(email)}</label>
            <input id="er-email" type="email" autoComplete="off" value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
              aria-invalid={!!error} aria-describedby={error ? 'er-error' : undefined} />
            {error && <p id="er-error" class="field-error" role="alert">{error}</p>}
          </div>
          <div class="toolbar">
            <button type="button" class="secondary" onClick={() => dialog.current?.close()}>{w.cancel}</button>
            <button type="submit" class="danger" disabled={busy}>{busy ? w.erasing : w.eraseConfirm}</button>
          </div>
        </form>
      </dialog>
    </>
  );
}
