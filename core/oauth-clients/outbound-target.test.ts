import { describe, expect, it } from '@jest/globals';
import { createOutboundTargetRule } from './outbound-target.js';

describe('the outbound target rule', () => {
  const strict = createOutboundTargetRule([]);

  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    '::ffff:7f00:1',
    'fd00::1',
    'fe80::1',
    '2001:db8::1',
  ])('refuses %s', (address) => expect(strict.addressAllowed(address, 'app.example')).toBe(false));

  it.each(['93.184.216.34', '1.1.1.1', '172.32.0.1', '2606:4700::1111'])('allows %s', (address) =>
    expect(strict.addressAllowed(address, 'app.example')).toBe(true),
  );

  it('refuses what is not an address at all', () => {
    expect(strict.addressAllowed('app.example', 'app.example')).toBe(false);
  });

  it('lets an operator allow ranges, addresses and host names', () => {
    const rule = createOutboundTargetRule(['10.0.0.0/8', '::1', 'Logout.Internal']);
    expect(rule.addressAllowed('10.9.9.9', 'x.example')).toBe(true);
    expect(rule.addressAllowed('::1', 'x.example')).toBe(true);
    expect(rule.addressAllowed('192.168.1.1', 'logout.internal')).toBe(true);
    expect(rule.addressAllowed('192.168.1.1', 'x.example')).toBe(false);
    expect(() => createOutboundTargetRule(['10.0.0.0/33'])).toThrow('Not an address');
  });

  it('judges a URI by its host as written: addresses and localhost names, not other names', () => {
    expect(strict.refuseUri('http://127.0.0.1:6379/')).toMatch(/private/);
    expect(strict.refuseUri('http://LOCALHOST/')).toMatch(/private/);
    expect(strict.refuseUri('http://app.localhost/')).toMatch(/private/);
    expect(strict.refuseUri('https://[::ffff:127.0.0.1]/')).toMatch(/private/);
    expect(strict.refuseUri('https://2130706433/')).toMatch(/private/);
    expect(strict.refuseUri('https://rp.example/logout')).toBeUndefined();
    expect(createOutboundTargetRule(['127.0.0.0/8']).refuseUri('http://localhost/')).toBeUndefined();
  });
});
