/**
 * A compact built-in list of free-mail domains: the big international
 * providers plus those common in Germany, Austria and Switzerland (the
 * product's home market). Scoring uses it to tell a business address
 * (jane@acme.de: the company is known) from a private one (jane@gmx.de:
 * anyone can have it). Exact domains only: a company may well run its own
 * "mail.example.com". A site adds its own entries in the model
 * (`freeMailDomains`) instead of this list growing without bound.
 */
export const FREE_MAIL_DOMAINS: readonly string[] = Object.freeze([
  // International
  'gmail.com', 'googlemail.com', 'yahoo.com', 'ymail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com',
  'icloud.com', 'me.com', 'mac.com', 'aol.com', 'proton.me', 'protonmail.com', 'pm.me', 'zoho.com', 'fastmail.com',
  'hey.com', 'mail.com', 'gmx.com', 'yandex.com', 'yandex.ru', 'mail.ru', 'qq.com', '163.com', '126.com',
  // Germany, Austria, Switzerland
  'gmx.de', 'gmx.net', 'gmx.at', 'gmx.ch', 'web.de', 't-online.de', 'magenta.de', 'freenet.de', 'posteo.de',
  'posteo.net', 'mailbox.org', 'tutanota.com', 'tutanota.de', 'tuta.io', 'tuta.com', 'arcor.de', 'online.de',
  'email.de', 'mail.de', 'vodafone.de', 'kabelmail.de', 'outlook.de', 'hotmail.de', 'live.de', 'yahoo.de',
  'aol.de', 'googlemail.de', 'bluewin.ch', 'hispeed.ch', 'sunrise.ch', 'chello.at', 'aon.at', 'a1.net',
  // Elsewhere in Europe
  'orange.fr', 'free.fr', 'laposte.net', 'libero.it', 'virgilio.it', 'seznam.cz', 'wp.pl', 'o2.pl', 'onet.pl',
  'interia.pl', 'ziggo.nl', 'kpnmail.nl', 'telenet.be', 'btinternet.com', 'sky.com',
]);
