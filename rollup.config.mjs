import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

/**
 * Browser bundles. Each is an IIFE served by the edge (/s.js, /w.js) plus an
 * ES module build of the snippet for apps that import it: the same code.
 */
const ts = () =>
  typescript({ tsconfig: './tsconfig.json', include: ['snippet/**', 'widget/**', 'protocol/**'], noEmit: false, outDir: undefined, declaration: false, allowJs: false, checkJs: false });

const minify = () =>
  terser({
    ecma: 2020,
    module: false,
    compress: { passes: 3, unsafe_arrows: true, pure_getters: true },
    mangle: { properties: { regex: /^_/ } },
    format: { comments: false },
  });

const plugins = () => [nodeResolve({ browser: true }), ts(), minify()];

export default [
  {
    input: 'snippet/index.ts',
    output: [{ file: 'dist/public/s.js', format: 'iife' }],
    plugins: plugins(),
  },
  {
    input: 'snippet/index.ts',
    output: [{ file: 'dist/snippet.mjs', format: 'es' }],
    plugins: plugins(),
  },
  {
    input: 'widget/index.tsx',
    output: [{ file: 'dist/public/w.js', format: 'iife' }],
    plugins: plugins(),
  },
];
