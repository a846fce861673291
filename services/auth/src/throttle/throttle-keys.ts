import { isIPv6 } from 'node:net';
import type { FailureRule, RateLimitedOperation, ThrottleScope } from './throttle-policy.js';
import type { Counter } from './throttle-store.js';

/**
 * The network a client is counted by: an IPv4 address (also when it arrives IPv4-mapped), or the /64
 * of an IPv6 address, since one subscriber usually holds a whole /64 and could otherwise rotate through
 * it to get fresh counters.
 */
export function clientNetwork(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip.slice(0, 64);
  return `${hextets(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of a valid IPv6 address, without leading zeros. */
function hextets(ip: string): string[] {
  let address = ip.split('%')[0]!;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    address = `${address.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((group) => parseInt(group, 16).toString(16));
}

/**
 * The store's keys. A login is counted lower-cased as typed, whether or not an account has it, so an
 * unknown login is counted (and locked) exactly like a known one.
 */
export const throttleKeys = {
  account: (login: string) => `login:account:${login.toLowerCase()}`,
  ip: (ip: string) => `login:ip:${clientNetwork(ip)}`,
  accountIp: (login: string, ip: string) =>
    `login:account_ip:${clientNetwork(ip)} ${login.toLowerCase()}`,
  /** Every (account, network) key of a login: those that start with `prefix` and end with `suffix`. */
  accountIpPattern: (login: string) => ({
    prefix: 'login:account_ip:',
    suffix: ` ${login.toLowerCase()}`,
  }),
  rate: (operation: RateLimitedOperation, ip: string) => `rate:${operation}:${clientNetwork(ip)}`,
  mail: (address: string) => `rate:mail:${address.toLowerCase()}`,
  solution: (id: string) => `altcha:${id}`,
};

/** A failure counter a login attempt is counted on. */
export interface CountedKey extends Counter {
  scope: ThrottleScope;
}

/** The counters of a login attempt: the account, and with a client address, the address and both. */
export function loginKeys(
  login: string,
  ip: string | undefined,
  rules: Record<ThrottleScope, FailureRule>,
): CountedKey[] {
  const counted = (scope: ThrottleScope, key: string) => ({ scope, key, rule: rules[scope] });
  const account = counted('account', throttleKeys.account(login));
  if (ip === undefined) return [account];
  return [
    account,
    counted('ip', throttleKeys.ip(ip)),
    counted('account_ip', throttleKeys.accountIp(login, ip)),
  ];
}
