import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { readFileSync, rmSync } from 'node:fs';

/**
 * Browser bundles. Each is an IIFE served by the edge (/s.js, /t.js, /w.js)
 * plus an ES module build of the snippet for apps that import it: the same
 * code. The snippet is split in two: s.js (consent, command function; sends
 * and stores nothing) is what every page loads; t.js (the tracker) is
 * loaded by s.js only once tracking is allowed.
 */
const ts = () =>
  typescript({ tsconfig: './tsconfig.json', include: ['snippet/**', 'widget/**', 'dashboard/**', 'protocol/**'], noEmit: false, outDir: undefined, declaration: false, allowJs: false, checkJs: false });

const minify = (module = false) =>
  terser({
    ecma: 2020,
    module,
    compress: { passes: 3, unsafe_arrows: true, pure_getters: true },
    mangle: { properties: { regex: /^_/ } },
    format: { comments: false },
  });

const plugins = () => [nodeResolve({ browser: true }), ts(), minify()];

/**
 * The snippet's own minifier settings: every byte counts, and no property
 * mangling (s.js and t.js are separate bundles that share an interface, and
 * globals such as __tcfapi must keep their names).
 */
const snippetMinify = (module = false) =>
  terser({
    ecma: 2020,
    module,
    toplevel: true,
    compress: { passes: 5, unsafe: true, unsafe_arrows: true, unsafe_methods: true, unsafe_comps: true, pure_getters: true },
    format: { comments: false, wrap_func_args: false },
  });
const snippetPlugins = (module = false) => [nodeResolve({ browser: true }), ts(), snippetMinify(module)];

/**
 * The dashboard's stylesheet as a file beside its scripts: its page's
 * Content-Security-Policy allows styles from this origin only, never inline.
 */
const dashboardStyles = () => ({
  name: 'dashboard-styles',
  buildStart() {
    // Chunk names carry a hash: clear the old ones so the assets hold only this build's.
    rmSync('dist/public/app', { recursive: true, force: true });
    this.addWatchFile('dashboard/styles.css');
  },
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'app.css', source: readFileSync('dashboard/styles.css', 'utf8') });
  },
});

export default [
  {
    input: 'snippet/entry-loader.ts',
    output: [{ file: 'dist/public/s.js', format: 'iife', strict: false }],
    plugins: snippetPlugins(),
  },
  {
    input: 'snippet/entry-tracker.ts',
    output: [{ file: 'dist/public/t.js', format: 'iife', strict: false }],
    plugins: snippetPlugins(),
  },
  {
    input: 'snippet/entry-module.ts',
    output: [{ file: 'dist/snippet.mjs', format: 'es' }],
    plugins: snippetPlugins(true),
  },
  {
    input: 'widget/index.tsx',
    output: [{ file: 'dist/public/w.js', format: 'iife' }],
    plugins: plugins(),
  },
  {
    // The dashboard at /app: an ES module entry with its views split into
    // chunks loaded on demand, so signing in fetches only what it shows.
    input: 'dashboard/index.tsx',
    // The entry may carry what the views share (its extra exports): one file less to wait for.
    preserveEntrySignatures: 'allow-extension',
    output: [{ dir: 'dist/public/app', format: 'es', entryFileNames: 'app.js', chunkFileNames: 'chunks/[name]-[hash].js' }],
    plugins: [nodeResolve({ browser: true }), ts(), minify(true), dashboardStyles()],
  },
];
