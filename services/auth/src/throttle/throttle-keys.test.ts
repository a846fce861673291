import { describe, expect, it } from 'vitest';
import { clientNetwork, throttleKeys } from './throttle-keys.js';

describe('clientNetwork', () => {
  it.each([
    ['10.0.0.7', '10.0.0.7'],
    ['::ffff:10.0.0.7', '10.0.0.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
  ])('When the client address is %s, then it is counted as %s', (ip, network) => {
    expect(clientNetwork(ip)).toBe(network);
  });
});

describe('throttleKeys', () => {
  it('When a login is typed in another case, then it is the same account key', () => {
    expect(throttleKeys.account('JohnDoe')).toBe(throttleKeys.account('johndoe'));
    expect(throttleKeys.accountIp('JohnDoe', '10.0.0.1')).toBe(
      throttleKeys.accountIp('johndoe', '::ffff:10.0.0.1'),
    );
  });
});
