import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, signIn, type SessionInfo } from './api';
import { useWords, type Lang } from './i18n';
import { LangSwitch } from './shell';

const WORDS = {
  en: {
    title: 'Sign in to Lodestone',
    expiredTitle: 'Your session has ended',
    expired: 'Sign in again to go on. What you typed on the page stays as it is.',
    intro: 'Use a marketing API key of your site (it starts with lsk_). Its scopes decide what you can see and change. The key is exchanged for a session and not kept in this browser.',
    key: 'API key',
    submit: 'Sign in',
    busy: 'Signing in…',
    wrong: 'This key is unknown or has been revoked.',
    empty: 'Enter your API key.',
  },
  de: {
    title: 'Bei Lodestone anmelden',
    expiredTitle: 'Ihre Sitzung ist abgelaufen',
    expired: 'Melden Sie sich erneut an, um weiterzuarbeiten. Was Sie auf der Seite eingegeben haben, bleibt erhalten.',
    intro: 'Verwenden Sie einen Marketing-API-Schlüssel Ihrer Website (er beginnt mit lsk_). Seine Rechte bestimmen, was Sie sehen und ändern können. Der Schlüssel wird gegen eine Sitzung getauscht und nicht in diesem Browser gespeichert.',
    key: 'API-Schlüssel',
    submit: 'Anmelden',
    busy: 'Anmeldung läuft …',
    wrong: 'Dieser Schlüssel ist unbekannt oder wurde widerrufen.',
    empty: 'Geben Sie Ihren API-Schlüssel ein.',
  },
};

/** The sign-in page, or (expired) the same form as a dialog over the open view. */
export function SignIn({ onSignedIn, expired, lang, onLang }: { onSignedIn: (s: SessionInfo) => void; expired?: boolean; lang: Lang; onLang: (l: Lang) => void }) {
  const w = useWords(WORDS);
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!key.trim()) {
      setError(w.empty);
      input.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const session = await signIn(key.trim());
      setKey('');
      onSignedIn(session);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? w.wrong : (err as Error).message);
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  const form = (
    <form class="sign-in" onSubmit={submit} noValidate>
      <h1 id="sign-in-title" tabIndex={-1}>{expired ? w.expiredTitle : w.title}</h1>
      <p>{expired ? w.expired : w.intro}</p>
      <label for="api-key">{w.key}</label>
      <input
        id="api-key"
        ref={input}
        type="password"
        autoComplete="off"
        spellcheck={false}
        value={key}
        onInput={(e) => setKey((e.target as HTMLInputElement).value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'sign-in-error' : undefined}
      />
      {error && (
        <p id="sign-in-error" class="field-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? w.busy : w.submit}
      </button>
    </form>
  );
  if (expired)
    return (
      <div class="overlay">
        <div role="dialog" aria-modal="true" aria-labelledby="sign-in-title" class="dialog">
          {form}
        </div>
      </div>
    );
  return (
    <main class="sign-in-page">
      <LangSwitch lang={lang} onLang={onLang} />
      {form}
    </main>
  );
}
