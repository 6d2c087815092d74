import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { useFormat, useLang, useWords } from '../i18n';
import { useCan } from '../session';
import { Show } from '../ui/states';
import { useLoad } from '../ui/use-load';
import type { ViewProps } from '../views';
import { Form } from './scoring/fields';
import { at, errorsByField, fieldId, knownPointers, setAt, toDraft, toModel, type FieldError, type Json, type Obj, type StoredModel } from './scoring/model';
import { PreviewPanel, type Preview, type PreviewState } from './scoring/preview';
import { ReadOnlyModel } from './scoring/read-only';
import { ReviewPanel } from './scoring/review';
import { RuleLists, Settings } from './scoring/rules';
import { SuggestPanel } from './scoring/suggest';
import { message, WORDS } from './scoring/words';

/** Time after the last keystroke before the draft is validated and previewed. */
const DEBOUNCE_MS = 400;

export default function ScoringView(_: ViewProps) {
  const w = useWords(WORDS);
  const f = useFormat();
  const can = useCan();
  const [loaded, retry] = useLoad((signal) => api<StoredModel>('/v1/scoring-model', { signal }), []);
  return (
    <>
      <h1 tabIndex={-1}>{w.title}</h1>
      <p class="muted">{w.intro}</p>
      <Show loaded={loaded} retry={retry}>
        {(stored) => (
          <>
            <p>
              {w.version(stored.version, stored.builtIn)}
              {stored.savedAt !== null && `, ${w.savedAt(f.dateTime(stored.savedAt))}`}
            </p>
            {can('config:write') ? <Editor stored={stored} /> : <ReadOnly model={stored.model} />}
          </>
        )}
      </Show>
    </>
  );
}

function ReadOnly({ model }: { model: Obj }) {
  const w = useWords(WORDS);
  return (
    <>
      <p class="notice">{w.readOnly}</p>
      <div class="grid">
        <ReadOnlyModel model={model} />
        <ReviewPanel />
        <SuggestPanel current={model} />
      </div>
    </>
  );
}

/**
 * The form. Its draft lives in this component's state only: when the
 * session ends the sign-in dialog opens over the mounted view, and after
 * signing in again the draft is still here and Save can be chosen again.
 */
