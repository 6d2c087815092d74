/**
 * The dashboard's one HTML page. Everything it runs and styles comes from
 * files of this origin (built into the assets under /app/), so the policy
 * allows no inline script or style at all; the views talk to this origin
 * only, and no other site may frame the page.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Lodestone</title>
<link rel="stylesheet" href="/app/app.css">
<script type="module" src="/app/app.js"></script>
</head>
<body>
<div id="app"></div>
<noscript>The Lodestone dashboard needs JavaScript. Das Lodestone-Dashboard braucht JavaScript.</noscript>
</body>
</html>
`;
