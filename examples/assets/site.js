/*
 * Demo interactions that show the Lodestone JS API: custom events from
 * buttons with data-track (and data-plan), and a report generated in the
 * browser (a blob: download) recorded with lodestone('download', …).
 */
(function () {
  'use strict';
  var w = window;
  w.lodestone = w.lodestone || function () { (w.lodestone.q = w.lodestone.q || []).push(arguments); };

  document.addEventListener('click', function (e) {
    var el = e.target && e.target.closest && e.target.closest('[data-track]');
    if (el) w.lodestone('track', el.getAttribute('data-track'), el.getAttribute('data-plan') ? { plan: el.getAttribute('data-plan') } : undefined);

    var report = e.target && e.target.closest && e.target.closest('[data-demo-report]');
    if (report) {
      var csv = 'plan,seats,price_eur\nstarter,5,49\nbusiness,25,199\nenterprise,100,\n';
      var a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      a.download = 'acme-price-sheet.csv';
      // A generated file: name it explicitly (the link is removed before a click could be seen).
      w.lodestone('download', 'acme-price-sheet.csv', { source: 'pricing-page' });
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
    }
  });
})();
