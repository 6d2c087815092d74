import type { Lang } from '../../../protocol';
import { escapeHtml } from '../../core/mail/escape';
import { layout, type Page } from '../../http/page-layout';

/**
 * Confirmation, withdraw and link-error pages. A GET only shows a page: it
 * confirms or withdraws nothing, and neither does its script by itself. Only
 * a real click or key press on the button does (the script checks
 * `event.isTrusted`, so a link scanner that runs scripts, or code that calls
 * `button.click()`, changes nothing). Without scripts the button submits the
 * form the ordinary way, which also needs a real click.
 */

/** The site a page belongs to: its name, and where "back to the site" goes. */
export interface SiteRef {
  name: string;
  url: string | null;
}

interface PageCopy {
  title: string;
  intro: (site: string) => string;
  working: string;
  button: string;
  doneTitle: string;
  done: string;
  /** By HTTP status of the problem answer. */
  errors: Record<number, string> & { default: string };
}

interface ConfirmCopy extends PageCopy {
  /** The success state on a later visit of the link. */
  again: string;
  notStarted: string;
  fileLink: string;
  back: (site: string) => string;
}

const CONFIRM: Record<Lang, ConfirmCopy> = {
  en: {
    title: 'Confirm your e-mail address',
    intro: (s) => `You asked for a download from ${s}. Press the button to confirm your e-mail address; the download starts right away.`,
    working: 'Confirming your address…',
    button: 'Confirm and download',
    doneTitle: 'Your address is confirmed',
    done: 'Thank you, your address is confirmed. Your download starts now.',
    again: 'Thank you, your address is confirmed. Your download is ready.',
    notStarted: 'Download did not start?',
    fileLink: 'Download the file',
    back: (s) => `Back to ${s}`,
    errors: {
      400: 'This confirmation link is incomplete. Please open it again from the e-mail.',
      404: 'This confirmation link is not valid. Please copy the whole link from the e-mail.',
      409: 'This link has already been used. If you need the file again, request it once more on the website.',
      410: 'This link has expired. Please request the download again on the website.',
      default: 'Sorry, that did not work. Please try again.',
    },
  },
  de: {
    title: 'E-Mail-Adresse bestätigen',
    intro: (s) => `Sie haben einen Download von ${s} angefordert. Bestätigen Sie mit der Schaltfläche Ihre E-Mail-Adresse; der Download startet sofort.`,
    working: 'Ihre Adresse wird bestätigt …',
    button: 'Bestätigen und herunterladen',
    doneTitle: 'Ihre Adresse ist bestätigt',
    done: 'Vielen Dank, Ihre Adresse ist bestätigt. Der Download startet jetzt.',
    again: 'Vielen Dank, Ihre Adresse ist bestätigt. Ihr Download steht bereit.',
    notStarted: 'Der Download hat nicht begonnen?',
    fileLink: 'Datei herunterladen',
    back: (s) => `Zurück zu ${s}`,
    errors: {
      400: 'Dieser Bestätigungslink ist unvollständig. Bitte öffnen Sie ihn erneut aus der E-Mail.',
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
    intro: () => 'Press the button to withdraw your consent. We will not e-mail you again and stop using your data for marketing.',
    working: 'Withdrawing your consent…',
    button: 'Withdraw consent',
    doneTitle: 'Consent withdrawn',
    done: 'Your consent has been withdrawn. You will not receive further e-mails from us.',
    errors: {
      400: 'This link is incomplete. Please open it again from the e-mail.',
      403: 'This link is not valid. Please copy the whole link from the e-mail.',
      404: 'We could not find your data; there is nothing to withdraw.',
      default: 'Sorry, that did not work. Please try again.',
    },
  },
  de: {
    title: 'Einwilligung widerrufen',
    intro: () => 'Klicken Sie auf die Schaltfläche, um Ihre Einwilligung zu widerrufen. Wir schreiben Ihnen dann nicht mehr und nutzen Ihre Daten nicht mehr für Marketing.',
    working: 'Ihre Einwilligung wird widerrufen …',
    button: 'Einwilligung widerrufen',
    doneTitle: 'Einwilligung widerrufen',
    done: 'Ihre Einwilligung wurde widerrufen. Sie erhalten keine weiteren E-Mails von uns.',
    errors: {
      400: 'Dieser Link ist unvollständig. Bitte öffnen Sie ihn erneut aus der E-Mail.',
      403: 'Dieser Link ist ungültig. Bitte kopieren Sie den vollständigen Link aus der E-Mail.',
      404: 'Wir haben keine Daten zu Ihnen gefunden; es gibt nichts zu widerrufen.',
      default: 'Das hat leider nicht geklappt. Bitte versuchen Sie es erneut.',
    },
  },
};

/** Unsubscribing from nurture mails withdraws the marketing consent only; the requested download stays the person's. */
const UNSUBSCRIBE: Record<Lang, PageCopy> = {
  en: {
    title: 'Unsubscribe',
    intro: (s) => `Press the button to stop receiving information by e-mail${s ? ` from ${s}` : ''}. This withdraws your consent to marketing e-mails.`,
    working: 'Unsubscribing…',
    button: 'Unsubscribe',
    doneTitle: 'You are unsubscribed',
    done: 'You are unsubscribed and will not receive any more information e-mails from us. Your consent to marketing e-mails has been withdrawn.',
    errors: {
      400: 'This link is incomplete. Please open it again from the e-mail.',
      403: 'This link is not valid. Please copy the whole link from the e-mail.',
      404: 'We could not find your data; there is nothing to unsubscribe.',
      default: 'Sorry, that did not work. Please try again.',
    },
  },
  de: {
    title: 'Abmelden',
    intro: (s) => `Klicken Sie auf die Schaltfläche, um keine Informationen per E-Mail${s ? ` von ${s}` : ''} mehr zu erhalten. Damit widerrufen Sie Ihre Einwilligung in Marketing-E-Mails.`,
    working: 'Sie werden abgemeldet …',
    button: 'Abmelden',
    doneTitle: 'Sie sind abgemeldet',
    done: 'Sie sind abgemeldet und erhalten keine Informations-E-Mails mehr von uns. Ihre Einwilligung in Marketing-E-Mails ist widerrufen.',
    errors: {
      400: 'Dieser Link ist unvollständig. Bitte öffnen Sie ihn erneut aus der E-Mail.',
      403: 'Dieser Link ist ungültig. Bitte kopieren Sie den vollständigen Link aus der E-Mail.',
      404: 'Wir haben keine Daten zu Ihnen gefunden; es gibt nichts abzumelden.',
      default: 'Das hat leider nicht geklappt. Bitte versuchen Sie es erneut.',
    },
  },
};

/** What went wrong with a link, for its error page. */
export type LinkError =
  | 'invalid'
  | 'confirmUsed'
  | 'confirmExpired'
  | 'withdrawn'
  | 'nothingToWithdraw'
  | 'downloadExpired'
  | 'fileGone'
  | 'failed';

const ERRORS: Record<Lang, Record<LinkError, { title: string; text: string }>> = {
  en: {
    invalid: { title: 'This link does not work', text: 'The link is incomplete or has been changed. Please open it again from the e-mail, or copy the whole link into the address bar.' },
    confirmUsed: { title: 'This link has already been used', text: 'Your address was confirmed with this link, and its download link has expired. If you need the file again, request it once more on the website.' },
    confirmExpired: { title: 'This link has expired', text: 'Confirmation links are valid for a limited time. Please request the download again on the website.' },
    withdrawn: { title: 'This link is no longer valid', text: 'Consent for this address has been withdrawn, so the link no longer works. You can request the download again on the website.' },
    nothingToWithdraw: { title: 'Nothing to withdraw', text: 'We could not find your data; there is nothing to withdraw.' },
    downloadExpired: { title: 'This download link has expired', text: 'Download links are valid for a limited time. Please request the file again on the website.' },
    fileGone: { title: 'This file is no longer available', text: 'The file has been removed. Please contact the website if you still need it.' },
    failed: { title: 'That did not work', text: 'Sorry, the request could not be processed. Please try again.' },
  },
  de: {
    invalid: { title: 'Dieser Link funktioniert nicht', text: 'Der Link ist unvollständig oder wurde verändert. Bitte öffnen Sie ihn erneut aus der E-Mail oder kopieren Sie den vollständigen Link in die Adresszeile.' },
    confirmUsed: { title: 'Dieser Link wurde bereits verwendet', text: 'Ihre Adresse wurde mit diesem Link bestätigt, und sein Download-Link ist abgelaufen. Wenn Sie die Datei erneut benötigen, fordern Sie sie bitte noch einmal auf der Website an.' },
    confirmExpired: { title: 'Dieser Link ist abgelaufen', text: 'Bestätigungslinks sind nur begrenzt gültig. Bitte fordern Sie den Download auf der Website erneut an.' },
    withdrawn: { title: 'Dieser Link ist nicht mehr gültig', text: 'Die Einwilligung für diese Adresse wurde widerrufen, daher funktioniert der Link nicht mehr. Sie können den Download auf der Website erneut anfordern.' },
    nothingToWithdraw: { title: 'Nichts zu widerrufen', text: 'Wir haben keine Daten zu Ihnen gefunden; es gibt nichts zu widerrufen.' },
    downloadExpired: { title: 'Dieser Download-Link ist abgelaufen', text: 'Download-Links sind nur begrenzt gültig. Bitte fordern Sie die Datei auf der Website erneut an.' },
    fileGone: { title: 'Diese Datei ist nicht mehr verfügbar', text: 'Die Datei wurde entfernt. Bitte wenden Sie sich an die Website, falls Sie sie noch benötigen.' },
    failed: { title: 'Das hat nicht geklappt', text: 'Die Anfrage konnte leider nicht verarbeitet werden. Bitte versuchen Sie es erneut.' },
  },
};

const e = escapeHtml;

const siteLine = (site: SiteRef | null) => (site ? `<p class="site">${e(site.name)}</p>\n` : '');
const backLink = (lang: Lang, site: SiteRef | null) =>
  site?.url ? `\n<p><a href="${e(site.url)}">${e(CONFIRM[lang].back(site.name))}</a></p>` : '';

/**
 * The page script: only a trusted click (a real click, or Enter/Space on the
 * focused button) POSTs the form with fetch; then the page shows the outcome
 * and follows `next` (the download) if there is one. Synthetic clicks and
 * form submissions are cancelled and do nothing.
 */
function actionScript(copy: PageCopy): string {
  const texts = JSON.stringify({ working: copy.working, doneTitle: copy.doneTitle, done: copy.done, errors: copy.errors }).replace(/</g, '\\u003c');
  return `(function(){var T=${texts},$=function(i){return document.getElementById(i)},f=$("f"),b=$("b"),s=$("s"),h=$("h"),d=$("d"),sent=false;
function say(t){s.textContent=t}
function post(){sent=true;b.disabled=true;say(T.working);
fetch(f.action,{method:"POST",headers:{accept:"application/json"},body:new URLSearchParams(new FormData(f))})
.then(function(r){return r.json().then(function(j){
if(r.ok){f.hidden=true;h.textContent=T.doneTitle;document.title=T.doneTitle;say(T.done);
if(j.next&&d){d.querySelector("a").href=j.next;d.hidden=false}h.focus();if(j.next)location.assign(j.next)}
else{say(T.errors[r.status]||T.errors["default"]);if(r.status>=500){sent=false;b.disabled=false}else{f.hidden=true}}})})
.catch(function(){sent=false;b.disabled=false;say(T.errors["default"])})}
f.addEventListener("submit",function(e){e.preventDefault()});
b.addEventListener("click",function(e){e.preventDefault();if(e.isTrusted&&!sent)post()});
})();`;
}

function actionPage(
  copy: PageCopy,
  lang: Lang,
  action: string,
  hidden: Record<string, string>,
  nonce: string,
  site: SiteRef | null,
  extra = '',
): Page {
  const inputs = Object.entries(hidden)
    .map(([k, v]) => `<input type="hidden" name="${e(k)}" value="${e(v)}">`)
    .join('');
  const body = `${siteLine(site)}<h1 id="h" tabindex="-1">${e(copy.title)}</h1>
<p id="s" role="status" aria-live="polite">${e(copy.intro(site?.name ?? ''))}</p>
<form id="f" method="post" action="${e(action)}">${inputs}<button id="b" type="submit">${e(copy.button)}</button></form>${extra}`;
  return layout({ lang, title: copy.title, body, script: actionScript(copy), nonce });
}

export function confirmPage(lang: Lang, token: string, nonce: string, site: SiteRef | null): Page {
  const c = CONFIRM[lang];
  // Filled in and shown by the script once the download link is known.
  const retry = `\n<p id="d" hidden>${e(c.notStarted)} <a href="#">${e(c.fileLink)}</a></p>${backLink(lang, site)}`;
  return actionPage(c, lang, '/v1/optin/confirm', { t: token, lang }, nonce, site, retry);
}

/**
 * The success state: after the no-script form POST (`start`: the download
 * begins by a meta refresh, in the same click), or on a later visit of a
 * confirmation link whose download link is still valid.
 */
export function confirmedPage(lang: Lang, download: string, nonce: string, site: SiteRef | null, start = false): Page {
  const c = CONFIRM[lang];
  const refresh = start ? `<meta http-equiv="refresh" content="0;url=${e(download)}">\n` : '';
  const body = `${refresh}${siteLine(site)}<h1>${e(c.doneTitle)}</h1>
<p role="status">${e(start ? c.done : c.again)}</p>${start ? `\n<p>${e(c.notStarted)}</p>` : ''}
<p><a class="button" href="${e(download)}">${e(c.fileLink)}</a></p>${backLink(lang, site)}`;
  return layout({ lang, title: c.doneTitle, body, nonce });
}

/** `action` carries the signed query (s, l, sig): the same URL mail clients POST to (RFC 8058). */
export function withdrawPage(lang: Lang, action: string, nonce: string, site: SiteRef | null = null): Page {
  return actionPage(WITHDRAW[lang], lang, action, {}, nonce, site, backLink(lang, site));
}

/** Shown after a POST without scripts. */
export function withdrawnPage(lang: Lang, nonce: string, site: SiteRef | null = null): Page {
  const c = WITHDRAW[lang];
  return layout({ lang, title: c.doneTitle, body: `${siteLine(site)}<h1>${e(c.doneTitle)}</h1><p role="status">${e(c.done)}</p>${backLink(lang, site)}`, nonce });
}

/** A broken, used or expired link opened by a browser: what happened and what to do, no technical detail. */
export function linkErrorPage(lang: Lang, error: LinkError, nonce: string, site: SiteRef | null = null): Page {
  const c = ERRORS[lang][error];
  return layout({ lang, title: c.title, body: `${siteLine(site)}<h1>${e(c.title)}</h1>\n<p>${e(c.text)}</p>${backLink(lang, site)}`, nonce });
}

/** The unsubscribe link's page: its button withdraws marketing consent (POST to `action`, the same URL mail clients POST to). */
export function unsubscribePage(lang: Lang, action: string, nonce: string, site: SiteRef | null = null): Page {
  return actionPage(UNSUBSCRIBE[lang], lang, action, {}, nonce, site, backLink(lang, site));
}

/** Shown after the POST without scripts, and on a second visit. */
export function unsubscribedPage(lang: Lang, nonce: string, site: SiteRef | null = null): Page {
  const c = UNSUBSCRIBE[lang];
  return layout({ lang, title: c.doneTitle, body: `${siteLine(site)}<h1>${e(c.doneTitle)}</h1><p role="status">${e(c.done)}</p>${backLink(lang, site)}`, nonce });
}
