/**
 * The edge's dependency rule, checked by `npm run lint:deps` (part of `npm test`).
 * README "Architecture" draws it. Each rule's name is what a violation prints.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Modules form a tree of layers: an import cycle means two modules cannot be understood (or tested) apart.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'protocol-stands-alone',
      comment: 'protocol/ is the wire contract shared by snippet, widget and edge: it imports nothing of theirs.',
      severity: 'error',
      from: { path: '^protocol/' },
      to: { path: '^(edge|snippet|widget|cli)/' },
    },
    {
      name: 'scoring-engine-is-pure',
      comment: 'edge/scoring/ is the pure scoring engine: no D1, no HTTP, no use cases; only itself, validation schemas and protocol/.',
      severity: 'error',
      from: { path: '^edge/scoring/' },
      to: { path: '^edge/', pathNot: '^edge/(scoring|validation)/' },
    },
    {
      name: 'lib-is-pure',
      comment: 'edge/lib/ holds pure helpers (crypto, signing, tokens, cursors, CSV, text): they import only each other, validation schemas and protocol/.',
      severity: 'error',
      from: { path: '^edge/lib/' },
      to: { path: '^edge/', pathNot: '^edge/(lib|validation)/' },
    },
    {
      name: 'stores-stay-below-use-cases',
      comment: 'edge/db/ is data access: plain functions over D1. It never reaches up into use cases, routes, pages or the HTTP layer.',
      severity: 'error',
      from: { path: '^edge/db/' },
      to: { path: '^edge/(services|routes|pages|http|validation)/' },
    },
    {
      name: 'use-cases-stay-below-routes',
      comment: 'edge/services/ (use cases) are called by routes and the cron, never the other way round.',
      severity: 'error',
      from: { path: '^edge/services/' },
      to: { path: '^edge/(routes|pages)/' },
    },
    {
      name: 'routes-do-not-import-routes',
      comment: 'A route module is a leaf mounted by app.ts: what two routes share belongs in a use case or a store.',
      severity: 'error',
      from: { path: '^edge/routes/' },
      to: { path: '^edge/routes/' },
    },
    {
      name: 'http-layer-stays-below-routes',
      comment: 'edge/http/ is request plumbing (bodies, auth, CORS, problems, rate limits): it serves routes and never imports them or use cases.',
      severity: 'error',
      from: { path: '^edge/http/' },
      to: { path: '^edge/(routes|services|pages)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist|test)/' },
  },
};
