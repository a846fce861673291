import type { SqlTemplate } from '@platform/common';

/** The account an erasure deletes, as its rows name it. */
export interface ErasedAccount {
  id: number;
  /** Its address, lower-cased. */
  emailLower: string;
}

/** A DELETE of the rows of one account in one table. */
export interface AccountRows {
  table: string;
  where: SqlTemplate;
  params: (account: ErasedAccount) => unknown[];
}

const byUserId = (table: string): AccountRows => ({
  table,
  where: (p) => `user_id = ${p(1)}`,
  params: (account) => [account.id],
});

/**
 * Every row of the auth service that belongs to an account, deleted in this order by an erasure (a
 * table that names the account goes here, before `auth_info`). The audit trail is not here: its
 * records stay, pseudonymised (see ErasureRepository). The brute-force counters of the login and
 * its address live in the throttle store and are forgotten apart (Throttle.forgetAccount).
 */
export const ACCOUNT_ROWS: readonly AccountRows[] = [
  // Mails to the account's address or to an address it asked to move to, queued or delivered.
  {
    table: 'mail_queue',
    where: (
      p,
    ) => `lower(to_address) IN (SELECT lower(email) FROM mail_tokens WHERE user_id = ${p(1)})
                   OR lower(to_address) = ${p(2)}`,
    params: (account) => [account.id, account.emailLower],
  },
  byUserId('mail_tokens'),
  {
    table: 'password_reset_requests',
    where: (p) => `email_lower = ${p(1)}`,
    params: (account) => [account.emailLower],
  },
  // Sent events about it (a Register carries the display name); unsent ones go out first.
  {
    table: 'outbox',
    where: (p) => `aggregate_id = ${p(1)} AND sent_at IS NOT NULL`,
    params: (account) => [account.id],
  },
  byUserId('token_blacklist'),
  // Second factors: the authenticator app, recovery codes, logins waiting for a factor; passkeys,
  // the WebAuthn user handle and ceremonies in progress.
  byUserId('mfa_tokens'),
  byUserId('recovery_codes'),
  byUserId('totp_factors'),
  byUserId('webauthn_challenges'),
  byUserId('passkeys'),
  byUserId('webauthn_user_handles'),
  byUserId('sessions'),
  byUserId('user_roles'),
  { table: 'auth_info', where: (p) => `id = ${p(1)}`, params: (account) => [account.id] },
];
