// Accounts for the directory search, written straight into the auth service's Postgres database in
// one INSERT ... SELECT generate_series (100,000 in a few seconds; registering them through the API
// would take an hour of argon2). Their passwords are unusable: they are there to be found, not to log
// in. Shared by the benchmark's directory scenario and the test that reads the search's plan.

/**
 * The statements that add `count` active accounts with the role `user`, logins
 * `<tag><8 hex digits><n>` and emails `<8 other hex digits><n>@<tag>.example`, so that prefixes of
 * one to a few hex digits select from all of them down to a handful, then analyse the table.
 * `tag`: lower-case letters and digits, at most 12, that no other account's login starts with.
 */
export function directorySeedStatements(count, tag) {
  if (!/^[a-z0-9]{1,12}$/.test(tag)) throw new Error(`unusable seed tag: ${tag}`);
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`unusable seed count: ${count}`);
  const login = `'${tag}' || substr(md5(g::text), 1, 8) || g`;
  const email = `substr(md5(g::text), 9, 8) || g || '@${tag}.example'`;
  return [
    `INSERT INTO auth_info (login, login_lower, email, email_lower, hashed_password, is_active,
                            email_verified, locale, created_at, updated_at)
     SELECT ${login}, ${login}, ${email}, ${email}, '!unusable', true, g % 2 = 0, 'en', now(), now()
       FROM generate_series(1, ${count}) AS g`,
    `INSERT INTO user_roles (user_id, role_id, granted_at)
     SELECT a.id, r.id, now() FROM auth_info a JOIN roles r ON r.name = 'user'
      WHERE a.email_lower LIKE '%@${tag}.example'`,
    'ANALYZE auth_info',
    'ANALYZE user_roles',
  ];
}

/** Seeds through a pg client or pool (`query(text)`). */
export async function seedDirectory(db, count, tag) {
  for (const text of directorySeedStatements(count, tag)) await db.query(text);
}
