import type { Lang } from '../../protocol';
import { escapeHtml } from '../mail/escape';
import { layout, type Page } from './layout';

/**
 * Confirmation and withdraw pages. A GET only shows a page; the page's script
 * POSTs (after the tab is visible and a short pause, which most link scanners
 * never wait for) and a button does the same without scripts. So a scanner
 * that merely fetches the link confirms nothing, and people need no second
 * click.
 */

interface PageCopy {
  title: string;
  intro: string;
  working: string;
  button: string;
  done: string;
  /** By HTTP status of the problem answer. */
  errors: Record<number, string> & { default: string };
}

const CONFIRM: Record<Lang, PageCopy> = {
  en: {
    title: 'Confirm your e-mail address',
    intro: 'Press the button to confirm your address and start the download.',
    working: 'Confirming your address…',
    button: 'Confirm and download',
    done: 'Thank you, your address is confirmed. Your download starts now.',
    errors: {
      404: 'This confirmation link is not valid. Please copy the whole link from the e-mail.',
      409: 'This link has already been used. If you need the file again, request it once more on the website.',
      410: 'This link has expired. Please request the download again on the website.',
      default: 'Sorry, that did not work. Please try again.',
    },
  },
  de: {
    title: 'E-Mail-Adresse bestätigen',
    intro: 'Klicken Sie auf die Schaltfläche, um Ihre Adresse zu bestätigen und den Download zu starten.',
    working: 'Ihre Adresse wird bestätigt …',
    button: 'Bestätigen und herunterladen',
    done: 'Vielen Dank, Ihre Adresse ist bestätigt. Der Download startet jetzt.',
    errors: {
      404: 'Dieser Bestätigungslink ist ungültig. Bitte kopieren Sie den vollständigen Link aus der E-Mail.',
      409: 'Dieser Link wurde bereits verwendet. Wenn Sie die Datei erneut benötigen, fordern Sie sie bitte noch einmal auf der Website an.',
      410: 'Dieser Link ist abgelaufen. Bitte fordern Sie den Download auf der Website erneut an.',
      default: 'Das hat leider nicht geklappt. Bitte versuchen Sie es erneut.',
    },
  },
};

const WITHDRAW: Record<Lang, PageCopy> = {
  en: {
    title: 'Withdraw consent',
    intro: 'Press the button to withdraw your consent. We will not e-mail you again and stop using your data for marketing.',
    working: 'Withdrawing your consent…',
    button: 'Withdraw consent',
    done: 'Your consent has been withdrawn. You will not receive further e-mails from us.',
    errors: {
      403: 'This link is not valid. Please copy the whole link from the e-mail.',
      404: 'We could not find your data; there is nothing to withdraw.',
      default: 'Sorry, that did not work. Please try again.',
    },
  },
  de: {
    title: 'Einwilligung widerrufen',
    intro: 'Klicken Sie auf die Schaltfläche, um Ihre Einwilligung zu widerrufen. Wir schreiben Ihnen dann nicht mehr und nutzen Ihre Daten nicht mehr für Marketing.',
    working: 'Ihre Einwilligung wird widerrufen …',
    button: 'Einwilligung widerrufen',
    done: 'Ihre Einwilligung wurde widerrufen. Sie erhalten keine weiteren E-Mails von uns.',
    errors: {
      403: 'Dieser Link ist ungültig. Bitte kopieren Sie den vollständigen Link aus der E-Mail.',
      404: 'Wir haben keine Daten zu Ihnen gefunden; es gibt nichts zu widerrufen.',
      default: 'Das hat leider nicht geklappt. Bitte versuchen Sie es erneut.',
    },
  },
};

/**
 * The page script: wait until the tab is visible, pause, POST the form with
 * fetch, then follow `next` (the download) or show the outcome.
 */
function autoPostScript(copy: PageCopy): string {
  const texts = JSON.stringify({ working: copy.working, done: copy.done, errors: copy.errors }).replace(/</g, '\\u003c');
  return `(function(){var T=${texts},f=document.getElementById("f"),s=document.getElementById("s"),sent=false;
function say(t){s.textContent=t}
function post(){if(sent)return;sent=true;say(T.working);
fetch(f.action,{method:"POST",headers:{accept:"application/json"},body:new URLSearchParams(new FormData(f))})
.then(function(r){return r.json().then(function(j){
if(r.ok){f.hidden=true;say(T.done);if(j.next)location.replace(j.next)}
else{say(T.errors[r.status]||T.errors["default"]);if(r.status>=500){sent=false}else{f.hidden=true}}})})
.catch(function(){sent=false;say(T.errors["default"])})}
f.addEventListener("submit",function(e){e.preventDefault();post()});
function start(){setTimeout(post,700)}
if(document.visibilityState==="visible")start();
else document.addEventListener("visibilitychange",function h(){if(document.visibilityState==="visible"){document.removeEventListener("visibilitychange",h);start()}});
})();`;
}

function actionPage(copy: PageCopy, lang: Lang, action: string, hidden: Record<string, string>, nonce: string): Page {
  const inputs = Object.entries(hidden)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  const body = `<h1>${escapeHtml(copy.title)}</h1>
<p id="s" role="status" aria-live="polite">${escapeHtml(copy.intro)}</p>
<form id="f" method="post" action="${escapeHtml(action)}">${inputs}<button type="submit">${escapeHtml(copy.button)}</button></form>`;
  return layout({ lang, title: copy.title, body, script: autoPostScript(copy), nonce });
}

export function confirmPage(lang: Lang, token: string, nonce: string): Page {
  return actionPage(CONFIRM[lang], lang, '/v1/optin/confirm', { t: token, lang }, nonce);
}

/** `action` carries the signed query (s, l, sig): the same URL mail clients POST to (RFC 8058). */
export function withdrawPage(lang: Lang, action: string, nonce: string): Page {
  return actionPage(WITHDRAW[lang], lang, action, {}, nonce);
}

/** Shown after a POST without scripts. */
export function withdrawnPage(lang: Lang, nonce: string): Page {
  const c = WITHDRAW[lang];
  return layout({ lang, title: c.title, body: `<h1>${escapeHtml(c.title)}</h1><p role="status">${escapeHtml(c.done)}</p>`, nonce });
}
