/**
 * The edge's dependency rule, checked by `npm run lint:deps` (part of `npm test`).
 * README "Architecture" draws it. Each rule's name is what a violation prints.
 *
 *   app.ts, scheduled.ts, index.ts   composition: mount routes, run the cron
 *   features/<name>/                 routes → use cases → stores (+ schemas), one folder per feature
 *   platform/                        Cloudflare glue: env, waitUntil, rate limiter, request facts, guards
 *   http/                            request plumbing: problems, bodies, validation, page layout
 *   core/                            pure code: scoring engine, crypto, signing, text rules, schemas
 *   protocol/                        the wire contract shared with snippet and widget
 */
const STORE = '(^|/)[a-z-]*store\\.ts$';
const ROUTES = '(^|/)[a-z-]*routes\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'An import cycle means two modules cannot be understood (or tested) apart.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'protocol-stands-alone',
      comment: 'protocol/ is the wire contract shared by snippet, widget and edge: it imports nothing of theirs.',
      severity: 'error',
      from: { path: '^protocol/' },
      to: { path: '^(edge|snippet|widget|cli|dashboard)/' },
    },
    {
      name: 'core-is-pure',
      comment: 'edge/core/ is pure code: it imports only itself, protocol/ and libraries; no D1, no HTTP, no features. It throws domain errors (core/errors.ts), never problems.',
      severity: 'error',
      from: { path: '^edge/core/' },
      to: { path: '^edge/', pathNot: '^edge/core/' },
    },
    {
      name: 'core-has-no-framework',
      comment: 'edge/core/ may use Hono\'s stateless utilities (encoding) but not Hono itself or anything Cloudflare-specific.',
      severity: 'error',
      from: { path: '^edge/core/' },
      to: { path: '(^|/)node_modules/(hono/dist/(?!.*utils/)|@cloudflare/)' },
    },
    {
      name: 'http-stays-below-features',
      comment: 'edge/http/ is request plumbing (problems, bodies, validation, page layout): it builds on core/ only and never imports platform glue, features or the composition root.',
      severity: 'error',
      from: { path: '^edge/http/' },
      to: { path: '^edge/', pathNot: '^edge/(core|http)/' },
    },
    {
      name: 'platform-stays-below-features',
      comment: 'edge/platform/ is Cloudflare glue: it serves features and never imports them or the composition root.',
      severity: 'error',
      from: { path: '^edge/platform/' },
      to: { path: '^edge/', pathNot: '^edge/(core|http|platform)/' },
    },
    {
      name: 'features-meet-through-index',
      comment: 'A feature reaches another only through that feature\'s index.ts, its public face; its other files are its own business.',
      severity: 'error',
      from: { path: '^edge/features/([^/]+)/' },
      to: { path: '^edge/features/', pathNot: ['^edge/features/$1/', '^edge/features/[^/]+/index\\.ts$'] },
    },
    {
      name: 'only-app-mounts-routes',
      comment: 'A route module is a leaf mounted by app.ts: no route, use case, store or index imports one. What two routes share belongs in a use case, a store or schemas.',
      severity: 'error',
      from: { pathNot: '^edge/app\\.ts$' },
      to: { path: ROUTES },
    },
    {
      name: 'stores-stay-below-use-cases',
      comment: 'A store is data access: plain functions over D1. It imports core/, protocol/, its own feature\'s stores and schemas and other features\' index.ts; never use cases, routes, pages, platform glue or HTTP (so it never throws a problem).',
      severity: 'error',
      from: { path: STORE },
      to: { path: '^edge/', pathNot: ['^edge/core/', STORE, '(^|/)[a-z-]*schemas\\.ts$', '^edge/features/[^/]+/index\\.ts$'] },
    },
    {
      name: 'features-stay-below-composition',
      comment: 'app.ts, scheduled.ts and index.ts compose the features; nothing below them imports them.',
      severity: 'error',
      from: { path: '^edge/(core|http|platform|features)/' },
      to: { path: '^edge/(app|scheduled|index)\\.ts$' },
    },
    {
      name: 'dashboard-is-a-client',
      comment: 'dashboard/ is a browser client of the API: it imports itself, protocol/ and libraries, never edge, snippet, widget or CLI code (the API is its only way in).',
      severity: 'error',
      from: { path: '^dashboard/' },
      to: { path: '^(edge|snippet|widget|cli)/' },
    },
    {
      name: 'dashboard-views-load-on-demand',
      comment: 'A view is its own chunk, loaded when it is opened: nothing but the view registry imports one (shared parts belong in dashboard/ui/).',
      severity: 'error',
      from: { path: '^dashboard/', pathNot: ['^dashboard/view-registry\\.ts$', '^dashboard/views/'] },
      to: { path: '^dashboard/views/' },
    },
    {
      name: 'dashboard-views-stand-apart',
      comment: 'A view (views/<name>.tsx and views/<name>/) never imports another view: what two views share belongs in dashboard/ui/.',
      severity: 'error',
      from: { path: '^dashboard/views/([^/.]+)' },
      to: { path: '^dashboard/views/', pathNot: '^dashboard/views/$1(\\.tsx|/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist|test)/' },
  },
};
