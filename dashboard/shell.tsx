import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Lang } from './i18n';
import { useWords } from './i18n';
import { href } from './router';
import { useSession } from './session';
import { NAV_WORDS, VIEWS } from './view-registry';

const WORDS = {
  en: { skip: 'Skip to content', nav: 'Dashboard', signOut: 'Sign out', language: 'Language', menu: 'Menu', site: 'Site' },
  de: { skip: 'Zum Inhalt springen', nav: 'Dashboard', signOut: 'Abmelden', language: 'Sprache', menu: 'Menü', site: 'Website' },
};

/** Language switch: both names always in their own language. */
export function LangSwitch({ lang, onLang }: { lang: Lang; onLang: (l: Lang) => void }) {
  const w = useWords(WORDS);
  return (
    <div class="lang" role="group" aria-label={w.language}>
      {(['de', 'en'] as const).map((l) => (
        <button key={l} type="button" lang={l} aria-pressed={lang === l} onClick={() => onLang(l)}>
          {l === 'de' ? 'Deutsch' : 'English'}
        </button>
      ))}
    </div>
  );
}

/** Header, navigation and the main landmark around the current view. */
export function Shell(props: { view: string; lang: Lang; onLang: (l: Lang) => void; onSignOut: () => void; inert: boolean; children: ComponentChildren }) {
  const w = useWords(WORDS);
  const nav = useWords(NAV_WORDS);
  const session = useSession();
  const [open, setOpen] = useState(false);
  return (
    <div class="shell" inert={props.inert}>
      <a class="skip" href="#main">
        {w.skip}
      </a>
      <header class="top">
        <a class="brand" href={href('overview')}>
          Lodestone
        </a>
        <span class="site" title={`${w.site}: ${session.site.id}`}>
          {session.site.name}
        </span>
        <button type="button" class="menu-toggle" aria-expanded={open} aria-controls="nav" onClick={() => setOpen(!open)}>
          {w.menu}
        </button>
        <nav id="nav" aria-label={w.nav} class={open ? 'open' : ''}>
          <ul>
            {VIEWS.map((v) => (
              <li key={v.id}>
                <a href={href(v.id)} aria-current={props.view === v.id ? 'page' : undefined} onClick={() => setOpen(false)}>
                  {nav[v.id as keyof typeof nav]}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="top-end">
          <LangSwitch lang={props.lang} onLang={props.onLang} />
          <button type="button" class="sign-out" onClick={props.onSignOut}>
            {w.signOut}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}
