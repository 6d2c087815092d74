/*
 * Demo consent banner: the smallest useful consent manager, wired to the
 * Lodestone JS API. It is the site's code, not Lodestone's: it keeps the
 * visitor's choice in localStorage ("demo_consent", written only when the
 * visitor chooses) and tells the snippet on every page.
 *
 * Load it before the snippet, both deferred. It defines the loader stub, so
 * calls made before /s.js runs are queued, and it needs no inline script
 * (works under a CSP without 'unsafe-inline').
 */
(function () {
  'use strict';
  var KEY = 'demo_consent';
  var w = window;
  w.lodestone = w.lodestone || function () { (w.lodestone.q = w.lodestone.q || []).push(arguments); };

  function stored() {
    try { return JSON.parse(localStorage.getItem(KEY) || 'null'); } catch (e) { return null; }
  }

  function tell(choice) {
    if (choice.analytics || choice.marketing) w.lodestone('consent', choice);
    // Refusal, or withdrawal of an earlier yes: stops tracking, deletes the visitor id and queue.
    else w.lodestone('revoke');
  }

  function choose(choice) {
    try { localStorage.setItem(KEY, JSON.stringify(choice)); } catch (e) { /* private mode: ask again next time */ }
    tell(choice);
    banner.hidden = true;
  }

  var banner = document.createElement('section');
  banner.className = 'consent';
  banner.setAttribute('aria-label', 'Privacy choices');
  banner.innerHTML =
    '<h2>Your privacy choices</h2>' +
    '<p>With your consent we measure visits, downloads and time on page to improve this site ' +
    '(analytics), and may link that history to you if you later request our content (marketing). ' +
    'Nothing is measured until you agree. You can change your mind at any time.</p>' +
    '<div class="choices">' +
    '<button type="button" class="button secondary" data-choice="none">Reject all</button>' +
    '<button type="button" class="button secondary" data-choice="analytics">Analytics only</button>' +
    '<button type="button" class="button" data-choice="all">Accept all</button>' +
    '</div>';
  banner.addEventListener('click', function (e) {
    var c = e.target && e.target.getAttribute && e.target.getAttribute('data-choice');
    if (c) choose({ analytics: c !== 'none', marketing: c === 'all' });
  });

  var choice = stored();
  banner.hidden = !!choice;
  if (choice) tell(choice);
  document.body.appendChild(banner);

  // Any element with data-consent-settings reopens the banner (e.g. in the footer).
  document.addEventListener('click', function (e) {
    if (e.target && e.target.closest && e.target.closest('[data-consent-settings]')) banner.hidden = false;
  });
})();
