/**
 * The widget's CSS, inside its shadow root: host styles cannot reach in, and
 * `all: initial` keeps inherited page styles out. Theming goes through CSS
 * custom properties, which do cross the shadow boundary (set them on the
 * element or an ancestor); `:host` maps them to short internal names. Page
 * rules that hit the host element itself (`* { font-size: 40px }`) would be
 * inherited inwards, so the widget's top elements set text styles again
 * (with class/element selectors: `:host > *` would outrank `button`). The
 * defaults meet WCAG 2.2 AA contrast on white (text 16:1, accent 6.4:1,
 * error 6.5:1, borders 5.3:1).
 *
 *   --lodestone-font, --lodestone-text, --lodestone-bg, --lodestone-muted,
 *   --lodestone-accent, --lodestone-accent-text, --lodestone-link,
 *   --lodestone-border, --lodestone-error, --lodestone-focus,
 *   --lodestone-radius, --lodestone-width
 */
export const CSS = `:host{all:initial;display:block;--t:var(--lodestone-text,#1a1a1a);--g:var(--lodestone-bg,#fff);--a:var(--lodestone-accent,#0b57d0);--b:1px solid var(--lodestone-border,#6b6b6b);--r:var(--lodestone-radius,8px);--e:var(--lodestone-error,#b3261e)}
.w,.si,dialog,button{font:16px/1.5 var(--lodestone-font,system-ui,sans-serif);letter-spacing:normal;word-spacing:normal;text-transform:none;text-align:start;text-indent:0;white-space:normal}
*{box-sizing:border-box}
.w{position:relative;background:var(--g);color:var(--t);border:var(--b);border-radius:var(--r);padding:1.25em;max-width:var(--lodestone-width,32em)}
h2{font-size:1.25em;margin:0 2em .5em 0}
p,.f,.c{margin:0 0 1em}
label{display:block;font-weight:600;margin-bottom:.25em}
.o{font-weight:400;color:var(--lodestone-muted,#4a4a4a)}
input,select{font:inherit;color:inherit;background:var(--g);width:100%;min-height:2.75em;padding:.5em;border:var(--b);border-radius:var(--r)}
.c{display:flex;gap:.6em}
.c input{width:1.4em;min-height:0;height:1.4em;flex:none;margin:0;accent-color:var(--a)}
.c label{font-weight:400}
[aria-invalid=true]{border:2px solid var(--e)}
.e{color:var(--e);margin:.25em 0 0}
.e:empty,.s:empty{margin:0}
.g{margin:0 0 1em}
a{color:var(--lodestone-link,var(--a))}
button{font-weight:600;cursor:pointer;border:0;border-radius:var(--r);padding:.65em 1.2em;min-height:2.75em;background:var(--a);color:var(--lodestone-accent-text,#fff)}
:focus-visible{outline:3px solid var(--lodestone-focus,var(--t));outline-offset:2px}
.x{position:absolute;top:.5em;right:.5em;background:0;color:inherit;width:2.75em;padding:0}
.h{position:absolute;left:-1e4px;width:1px;height:1px;overflow:hidden}
dialog{padding:0;border:0;background:0;max-width:calc(100vw - 2em)}
dialog::backdrop{background:#0008}
.si{position:fixed;right:1em;bottom:1em;z-index:2147483000;width:var(--lodestone-width,24em);max-width:calc(100vw - 2em);max-height:calc(100vh - 2em);overflow:auto;box-shadow:0 4px 24px #0005}`;
