/** The first wait after a passing failure; it doubles with each further one, up to RETRY_MAX_MS. */
export const RETRY_BASE_MS = 5_000;
export const RETRY_MAX_MS = 15 * 60_000;

/**
 * How long to wait before the next attempt after `attempts` attempts: 5 s, 10 s, 20 s, ... at most
 * 15 min, each cut by up to a fifth at random so that mails which failed together spread out.
 */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (1 - 0.2 * random()));
}

/**
 * The Message-ID of a queued mail: the same on every attempt, so a mail delivered twice (a courier
 * that died between the server's acceptance and its own record of it) is recognisable as one. The
 * queue id with its creation time keeps it unique across databases; the domain is MAIL_FROM's.
 */
export function messageIdFor(mail: { id: number; createdAt: Date }, from: string): string {
  const domain = /@([^\s<>@]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
  return `<mail.${mail.id}.${mail.createdAt.getTime().toString(36)}@${domain}>`;
}
