import { Component, createRef } from 'preact';
import { COMPANY_SIZES, type LeadField, type LeadSubmission } from '../protocol/leads';
import { submitLead } from './api';
import { checkValues, explain, type Errors } from './check';
import { startTurnstile, visitorId } from './host';
import type { Ctx } from './types';

/** Idle, sending, "check your inbox", error (form kept). */
const IDLE = 0;
const SENDING = 1;
const DONE = 2;
const FAILED = 3;

const AUTOCOMPLETE: Record<string, string> = { email: 'email', firstName: 'given-name', company: 'organization', role: 'organization-title' };
const MAX: Record<string, number> = { email: 254, firstName: 50 };
/** Form order, also the focus order for the first error. */
const ORDER = ['email', 'firstName', 'company', 'role', 'companySize', 'industry', 'consent'];

interface State {
  phase: number;
  errors: Errors;
  message: string;
  /** The last send failed on the way or at the server: the button offers to try again. */
  retry?: boolean;
}

/**
 * The lead form. Inputs are uncontrolled: what the visitor typed stays in the
 * DOM whatever happens to the request, so a network error loses nothing.
 * (A class component: Preact's hooks would cost a kilobyte of the budget.)
 */
export class LeadForm extends Component<{ ctx: Ctx }, State> {
  override state: State = { phase: IDLE, errors: {}, message: '' };
  /** When the form was shown: the edge refuses forms sent faster than people type. */
  _shown = Date.now();
  _form = createRef<HTMLFormElement>();
  _status = createRef<HTMLParagraphElement>();
  /** Turnstile token ('' until solved); `started` once its script was asked for. */
  _token = '';
  _started = false;

  override componentDidUpdate() {
    if (this.state.phase == DONE) this._status.current!.focus();
  }

  _fail(errors: Errors, message: string, retry?: boolean) {
    this.setState({ phase: FAILED, errors, message, retry });
    const first = ORDER.find((n) => errors[n]);
    if (first) setTimeout(() => (this._form.current!.elements.namedItem(first) as HTMLElement | null)?.focus());
  }

  _interact = () => {
    const key = this.props.ctx.cfg.turnstileSiteKey;
    if (key && !this._started) {
      this._started = true;
      startTurnstile(this.props.ctx.host, key, (t) => (this._token = t));
    }
  };

  _submit = async (e: Event) => {
    e.preventDefault();
    const { ctx } = this.props;
    const { cfg, t } = ctx;
    if (this.state.phase == SENDING) return;
    const data = new FormData(this._form.current!);
    const values: Record<string, string> = {};
    for (const name of ORDER) {
      const v = data.get(name);
      if (typeof v == 'string' && v.trim()) values[name] = v.trim();
    }
    const consent = data.has('consent');
    const errors = checkValues(values, consent, cfg, t);
    if (Object.keys(errors).length) return this._fail(errors, t.errSummary);
    if (cfg.turnstileSiteKey && !this._token) return this._fail({}, t.errBot);
    delete values.consent;
    this.setState({ phase: SENDING, errors: {}, message: '' });
    const body = {
      ...values,
      site: ctx.site,
      magnet: cfg.id,
      consent,
      consentVersion: cfg.consent.version,
      url: location.href,
      lang: ctx.lang,
      elapsedMs: Date.now() - this._shown,
      hp: String(data.get('website') || ''),
    } as LeadSubmission;
    if (cfg.marketing) body.marketing = data.has('marketing');
    const vid = visitorId();
    if (vid) body.vid = vid;
    if (this._token) body.turnstile = this._token;
    const result = await submitLead(ctx.api, body);
    if (result.status == 202) return this.setState({ phase: DONE });
    const why = explain(result, t);
    // "Try again" only where sending again can help: no answer, rate limit, server error.
    const s = result.status;
    this._fail(why.fields, why.message, !s || s == 429 || s > 499);
  };

  render() {
    const { cfg, t } = this.props.ctx;
    const { phase, errors, message, retry } = this.state;
    const error = (name: string) => errors[name] && <p class="e" id={`${name}-e`}>{errors[name]}</p>;
    const aria = (name: string) => ({ 'aria-invalid': !!errors[name], 'aria-describedby': errors[name] ? `${name}-e` : undefined });
    const field = (name: 'email' | LeadField, required: boolean) => {
      const common = { id: name, name, required, ...aria(name) };
      return (
        <div class="f">
          <label for={name}>
            {t.fields[name]}
            {!required && <span class="o"> ({t.optional})</span>}
          </label>
          {name == 'companySize' ? (
            <select {...common}>
              <option value="">{t.choose}</option>
              {COMPANY_SIZES.map((s) => (
                <option value={s}>{`${s.replace('-', '–')} ${t.employees}`}</option>
              ))}
            </select>
          ) : (
            <input
              {...common}
              type={(name == 'email' ? 'email' : 'text') as 'text'}
              autocomplete={AUTOCOMPLETE[name] || 'off'}
              maxLength={MAX[name] || 100}
              spellcheck={false}
            />
          )}
          {error(name)}
        </div>
      );
    };
    return (
      <div>
        {phase != DONE && (
          <form ref={this._form} noValidate onSubmit={this._submit} onFocusIn={this._interact} onInput={this._interact}>
            {field('email', true)}
            {cfg.fields.map((f) => field(f.name, f.required))}
            <div class="h" aria-hidden="true">
              <label for="website">Website</label>
              <input id="website" name="website" tabIndex={-1} autocomplete="off" />
            </div>
            <div class="c">
              <input type="checkbox" id="consent" name="consent" required {...aria('consent')} />
              <label for="consent">
                <span lang={cfg.lang}>{cfg.consent.text}</span>
                {cfg.coupled && <strong> {t.coupled}</strong>}
              </label>
            </div>
            {error('consent')}
            {cfg.marketing && (
              <div class="c">
                <input type="checkbox" id="marketing" name="marketing" />
                <label for="marketing" lang={cfg.lang}>{cfg.marketing.text}</label>
              </div>
            )}
            <p>
              <a href={cfg.privacyUrl} target="_blank" rel="noopener">
                {t.privacy}
                <span class="h"> {t.newTab}</span>
              </a>
            </p>
            <slot name="ts" />
            <p class="e g" role="alert">{message}</p>
            <button type="submit" aria-disabled={phase == SENDING}>
              {phase == FAILED && retry ? t.retry : t.submit}
            </button>
          </form>
        )}
        <p class="s" role="status" tabIndex={-1} ref={this._status}>
          {phase == SENDING ? t.sending : phase == DONE ? t.done : ''}
        </p>
      </div>
    );
  }
}
