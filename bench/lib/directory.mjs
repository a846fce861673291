// The operator directory's search on Postgres: 100,000 accounts written into the auth service's
// database in one statement (lib/seed-directory.mjs), then GET /users?q=<prefix> through the service,
// one request at a time, each prefix the seed tag and two random hex digits (about 390 accounts
// match, a page of 50 is answered). An embedded run skips it: the figure that matters is Postgres's.
import { randomBytes, randomInt } from 'node:crypto';
import pg from 'pg';
import { OPERATOR } from './config.mjs';
import { expectStatus, request } from './http.mjs';
import { seedDirectory } from './seed-directory.mjs';
import { latencySummary } from './stats.mjs';

export const DIRECTORY_ACCOUNTS = 100_000;

export async function measureDirectory({ config, life, log, stack, state }) {
  if (!stack.authDatabaseUrl) {
    log('directory search: Postgres only (--infra); skipped');
    return { skipped: 'Postgres only (--infra)' };
  }
  const tag = `d${randomBytes(3).toString('hex')}`;
  log(`directory search: seeding ${DIRECTORY_ACCOUNTS} accounts`);
  const db = new pg.Client({ connectionString: stack.authDatabaseUrl });
  await db.connect();
  const seededAt = performance.now();
  try {
    await seedDirectory(db, DIRECTORY_ACCOUNTS, tag);
  } finally {
    await db.end();
  }
  const seedSeconds = (performance.now() - seededAt) / 1000;
  life.checkAborted();
  const login = await request(`${state.authUrl}/login`, {
    method: 'POST',
    body: { login: OPERATOR.login, password: OPERATOR.password },
  });
  const token = expectStatus(login, 200, 'POST /login (operator)').token_pair.access_token.token;
  const search = async () => {
    const prefix = `${tag}${randomInt(256).toString(16).padStart(2, '0')}`;
    const started = performance.now();
    const res = await request(`${state.authUrl}/users?q=${prefix}&limit=50`, { token });
    const body = expectStatus(res, 200, 'GET /users');
    if (body.items.length === 0) throw new Error(`GET /users?q=${prefix} found no account`);
    return res.at - started;
  };
  const samples = 5 * config.settings.samples;
  log(`directory search: ${samples} searches, one at a time, after 50 to warm up`);
  for (let i = 0; i < 50; i++) await search();
  const latencies = [];
  for (let i = 0; i < samples && !life.signal.aborted; i++) latencies.push(await search());
  life.checkAborted();
  return {
    accounts: DIRECTORY_ACCOUNTS,
    seedSeconds: Math.round(seedSeconds * 10) / 10,
    samples: latencies.length,
    ...latencySummary(latencies),
  };
}
