import { setImmediate as yieldToRequests } from 'node:timers/promises';
import type { OutboxRepository } from '../outbox/outbox-repository.js';
import type { Store } from '../data/store.js';

/** Rows per delete statement: each batch is a short transaction beside live traffic. */
export const CLEANUP_BATCH_SIZE = 1000;

/** How long sent events stay in the outbox (for inspection) before they are deleted. */
export const SENT_OUTBOX_RETENTION_MS = 3_600_000;

/** How long delivered and failed mails (their bodies already deleted) stay for inspection. */
export const DELIVERED_MAIL_RETENTION_MS = 7 * 86_400_000;

/**
 * Expired tokens and sessions are kept this much longer: a replica whose clock runs a little behind
 * the cleanup's must still find a revoked token on the blacklist while it would accept its expiry.
 */
export const EXPIRY_GRACE_MS = 60_000;

/** Rows deleted, by table. */
export interface CleanupCounts {
  token_blacklist: number;
  sessions: number;
  outbox: number;
  /** Brute-force counters and used challenge solutions past their window (Postgres; see ThrottleStore). */
  login_throttle: number;
  /** Tokens of mailed links past their expiry (used or not: none can be spent any more). */
  mail_tokens: number;
  /** Mails delivered or given up longer ago than DELIVERED_MAIL_RETENTION_MS. */
  mail_queue: number;
  /** Tokens of logins waiting for a second factor, past their expiry. */
  mfa_tokens: number;
  /** Challenges of WebAuthn ceremonies past their expiry (answered or not). */
  webauthn_challenges: number;
}

export interface CleanupOptions {
  now?: Date;
  batchSize?: number;
  outboxRetentionMs?: number;
  /** Checked between batches (the service is stopping); the counts so far are returned. */
  signal?: AbortSignal;
}

/**
 * Deletes what no request can need any more: blacklist entries of expired tokens (an expired token is
 * refused for its expiry alone), sessions whose current refresh token has expired, revoked or not, and
 * events sent longer ago than the outbox retention, brute-force counters past their window and the
 * tokens of mailed links and the challenges of passkey ceremonies past their expiry, and mails delivered or given up a week ago. Work
 * is done in batches of one short statement each, so it runs beside traffic; runs that overlap (the
 * CronJob and a replica's timer) share the rows and count each deleted row once.
 */
export async function cleanup(store: Store, opts: CleanupOptions = {}): Promise<CleanupCounts> {
  const now = opts.now ?? new Date();
  const batchSize = opts.batchSize ?? CLEANUP_BATCH_SIZE;
  const expiredBefore = new Date(now.getTime() - EXPIRY_GRACE_MS);
  const { sessions, outbox, throttle, mailTokens, mail, mfaTokens, webauthnChallenges } =
    store.repos;
  const mailsBefore = new Date(now.getTime() - DELIVERED_MAIL_RETENTION_MS);
  return {
    token_blacklist: await inBatches(
      (limit) => sessions.deleteExpiredBlacklist(expiredBefore, limit),
      batchSize,
      opts.signal,
    ),
    sessions: await inBatches(
      (limit) => sessions.deleteExpiredSessions(expiredBefore, limit),
      batchSize,
      opts.signal,
    ),
    outbox: await pruneSentOutbox(outbox, {
      now,
      batchSize,
      retentionMs: opts.outboxRetentionMs,
      signal: opts.signal,
    }),
    login_throttle: await inBatches(
      (limit) => throttle.deleteExpired(expiredBefore, limit),
      batchSize,
      opts.signal,
    ),
    mail_tokens: await inBatches(
      (limit) => mailTokens.deleteExpired(expiredBefore, limit),
      batchSize,
      opts.signal,
    ),
    mfa_tokens: await inBatches(
      (limit) => mfaTokens.deleteExpired(expiredBefore, limit),
      batchSize,
      opts.signal,
    ),
    mail_queue: await inBatches(
      (limit) => mail.pruneDelivered(mailsBefore, limit),
      batchSize,
      opts.signal,
    ),
    webauthn_challenges: await inBatches(
      (limit) => webauthnChallenges.deleteExpired(expiredBefore, limit),
      batchSize,
      opts.signal,
    ),
  };
}

/** Deletes events sent before the retention; the outbox relay calls it too, a batch at a time. */
export function pruneSentOutbox(
  outbox: OutboxRepository,
  opts: {
    now?: Date;
    retentionMs?: number;
    batchSize?: number;
    maxBatches?: number;
    signal?: AbortSignal;
  } = {},
): Promise<number> {
  const now = opts.now ?? new Date();
  const cutoff = new Date(now.getTime() - (opts.retentionMs ?? SENT_OUTBOX_RETENTION_MS));
  return inBatches(
    (limit) => outbox.pruneSent(cutoff, limit),
    opts.batchSize ?? CLEANUP_BATCH_SIZE,
    opts.signal,
    opts.maxBatches,
  );
}

/** Runs `deleteBatch` until a batch comes back short; returns the rows deleted in all. */
async function inBatches(
  deleteBatch: (limit: number) => Promise<number>,
  limit: number,
  signal?: AbortSignal,
  maxBatches = Number.POSITIVE_INFINITY,
): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < maxBatches && !signal?.aborted; batch++) {
    const deleted = await deleteBatch(limit);
    total += deleted;
    if (deleted < limit) break;
    await yieldToRequests();
  }
  return total;
}
