// @ts-check
/** `npm run dev`: the whole product on http://localhost:8787 (PORT overrides). */
import { DEMO_SITE, startStack } from './stack.mjs';

const port = Number(process.env.PORT ?? 8787);
console.log('Lodestone: building, migrating local D1 and starting wrangler dev…');
const stack = await startStack({ port, inherit: true });
const base = `http://localhost:${port}`;
console.log(`
  Lodestone is running.
    Demo site        ${base}/
    Snippet          ${base}/s.js     Widget ${base}/w.js
    Whitepaper form  ${base}/whitepaper   (confirmation mails land in ${base}/dev/outbox)
    Health           ${base}/healthz
    Demo site id     ${DEMO_SITE}
    Admin token      in .dev.vars (the CLI reads it: npx lodestone sites list)
    Marketing key    ${stack.apiKey}
                     (new on every start; the previous dev key is revoked)
  Watch events arrive:  npx lodestone events ${DEMO_SITE} --follow
  Stop with Ctrl+C.
`);
const shutdown = async () => {
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
stack.child.on('exit', (code) => process.exit(code ?? 0));
