/**
 * Distinct client addresses for a stack started with TRUST_PROXY_HOPS=1: each request says where it
 * comes from in X-Forwarded-For, as the gateway would. `tag` (the last octet) keeps files apart.
 */
export function clientIps(tag: number) {
  let clients = 0;
  return {
    /** An address no other request of this file has used. */
    newIp: () => `10.${Math.floor(++clients / 250)}.${clients % 250}.${tag}`,
    from: (ip: string) => ({ headers: { 'x-forwarded-for': ip } }),
  };
}
