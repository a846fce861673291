import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker } from '../../../test/support/contract.js';
import { deactivate, registeredUser } from '../../../test/support/events.js';
import type { RequestOptions } from '../../../test/support/http-client.js';
import { startStack, type Stack } from '../../../test/support/stack.js';

const contract = new ContractChecker('user.yaml');
let stack: Stack;
let token: string;

beforeAll(async () => {
  stack = await startStack();
  token = (await registeredUser(stack)).access;
});
afterAll(async () => {
  await stack?.stop();
});

const editBio = async (body: unknown, opts: RequestOptions = { token }) => {
  const res = await stack.userApi.patch('/edit-bio', body, opts);
  contract.check('editBio', res);
  return res;
};

const currentBio = async () => {
  const res = await stack.userApi.get('/profile', { token });
  contract.check('getProfile', res);
  return res.body.bio as string | null;
};

const fields = (res: { body: { errors: { field: string }[] } }) =>
  res.body.errors.map((e) => e.field);

describe('PATCH /edit-bio', () => {
  it('When it sends a bio, then it gets 200 and the profile returns it', async () => {
    const res = await editBio({ bio: 'Hello, I am John!' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ bio: 'Hello, I am John!', is_active: true });
    expect(await currentBio()).toBe('Hello, I am John!');
  });

  it.each([
    ['exactly 500 characters', 'b'.repeat(500)],
    ['500 characters outside the BMP', '😀'.repeat(500)],
    ['an empty string', ''],
  ])('When the bio is %s, then it is accepted', async (_name, bio) => {
    const res = await editBio({ bio });
    expect(res.status).toBe(200);
    expect(await currentBio()).toBe(bio);
  });

  it('When the bio is 501 characters, then it gets 422 naming bio and nothing changes', async () => {
    await editBio({ bio: 'before' });
    const res = await editBio({ bio: 'b'.repeat(501) });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ field: 'bio', message: 'must be at most 500 characters' }]);
    expect(await currentBio()).toBe('before');
  });

  it.each([
    ['no bio', {}, 'bio'],
    ['a number', { bio: 42 }, 'bio'],
    ['null', { bio: null }, 'bio'],
    ['an unknown field', { bio: 'ok', mood: 'happy' }, 'mood'],
    ['an array', ['bio'], 'body'],
  ])('When the body has %s, then it gets 422 naming the field', async (_name, body, field) => {
    const res = await editBio(body);
    expect(res.status).toBe(422);
    expect(fields(res)).toContain(field);
  });

  it('When no body is sent, then it gets 422', async () => {
    const res = await editBio(undefined, {
      token,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(422);
  });

  it('When the body is not JSON, then it gets 400', async () => {
    const res = await editBio(undefined, {
      token,
      raw: '{"bio": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:problem:malformed-body');
  });

  it('When the body is not sent as JSON, then it gets 415', async () => {
    const res = await editBio(undefined, {
      token,
      raw: 'bio=hello',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
  });

  it('When no token is sent, then it gets 401 with a Bearer challenge', async () => {
    const res = await editBio({ bio: 'anonymous' }, {});
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('When the account was deactivated, then it gets 403 and the bio is unchanged', async () => {
    const user = await registeredUser(stack);
    await deactivate(stack, user.access);
    const res = await editBio({ bio: 'too late' }, { token: user.access });
    expect(res.status).toBe(403);
    expect(res.body.type).toBe('urn:problem:account-inactive');
    const { rows } = await stack.userDb.query('SELECT bio FROM user_profiles WHERE auth_id = ?', [
      user.id,
    ]);
    expect(rows).toEqual([{ bio: null }]);
  });
});
