import { env } from 'cloudflare:workers';
import { it } from 'vitest';
it('probe', async () => {
  await env.DB.exec('CREATE TABLE IF NOT EXISTS probe_b (id INTEGER PRIMARY KEY, data BLOB)');
  const buf = new Uint8Array(600 * 1024); buf[0] = 7; buf[buf.length-1] = 9;
  await env.DB.prepare('INSERT INTO probe_b (data) VALUES (?)').bind(buf).run();
  const row = await env.DB.prepare('SELECT data, length(data) AS n FROM probe_b LIMIT 1').first<any>();
  console.log('type', Object.prototype.toString.call(row.data), row.n, Array.isArray(row.data));
  const raw = await env.DB.prepare('SELECT data FROM probe_b LIMIT 1').raw<any>();
  console.log('raw type', Object.prototype.toString.call(raw[0][0]));
  await env.DB.exec("CREATE TABLE IF NOT EXISTS probe_l (x INTEGER)");
  await env.DB.exec("CREATE TRIGGER IF NOT EXISTS probe_l_nu BEFORE UPDATE ON probe_l BEGIN SELECT RAISE(ABORT, 'append-only'); END");
  await env.DB.prepare('INSERT INTO probe_l VALUES (1)').run();
  try { await env.DB.prepare('UPDATE probe_l SET x = 2').run(); console.log('update allowed!'); } catch (e) { console.log('update blocked', (e as Error).message); }
  console.log('frozen env?', Object.isFrozen(env), typeof (env as any).EMAIL);
});
