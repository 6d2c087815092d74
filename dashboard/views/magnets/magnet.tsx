import { useState } from 'preact/hooks';
import { api } from '../../api';
import { useFormat, useWords } from '../../i18n';
import { ErrorAt, ErrorSummary, fieldErrors, invalidProps, type FieldErrors } from '../../ui/field-errors';
import { WORDS, type ConsentText, type Magnet } from './words';

/** A consent text in use with its earlier versions (never edited: each is what some leads agreed to). */
function ConsentHistory({ label, current, texts, hid }: { label: string; current: { text: string; version: string }; texts: ConsentText[]; hid: string }) {
  const w = useWords(WORDS);
  const f = useFormat();
  const inUse = texts.find((t) => t.version === current.version);
  const earlier = texts.filter((t) => t.version !== current.version);
  return (
    <div class="consent">
      <h3 id={hid}>{label}</h3>
      <p><span class="badge cold">{w.current}</span> {w.version} <strong>{current.version}</strong>{inUse && <span class="muted"> · {w.recorded(f.dateTime(inUse.createdAt))}</span>}</p>
      <blockquote class="consent-text">{current.text}</blockquote>
      {earlier.length ? (
        <details>
          <summary>{w.history(earlier.length)}</summary>
          <ol class="plain versions">
            {earlier.map((t) => (
              <li key={t.version}>
                <p>{w.version} <strong>{t.version}</strong> <span class="muted">· {w.recorded(f.dateTime(t.createdAt))}</span></p>
                <blockquote class="consent-text">{t.text}</blockquote>
              </li>
            ))}
          </ol>
          <p class="muted">{w.historyNote}</p>
        </details>
      ) : <p class="muted">{w.noHistory}</p>}
    </div>
  );
}

/** One magnet: its config, its consent texts with their versions, and (config:write) a form that saves changed texts as new versions. */
export function MagnetCard({ m, canEdit, onSaved }: { m: Magnet; canEdit: boolean; onSaved: () => void }) {
  const w = useWords(WORDS);
  const f = useFormat();
  const [editing, setEditing] = useState(false);
  const [message, setMessage] = useState('');
  const hid = `mg-${m.id}`;
  const of = (p: 'download' | 'marketing') => m.consentTexts.filter((t) => t.purpose === p);
  return (
    <section class="card wide" aria-labelledby={hid}>
      <h2 id={hid}>{m.title} <span class="muted">({m.id})</span></h2>
      {m.description && <p>{m.description}</p>}
      <dl class="settings-list">
        <div><dt>{w.lang}</dt><dd>{m.lang === 'de' ? 'Deutsch' : 'English'}</dd></div>
        <div><dt>{w.fields}</dt><dd>{m.fields.length ? m.fields.map((x) => `${w.fieldNames[x.name] ?? x.name} (${x.required ? w.required : w.optional})`).join(', ') : w.noFields}</dd></div>
        <div><dt>{w.file}</dt><dd class="break">{m.file ? `${m.file.name} · ${f.number(m.file.size / 1024, 0)} KB` : w.noFile}</dd></div>
        <div><dt>{w.privacy}</dt><dd class="break"><a href={m.privacyUrl}>{m.privacyUrl}</a></dd></div>
        <div><dt>{w.coupled}</dt><dd>{m.coupled ? w.yes : w.no}</dd></div>
        <div><dt>{w.turnstile}</dt><dd>{m.turnstile ? w.yes : w.no}</dd></div>
      </dl>
      <div class="grid">
        <ConsentHistory hid={`${hid}-consent`} label={w.consent} current={m.consent} texts={of('download')} />
        {m.marketing ? <ConsentHistory hid={`${hid}-marketing`} label={w.marketing} current={m.marketing} texts={of('marketing')} /> : (
          <div class="consent"><h3>{w.marketing}</h3><p class="muted">{w.noMarketing}</p></div>
        )}
      </div>
      {canEdit && !editing && (
        <p class="actions">
          <button type="button" class="secondary" aria-label={w.edit(m.title)} onClick={() => { setMessage(''); setEditing(true); }}>{w.editShort}</button>
          <span role="status" class={message ? 'notice' : 'sr-only'}>{message}</span>
        </p>
      )}
      {canEdit && editing && <ConsentForm m={m} onCancel={() => setEditing(false)} onSaved={(msg) => { setEditing(false); setMessage(msg); onSaved(); }} />}
      {!canEdit && <p class="muted">{w.readOnly}</p>}
    </section>
  );
}

const today = () => new Date().toISOString().slice(0, 10);

