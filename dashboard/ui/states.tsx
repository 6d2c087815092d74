import type { ComponentChildren } from 'preact';
import { ApiError } from '../api';
import { useWords } from '../i18n';
import type { Loaded } from './use-load';

const WORDS = {
  en: { loading: 'Loading…', failed: 'This could not be loaded', retry: 'Try again', forbidden: 'Your API key may not see this. Ask for a key with the scope it needs.' },
  de: { loading: 'Wird geladen …', failed: 'Das ließ sich nicht laden', retry: 'Erneut versuchen', forbidden: 'Ihr API-Schlüssel darf das nicht sehen. Fragen Sie nach einem Schlüssel mit dem nötigen Recht.' },
};

export function Loading() {
  const w = useWords(WORDS);
  return (
    <p class="state" role="status" aria-live="polite">
      {w.loading}
    </p>
  );
}

/** Says what is missing and what to do next. */
export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state empty">
      <p class="state-title">{title}</p>
      {children}
    </div>
  );
}

export function Failed({ error, retry }: { error: Error; retry?: () => void }) {
  const w = useWords(WORDS);
  const detail = error instanceof ApiError && error.status === 403 ? w.forbidden : error.message;
  return (
    <div class="state error" role="alert">
      <p class="state-title">{w.failed}</p>
      <p>{detail}</p>
      {retry && (
        <button type="button" onClick={retry}>
          {w.retry}
        </button>
      )}
    </div>
  );
}

/** Loading → the children with the data, or the error with a retry. */
export function Show<T>({ loaded, retry, children }: { loaded: Loaded<T>; retry?: () => void; children: (data: T) => ComponentChildren }) {
  if (loaded.state === 'loading') return <Loading />;
  if (loaded.state === 'error') return <Failed error={loaded.error} retry={retry} />;
  return <>{children(loaded.data)}</>;
}
