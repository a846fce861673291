// The chart's `helm test`: through the gateway, register a new account, log in, read the profile the
// user service created from the Register event, then deactivate the account again.
// GATEWAY_URL is the gateway's /api base, e.g. http://my-release-gateway:8080/api.
const base = (process.env.GATEWAY_URL ?? 'http://localhost:8080/api').replace(/\/$/, '');
const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
const account = {
  display_name: 'Smoke Test',
  login: `smoke_${suffix}`.slice(0, 30),
  email: `smoke_${suffix}@example.com`,
  password: 'SmokeTest123!',
};

async function call(method, path, { body, token } = {}) {
  const headers = { 'X-Request-Id': `helm-test-${suffix}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

function expectStatus(step, result, status) {
  if (result.status !== status) {
    throw new Error(
      `${step}: expected ${status}, got ${result.status} ${JSON.stringify(result.body)}`,
    );
  }
  console.log(`ok  ${step} (${status})`);
}

try {
  const registered = await call('POST', '/register', { body: account });
  expectStatus('POST /register', registered, 201);

  const loggedIn = await call('POST', '/login', {
    body: { login: account.login, password: account.password },
  });
  expectStatus('POST /login', loggedIn, 200);
  const token = loggedIn.body.token_pair.access_token.token;

  // The profile is created asynchronously from the Register event.
  let profile;
  for (let attempt = 0; attempt < 30; attempt++) {
    profile = await call('GET', '/profile', { token });
    if (profile.status !== 404) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  expectStatus('GET /profile', profile, 200);
  if (profile.body.display_name !== account.display_name) {
    throw new Error(`GET /profile: unexpected profile ${JSON.stringify(profile.body)}`);
  }

  expectStatus('POST /account-delete', await call('POST', '/account-delete', { token }), 200);
  console.log(`smoke test passed against ${base}`);
} catch (err) {
  console.error(`smoke test failed against ${base}: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
