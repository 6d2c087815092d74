import { Component, createRef } from 'preact';
import { LeadForm } from './form';
import { formView } from './host';
import { capAllows, scrolledPercent, type Options } from './options';
import type { Ctx } from './types';

/**
 * Title, description and form. Inline it is a labelled region; in modal and
 * slide-in the surrounding dialog is already labelled by the title, and a
 * second region of the same name would be a duplicate landmark.
 */
function Card({ ctx, close }: { ctx: Ctx; close?: () => void }) {
  const { cfg, t } = ctx;
  const Tag = close ? 'div' : 'section';
  return (
    <Tag class="w" aria-labelledby={close ? undefined : 't'} lang={ctx.lang}>
      {close && (
        <button type="button" class="x" aria-label={t.close} onClick={close}>
          ×
        </button>
      )}
      <h2 id="t" lang={cfg.lang}>{cfg.title}</h2>
      {cfg.description && <p lang={cfg.lang}>{cfg.description}</p>}
      <LeadForm ctx={ctx} />
    </Tag>
  );
}

/**
 * Modal: a button opens a native <dialog> (showModal makes the rest of the
 * page inert and Esc closes it); Tab and Shift+Tab also wrap inside it, and
 * focus returns to the button on close. The form mounts on first open and
 * then stays, so closing and reopening keeps what was typed.
 */
class Modal extends Component<{ ctx: Ctx; label?: string }, { opened?: boolean }> {
  _dialog = createRef<HTMLDialogElement>();
  _opener = createRef<HTMLButtonElement>();

  _open = () => {
    if (!this.state.opened) formView(this.props.ctx.cfg.id);
    this.setState({ opened: true });
    this._dialog.current!.showModal();
  };

  _trap = (e: KeyboardEvent) => {
    if (e.key != 'Tab') return;
    const d = this._dialog.current!;
    const items = [...d.querySelectorAll<HTMLElement>('button,a[href],input:not([tabindex="-1"]),select')];
    const active = (d.getRootNode() as ShadowRoot).activeElement as HTMLElement;
    if (active == (e.shiftKey ? items[0] : items[items.length - 1]) || !items.includes(active)) {
      e.preventDefault();
      (e.shiftKey ? items[items.length - 1] : items[0])!.focus();
    }
  };

  render() {
    const { ctx, label } = this.props;
    return (
      <>
        <button type="button" ref={this._opener} aria-haspopup="dialog" onClick={this._open}>
          {label || ctx.t.open}
        </button>
        <dialog ref={this._dialog} aria-labelledby="t" onKeyDown={this._trap} onClose={() => this._opener.current!.focus()}>
          {this.state.opened && <Card ctx={ctx} close={() => this._dialog.current!.close()} />}
        </dialog>
      </>
    );
  }
}

/**
 * Slide-in: appears after a scroll share, a delay or on exit intent,
 * whichever comes first, at most once per `capDays` (one timestamp in
 * localStorage, no identifier). Esc or the close button dismiss it.
 */
class SlideIn extends Component<{ ctx: Ctx; opts: Options }, { shown?: boolean }> {
  _stop = () => {};

  override componentDidMount() {
    const { ctx, opts } = this.props;
    const key = `lodestone:shown:${ctx.site}:${ctx.cfg.id}`;
    let last = 0;
    try {
      last = +(localStorage.getItem(key) || 0);
    } catch {
      /* storage blocked: no cap */
    }
    if (!capAllows(last, Date.now(), opts.capDays)) return;
    const doc = document;
    const show = () => {
      this._stop();
      try {
        localStorage.setItem(key, String(Date.now()));
      } catch {
        /* as above */
      }
      formView(ctx.cfg.id);
      this.setState({ shown: true });
    };
    const onScroll = () => {
      if (opts.scroll != null && scrolledPercent(scrollY, innerHeight, doc.documentElement.scrollHeight) >= opts.scroll) show();
    };
    const onLeave = (e: MouseEvent) => {
      if (!e.relatedTarget && e.clientY <= 0) show();
    };
    const timer = opts.delay != null ? setTimeout(show, opts.delay * 1000) : 0;
    this._stop = () => {
      clearTimeout(timer);
      removeEventListener('scroll', onScroll);
      doc.removeEventListener('mouseout', onLeave);
    };
    if (opts.scroll != null) addEventListener('scroll', onScroll, { passive: true });
    if (opts.exit) doc.addEventListener('mouseout', onLeave);
    onScroll();
  }

  override componentWillUnmount() {
    this._stop();
  }

  render() {
    if (!this.state.shown) return null;
    const close = () => this.setState({ shown: false });
    return (
      <div class="si" role="dialog" aria-modal="false" aria-labelledby="t" onKeyDown={(e) => e.key == 'Escape' && close()}>
        <Card ctx={this.props.ctx} close={close} />
      </div>
    );
  }
}

/** Inline: rendered where the element is; counts as shown at once. */
class Inline extends Component<{ ctx: Ctx }> {
  override componentDidMount() {
    formView(this.props.ctx.cfg.id);
  }
  render() {
    return <Card ctx={this.props.ctx} />;
  }
}

export function Widget({ ctx, opts }: { ctx: Ctx; opts: Options }) {
  return opts.mode == 'modal' ? <Modal ctx={ctx} label={opts.label} /> : opts.mode == 'slidein' ? <SlideIn ctx={ctx} opts={opts} /> : <Inline ctx={ctx} />;
}
