import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { useLang } from '../../i18n';
import { at, fieldId, type Json, type Obj } from './model';
import { message } from './words';

/** What every field of the form needs: the draft, a setter by path, and the errors by pointer. */
export interface FormState {
  draft: Obj;
  set: (path: (string | number)[], value: Json | undefined) => void;
  errors: Map<string, string[]>;
}
export const Form = createContext<FormState | null>(null);
export const useForm = () => useContext(Form)!;

const pointer = (path: (string | number)[]) => `/${path.join('/')}`;

/** The errors of one pointer, each as its own line; the id is what the field's aria-describedby names. */
export function ErrorsAt({ path }: { path: (string | number)[] }) {
  const { errors } = useForm();
  const lang = useLang();
  const list = errors.get(pointer(path));
  if (!list?.length) return null;
  return (
    <p class="field-error" id={`${fieldId(pointer(path))}-error`}>
      {list.map((m) => message(lang, m)).join(' · ')}
    </p>
  );
}

/** A text input for a number, a list or a word; the draft keeps what is typed. */
export function TextField({ path, label, hint, wide, numeric, narrow }: { path: (string | number)[]; label: string; hint?: string; wide?: boolean; numeric?: boolean; narrow?: boolean }) {
  const { draft, set, errors } = useForm();
  const p = pointer(path);
  const id = fieldId(p);
  const value = at(draft, path);
  const err = errors.get(p)?.length;
  const described = [hint ? `${id}-hint` : '', err ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={`field${wide ? ' wide' : ''}${narrow ? ' narrow' : ''}`}>
      <label for={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode={numeric ? 'decimal' : undefined}
        autoComplete="off"
        spellcheck={false}
        value={value === undefined || value === null ? '' : String(value)}
        onInput={(e) => set(path, (e.target as HTMLInputElement).value)}
        aria-invalid={err ? true : undefined}
        aria-describedby={described || undefined}
      />
      {hint && <span class="muted hint" id={`${id}-hint`}>{hint}</span>}
      <ErrorsAt path={path} />
    </div>
  );
}

/** A select; an empty option value leaves the field out of the model. */
export function SelectField({ path, label, options, onChange }: { path: (string | number)[]; label: string; options: [string, string][]; onChange?: (v: string) => void }) {
  const { draft, set, errors } = useForm();
  const p = pointer(path);
  const id = fieldId(p);
  const value = at(draft, path);
  const err = errors.get(p)?.length;
  return (
    <div class="field select">
      <label for={id}>{label}</label>
      <select
        id={id}
        value={value === undefined || value === null ? '' : String(value)}
        onChange={(e) => {
          const v = (e.target as HTMLSelectElement).value;
          if (onChange) onChange(v);
          else set(path, v === '' ? undefined : v);
        }}
        aria-invalid={err ? true : undefined}
        aria-describedby={err ? `${id}-error` : undefined}
      >
        {options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
      </select>
      <ErrorsAt path={path} />
    </div>
  );
}
