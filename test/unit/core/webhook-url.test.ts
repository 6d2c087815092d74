import { describe, expect, it } from 'vitest';
import { checkTargetUrl, targetPolicy } from '../../../edge/core/webhooks/url';

describe('webhook target URLs', () => {
  it('public policy: https to public hosts only', () => {
    for (const ok of ['https://hooks.crm.example/lodestone', 'https://api.hubspot.com/webhooks/x?token=1', 'https://8.8.8.8/x', 'https://hooks.example.com:8443/in', 'https://[2606:4700::1111]/']) {
      expect(checkTargetUrl(ok, 'public'), ok).toBeNull();
    }
    const refused: [string, RegExp][] = [
      ['http://hooks.example.com/', /https/],
      ['ftp://hooks.example.com/', /https/],
      ['not a url', /absolute URL/],
      ['https://user:pw@hooks.example.com/', /credentials/],
      ['https://hooks.example.com/#frag', /fragment/],
      ['https://localhost/', /localhost/],
      ['https://127.0.0.1/', /this machine/],
      ['https://2130706433/', /this machine/], // 127.0.0.1 in disguise
      ['https://0x7f.1/', /this machine/],
      ['https://127.1.2.3/', /private/],
      ['https://10.1.2.3/', /private/],
      ['https://172.16.0.1/', /private/],
      ['https://172.31.255.255/', /private/],
      ['https://192.168.1.1/', /private/],
      ['https://169.254.169.254/latest/meta-data', /private/],
      ['https://100.64.0.1/', /private/],
      ['https://0.0.0.0/', /private/],
      ['https://[::1]/', /localhost/],
      ['https://[::ffff:127.0.0.1]/', /private/],
      ['https://[fd00::1]/', /private/],
      ['https://[fe80::1]/', /private/],
      ['https://intranet/', /internal name/],
      ['https://db.internal/', /internal/],
      ['https://printer.local/', /internal/],
      ['https://app.localhost/', /internal/],
      [`https://hooks.example.com/${'a'.repeat(2100)}`, /at most 2048/],
    ];
    for (const [url, why] of refused) expect(checkTargetUrl(url, 'public'), url).toMatch(why);
    expect(checkTargetUrl('https://172.32.0.1/', 'public')).toBeNull(); // just outside 172.16/12
  });

  it('local policy: also plain http to this machine, nowhere else', () => {
    for (const ok of ['http://127.0.0.1:9999/hook', 'http://localhost:3000/', 'http://[::1]:8080/x', 'https://10.0.0.5/in', 'https://hooks.example.com/']) {
      expect(checkTargetUrl(ok, 'local'), ok).toBeNull();
    }
    expect(checkTargetUrl('http://hooks.example.com/', 'local')).toMatch(/only for localhost/);
    expect(checkTargetUrl('http://192.168.1.1/', 'local')).toMatch(/only for localhost/);
  });

  it('the policy follows WEBHOOK_TARGETS, else local dev (DEV_OUTBOX=on) means local', () => {
    expect(targetPolicy({})).toBe('public');
    expect(targetPolicy({ DEV_OUTBOX: 'off' })).toBe('public');
    expect(targetPolicy({ DEV_OUTBOX: 'on' })).toBe('local');
    expect(targetPolicy({ WEBHOOK_TARGETS: 'public', DEV_OUTBOX: 'on' })).toBe('public');
    expect(targetPolicy({ WEBHOOK_TARGETS: 'local' })).toBe('local');
    expect(targetPolicy({ WEBHOOK_TARGETS: 'bogus' })).toBe('public');
  });
});
