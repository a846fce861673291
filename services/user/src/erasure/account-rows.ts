/**
 * Every table of the user service that holds rows of an account, by the column that names it: an
 * erasure deletes them all (a table added here is erased with the rest), and the export
 * (ErasureRepository.dataOf) reads each of them.
 */
export const ACCOUNT_ROWS: readonly { table: string; column: string }[] = [
  { table: 'user_profiles', column: 'auth_id' },
  // A deactivation that overtook the account's Register.
  { table: 'deactivated_accounts', column: 'auth_id' },
  // Its ended sessions: once the id is erased, its tokens are refused by the tombstone instead.
  { table: 'revoked_sessions', column: 'auth_id' },
];
