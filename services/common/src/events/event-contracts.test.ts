import { describe, expect, it } from 'vitest';
import { PermanentEventError } from './event-bus.js';
import { EventContracts } from './event-contracts.js';

const contracts = new EventContracts();
const register = { event_type: 'Register', auth_id: 123, display_name: 'John Doe' };
const deactivate = { event_type: 'Account Deactivate', auth_id: 123, is_active: false };
const reactivate = { event_type: 'Account Reactivate', auth_id: 123, is_active: true };

const parseError = (payload: unknown): PermanentEventError => {
  try {
    contracts.parse(payload);
  } catch (err) {
    expect(err).toBeInstanceOf(PermanentEventError);
    return err as PermanentEventError;
  }
  throw new Error('the payload was accepted');
};

describe('EventContracts', () => {
  it('When it loads events.yaml, then it knows every event type', () => {
    expect(contracts.eventTypes.sort()).toEqual([
      'Account Deactivate',
      'Account Erased',
      'Account Reactivate',
      'Register',
      'Sessions Revoked',
    ]);
  });

  it.each([
    ['Register', register],
    ['Account Deactivate', deactivate],
  ])('When the seed %s payload is parsed, then it is returned as is', (_name, payload) => {
    expect(contracts.parse(JSON.parse(JSON.stringify(payload)))).toEqual(payload);
  });

  it('When an Account Reactivate payload is parsed, then it must say the account is active', () => {
    expect(contracts.parse(reactivate)).toEqual(reactivate);
    expect(() => contracts.parse({ ...reactivate, is_active: false })).toThrow();
    expect(() => contracts.parse({ ...reactivate, auth_id: 0 })).toThrow();
  });

  it('When a Sessions Revoked payload is parsed, then session ids, reason and expiry are checked', () => {
    const revoked = {
      event_type: 'Sessions Revoked',
      auth_id: 7,
      session_ids: ['0b0e6f5e-9d53-4a8f-a6f1-6f2f3c1d2a10'],
      reason: 'logout',
      expires_at: '2026-12-02T10:00:00.000Z',
    };
    expect(contracts.parse(revoked)).toEqual(revoked);
    for (const broken of [
      { ...revoked, session_ids: [] },
      { ...revoked, session_ids: ['not-a-uuid'] },
      { ...revoked, session_ids: Array.from({ length: 501 }, () => revoked.session_ids[0]) },
      { ...revoked, reason: 'bored' },
      { ...revoked, expires_at: 'tomorrow' },
    ]) {
      expect(() => contracts.parse(broken), JSON.stringify(broken).slice(0, 80)).toThrow();
    }
  });

  it('When a display name has 30 characters in another script, then it parses', () => {
    const payload = { ...register, display_name: 'Ж'.repeat(30) };
    expect(contracts.parse(payload)).toEqual(payload);
  });

  it.each([
    ['an unknown event_type', { ...register, event_type: 'Login' }, 'unknown event_type "Login"'],
    ['no event_type', { auth_id: 1 }, 'unknown event_type null'],
    ['a numeric event_type', { ...register, event_type: 1 }, 'unknown event_type 1'],
    ['null', null, 'unknown event_type null'],
    ['a string', 'Register', 'unknown event_type null'],
    ['auth_id a string', { ...register, auth_id: '123' }, '/auth_id must be integer'],
    ['auth_id zero', { ...register, auth_id: 0 }, '/auth_id must be >= 1'],
    ['auth_id past 32 bits', { ...register, auth_id: 2 ** 31 }, '/auth_id must be <= 2147483647'],
    ['a fractional auth_id', { ...deactivate, auth_id: 1.5 }, '/auth_id must be integer'],
    [
      'no auth_id',
      { event_type: 'Register', display_name: 'Jo' },
      "must have required property 'auth_id'",
    ],
    [
      'no display_name',
      { event_type: 'Register', auth_id: 1 },
      "must have required property 'display_name'",
    ],
    [
      'no is_active',
      { event_type: 'Account Deactivate', auth_id: 1 },
      "must have required property 'is_active'",
    ],
    [
      'an extra field',
      { ...register, role: 'admin' },
      'must NOT have additional properties "role"',
    ],
    [
      'a long display name',
      { ...register, display_name: 'J'.repeat(31) },
      '/display_name must NOT have more than 30 characters',
    ],
    [
      'an empty display name',
      { ...register, display_name: '' },
      '/display_name must NOT have fewer than 1 characters',
    ],
    ['display_name a number', { ...register, display_name: 7 }, '/display_name must be string'],
    ['is_active true', { ...deactivate, is_active: true }, '/is_active must be equal to constant'],
    ['is_active a string', { ...deactivate, is_active: 'false' }, '/is_active must be boolean'],
  ])(
    'When a payload has %s, then it throws a PermanentEventError saying so',
    (_name, payload, detail) => {
      expect(parseError(payload).message).toContain(detail);
    },
  );

  it('When several things are wrong, then the message names the event and each problem', () => {
    const { message } = parseError({ event_type: 'Register', auth_id: -1, extra: 1 });
    expect(message).toMatch(/^invalid Register payload: /);
    expect(message).toContain('/auth_id must be >= 1');
    expect(message).toContain("must have required property 'display_name'");
    expect(message).toContain('must NOT have additional properties "extra"');
  });
});