function ConsentForm({ m, onCancel, onSaved }: { m: Magnet; onCancel: () => void; onSaved: (message: string) => void }) {
  const w = useWords(WORDS);
  const [text, setText] = useState(m.consent.text);
  const [version, setVersion] = useState(m.consent.version);
  const [mText, setMText] = useState(m.marketing?.text ?? '');
  const [mVersion, setMVersion] = useState(m.marketing?.version ?? today());
  const [withMarketing, setWithMarketing] = useState(!!m.marketing && !m.coupled);
  const [errors, setErrors] = useState<FieldErrors>(new Map());
  const [busy, setBusy] = useState(false);
  // A changed text gets a fresh version name suggested the moment it changes; the person may pick another.
  const edit = (next: string, cur: { text: string; version: string } | null, setT: (s: string) => void, v: string, setV: (s: string) => void) => {
    setT(next);
    if (cur && next !== cur.text && v === cur.version) setV(today() === cur.version ? `${today()}.2` : today());
    if (cur && next === cur.text) setV(cur.version);
  };
  const save = async (e: Event) => {
    e.preventDefault();
    const local: FieldErrors = new Map();
    if (text !== m.consent.text && version === m.consent.version) local.set('/consent/version', w.sameVersion);
    if (withMarketing && m.marketing && mText !== m.marketing.text && mVersion === m.marketing.version) local.set('/marketing/version', w.sameVersion);
    if (local.size) return setErrors(local);
    const marketing = withMarketing ? { text: mText, version: mVersion } : null;
    if (text === m.consent.text && version === m.consent.version && JSON.stringify(marketing) === JSON.stringify(m.marketing && !m.coupled ? { text: m.marketing.text, version: m.marketing.version } : null)) {
      return onSaved(w.unchanged);
    }
    setBusy(true);
    setErrors(new Map());
    try {
      await api(`/v1/magnets/${encodeURIComponent(m.id)}`, {
        method: 'PUT',
        body: { title: m.title, description: m.description, lang: m.lang, fields: m.fields, consent: { text, version }, privacyUrl: m.privacyUrl, marketing, coupled: m.coupled, turnstile: m.turnstile },
      });
      onSaved(w.saved);
    } catch (err) {
      setErrors(fieldErrors(err));
    } finally {
      setBusy(false);
    }
  };
  const id = (k: string) => `mf-${m.id}-${k}`;
  const shown = (p: string) => ['/consent/text', '/consent/version', '/marketing/text', '/marketing/version', '/marketing'].includes(p);
  return (
    <form class="stack-form" onSubmit={save} noValidate aria-labelledby={id('title')}>
      <h3 id={id('title')}>{w.formTitle}</h3>
      <p class="muted">{w.formNote}</p>
      <div class="field full">
        <label for={id('text')}>{w.consent}: {w.text}</label>
        <textarea id={id('text')} rows={4} value={text} {...invalidProps(errors, id(''), '/consent/text')} onInput={(e) => edit((e.target as HTMLTextAreaElement).value, m.consent, setText, version, setVersion)} />
        <ErrorAt errors={errors} prefix={id('')} path="/consent/text" />
      </div>
      <div class="field">
        <label for={id('version')}>{w.newVersion}</label>
        <input id={id('version')} value={version} maxLength={40} {...invalidProps(errors, id(''), '/consent/version')} onInput={(e) => setVersion((e.target as HTMLInputElement).value.trim())} />
        <ErrorAt errors={errors} prefix={id('')} path="/consent/version" />
      </div>
      {!m.coupled && (
        <label class="check"><input type="checkbox" checked={withMarketing} onChange={(e) => setWithMarketing((e.target as HTMLInputElement).checked)} /> {w.addMarketing}</label>
      )}
      {withMarketing && (
        <>
          <div class="field full">
            <label for={id('mtext')}>{w.marketing}: {w.text}</label>
            <textarea id={id('mtext')} rows={3} value={mText} {...invalidProps(errors, id(''), '/marketing/text')} onInput={(e) => edit((e.target as HTMLTextAreaElement).value, m.marketing, setMText, mVersion, setMVersion)} />
            <ErrorAt errors={errors} prefix={id('')} path="/marketing/text" />
          </div>
          <div class="field">
            <label for={id('mversion')}>{w.newVersion}</label>
            <input id={id('mversion')} value={mVersion} maxLength={40} {...invalidProps(errors, id(''), '/marketing/version')} onInput={(e) => setMVersion((e.target as HTMLInputElement).value.trim())} />
            <ErrorAt errors={errors} prefix={id('')} path="/marketing/version" />
          </div>
        </>
      )}
      <ErrorAt errors={errors} prefix={id('')} path="/marketing" />
      <ErrorSummary errors={errors} shown={shown} words={w} />
      <div class="actions">
        <button type="submit" disabled={busy}>{busy ? w.saving : w.save}</button>
        <button type="button" class="secondary" onClick={onCancel}>{w.cancel}</button>
      </div>
    </form>
  );
}