function Editor({ stored }: { stored: StoredModel }) {
  const w = useWords(WORDS);
  const lang = useLang();
  const [saved, setSaved] = useState<{ version: number; model: Obj }>({ version: stored.version, model: stored.model });
  const [draft, setDraft] = useState<Obj>(() => toDraft(stored.model));
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [preview, setPreview] = useState<PreviewState>({ state: 'idle' });
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const savedJson = useMemo(() => JSON.stringify(toModel(toDraft(saved.model))), [saved]);
  const model = useMemo(() => toModel(draft), [draft]);
  const dirty = JSON.stringify(model) !== savedJson;
  const lastPreview = useRef<Preview | undefined>(undefined);

  // Validation as you type: the preview validates exactly as PUT does and saves nothing.
  useEffect(() => {
    if (!dirty) {
      setErrors([]);
      setPreview({ state: 'idle' });
      return;
    }
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      setPreview({ state: 'busy', last: lastPreview.current });
      api<Preview>('/v1/scoring-model/preview', { method: 'POST', body: model, signal: ctl.signal }).then(
        (data) => {
          lastPreview.current = data;
          setErrors([]);
          setPreview({ state: 'ready', data });
        },
        (e: Error) => {
          if (ctl.signal.aborted || e.name === 'AbortError') return;
          if (e instanceof ApiError && e.problem?.errors?.length) {
            setErrors(e.problem.errors);
            setPreview({ state: 'invalid' });
          } else setPreview({ state: 'failed', message: e.message });
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [JSON.stringify(model), savedJson]);

  const known = useMemo(() => knownPointers(draft), [draft]);
  const byField = useMemo(() => errorsByField(errors, known), [errors, known]);
  const set = (path: (string | number)[], value: Json | undefined) => {
    setResult(null);
    setDraft((d) => setAt(d, path, value) as Obj);
  };

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setResult(null);
    try {
      const r = await api<{ version: number; model: Obj }>('/v1/scoring-model', { method: 'PUT', body: model });
      setSaved({ version: r.version, model: r.model });
      setDraft(toDraft(r.model));
      setErrors([]);
      setResult({ ok: true, text: w.saved(r.version) });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setResult({ ok: false, text: w.expired });
      else if (err instanceof ApiError && err.problem?.errors?.length) {
        setErrors(err.problem.errors);
        setResult({ ok: false, text: w.fixFirst });
      } else setResult({ ok: false, text: `${w.notSaved} ${(err as Error).message}` });
    } finally {
      setBusy(false);
    }
  };
  const useSuggestion = (m: Obj) => {
    setDraft(toDraft(m));
    setResult({ ok: true, text: w.used });
    setTimeout(() => document.getElementById('sc-form-h')?.focus());
  };

  return (
    <Form.Provider value={{ draft, set, errors: byField }}>
      <form class="grid" onSubmit={save} noValidate aria-labelledby="sc-form-h">
        <h2 id="sc-form-h" class="wide-row" tabIndex={-1}>{w.model}</h2>
        {errors.length > 0 && (
          <div class="state error wide-row" role="alert">
            <p class="state-title">{w.errorsTitle(errors.length)}</p>
            <ul>
              {errors.map((er) => {
                let p = er.path;
                while (p && !known.has(p)) p = p.slice(0, p.lastIndexOf('/'));
                return (
                  <li key={er.path + er.message}>
                    <a href={`#${fieldId(p)}`} onClick={(ev) => { ev.preventDefault(); document.getElementById(fieldId(p))?.focus(); }}>
                      {describe(draft, er.path, w)}
                    </a>
                    : {message(lang, er.message)}
                  </li>
                );
              })}
            </ul>
            <p>{w.errorsNext}</p>
          </div>
        )}
        <Settings />
        <RuleLists />
        <PreviewPanel preview={preview} dirty={dirty} />
        <div class="actions wide-row">
          <button type="submit" disabled={busy || !dirty}>{busy ? w.saving : w.save}</button>
          <button type="button" class="secondary" disabled={busy || !dirty} onClick={() => { setDraft(toDraft(saved.model)); setResult(null); }}>{w.reset}</button>
          {!dirty && !result && <span class="muted">{w.unchanged}</span>}
        </div>
        <div class="wide-row" role="status" aria-live="polite">
          {result && <p class={result.ok ? 'notice' : 'field-error'}>{result.text}</p>}
        </div>
      </form>
      <div class="grid review-grid">
        <ReviewPanel />
        <SuggestPanel current={saved.model} onUse={useSuggestion} />
      </div>
    </Form.Provider>
  );
}

/** Where an error is, in words: "Behaviour rules: Page view › Cap per day". */
function describe(draft: Obj, pointer: string, w: (typeof WORDS)['en']): string {
  const [group, index, key] = pointer.split('/').slice(1);
  const names: Record<string, string> = { fit: w.fit, engagement: w.engagement, thresholds: w.settings, temperature: w.settings };
  const fieldNames = w as unknown as Record<string, string>;
  if ((group === 'fit' || group === 'engagement') && index !== undefined) {
    const rule = at(draft, [group, Number(index)]) as Obj | undefined;
    const rname = String(rule?.label || rule?.id || w.rule(Number(index) + 1));
    const k = key ? (w.lists[key] ?? (typeof fieldNames[key] === 'string' ? fieldNames[key] : key)) : '';
    return `${names[group]}: ${rname}${k ? ` › ${k}` : ''}`;
  }
  if (group === 'halfLifeDays') return w.halfLife;
  if (group && index && typeof fieldNames[index] === 'string') return `${names[group] ?? group} › ${fieldNames[index]}`;
  return names[group ?? ''] ?? (pointer || w.model);
}
