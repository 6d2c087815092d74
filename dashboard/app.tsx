import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { getSession, onSessionExpired, signOut, type SessionInfo } from './api';
import { initialLang, keepLang, LangContext, type Lang } from './i18n';
import { useRoute } from './router';
import { SessionContext } from './session';
import { Shell } from './shell';
import { Loading, Failed } from './ui/states';
import { SignIn } from './sign-in';
import { loadedView, loadView, viewOf } from './view-registry';
import type { ViewProps } from './views';

type Auth = { state: 'checking' } | { state: 'out' } | { state: 'in'; session: SessionInfo } | { state: 'expired'; session: SessionInfo };

/** Loads a view's chunk on first use, then moves focus to its heading (a new view for screen readers too). */
function LazyView({ id }: { id: string }) {
  const route = useRoute();
  const entry = viewOf(id);
  // The chunk the entry asked for at boot has often come before the session: then the view draws in the first render.
  const [View, setView] = useState<ComponentType<ViewProps> | undefined>(() => loadedView(entry.id));
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    const known = loadedView(entry.id);
    if (known) return setView(() => known);
    setView(undefined);
    let live = true;
    loadView(entry.id).then(
      (m) => {
        if (live) setView(() => m.default);
      },
      (e: Error) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [entry.id]);
  const key = `${entry.id}/${route.rest.join('/')}`;
  useEffect(() => {
    if (View) (document.querySelector('main h1') as HTMLElement | null)?.focus();
  }, [View, key]);
  if (error) return <Failed error={error} />;
  if (!View) return <Loading />;
  return <View key={key} route={route} />;
}

/** `session`: the check the entry started at boot, alongside the view's chunk. */
export function App({ session: booting }: { session?: Promise<SessionInfo> } = {}) {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });
  const authRef = useRef(auth);
  authRef.current = auth;
  const route = useRoute();

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  useEffect(() => {
    (booting ?? getSession()).then(
      (session) => setAuth({ state: 'in', session }),
      () => setAuth({ state: 'out' }),
    );
    return onSessionExpired(() => {
      const a = authRef.current;
      if (a.state === 'in') setAuth({ state: 'expired', session: a.session });
    });
  }, []);

  const switchLang = (l: Lang) => {
    keepLang(l);
    setLang(l);
  };
  const onSignedIn = (session: SessionInfo) => {
    setAuth({ state: 'in', session });
  };
  const onSignOut = async () => {
    await signOut().catch(() => undefined);
    setAuth({ state: 'out' });
  };

  let body;
  if (auth.state === 'checking') body = <Loading />;
  else if (auth.state === 'out') body = <SignIn onSignedIn={onSignedIn} lang={lang} onLang={switchLang} />;
  else
    body = (
      <SessionContext.Provider value={auth.session}>
        <Shell view={route.view} lang={lang} onLang={switchLang} onSignOut={onSignOut} inert={auth.state === 'expired'}>
          {/* Keyed by site: signed in again with another site's key, the open view starts over, as its data was the old site's. */}
          <LazyView key={auth.session.site.id} id={route.view} />
        </Shell>
        {auth.state === 'expired' && <SignIn expired onSignedIn={onSignedIn} lang={lang} onLang={switchLang} />}
      </SessionContext.Provider>
    );
  return <LangContext.Provider value={lang}>{body}</LangContext.Provider>;
}
