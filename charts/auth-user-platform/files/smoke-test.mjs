// The chart's `helm test`: through the gateway, register a new account, log in, read the profile the
// user service created from the Register event, then deactivate the account again.
// GATEWAY_URL is the gateway's /api base, e.g. http://my-release-gateway:8080/api.
// Right after an install the platform may still be starting (the gateway without its backends, a
// service not ready, the broker connecting): each step is tried again while the answer says "not yet"
// (no connection, 502, 503, 504; 404 for a profile not created yet), until SMOKE_TEST_DEADLINE_SECONDS
// (240) have passed since the start. Any other wrong answer fails at once.
const base = (process.env.GATEWAY_URL ?? 'http://localhost:8080/api').replace(/\/$/, '');
const deadline = Date.now() + Number(process.env.SMOKE_TEST_DEADLINE_SECONDS ?? 240) * 1000;
const retryMs = Number(process.env.SMOKE_TEST_RETRY_MS ?? 2000);
const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
const account = {
  display_name: 'Smoke Test',
  login: `smoke_${suffix}`.slice(0, 30),
  email: `smoke_${suffix}@example.com`,
  password: 'SmokeTest123!',
};
const NOT_YET = new Set([502, 503, 504]);

async function call(method, path, { body, token } = {}) {
  const headers = { 'X-Request-Id': `helm-test-${suffix}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed };
  } catch (err) {
    return { status: 0, body: err instanceof Error ? err.message : String(err) };
  }
}

/** Calls until the answer is `status`, or is not a "not yet" one, or the deadline has passed. */
async function step(name, method, path, status, opts = {}) {
  const notYet = new Set([0, ...NOT_YET, ...(opts.notYet ?? [])]);
  for (let attempt = 1; ; attempt++) {
    const result = await call(method, path, opts);
    if (result.status === status || (attempt > 1 && opts.alsoAfterRetry === result.status)) {
      console.log(`ok  ${name} (${result.status}${attempt > 1 ? `, attempt ${attempt}` : ''})`);
      return result;
    }
    if (!notYet.has(result.status) || Date.now() + retryMs > deadline) {
      const got = result.status === 0 ? `no answer (${result.body})` : result.status;
      throw new Error(`${name}: expected ${status}, got ${got} ${JSON.stringify(result.body)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}

try {
  // A 409 after a retry: an earlier attempt created the account, its answer was lost.
  await step('POST /register', 'POST', '/register', 201, { body: account, alsoAfterRetry: 409 });
  const loggedIn = await step('POST /login', 'POST', '/login', 200, {
    body: { login: account.login, password: account.password },
  });
  const token = loggedIn.body.token_pair.access_token.token;
  // The profile is created asynchronously from the Register event.
  const profile = await step('GET /profile', 'GET', '/profile', 200, { token, notYet: [404] });
  if (profile.body.display_name !== account.display_name) {
    throw new Error(`GET /profile: unexpected profile ${JSON.stringify(profile.body)}`);
  }
  await step('POST /account-delete', 'POST', '/account-delete', 200, { token });
  console.log(`smoke test passed against ${base}`);
} catch (err) {
  console.error(`smoke test failed against ${base}: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
