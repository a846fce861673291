import { describe, expect, it } from 'vitest';
import { createAjv } from './ajv.js';
import { fieldErrors } from './field-errors.js';

// The shape openapi-backend validates: the body sits under `requestBody`, parameters under `path`.
const validate = createAjv().compile({
  type: 'object',
  properties: {
    requestBody: {
      type: 'object',
      additionalProperties: false,
      required: ['bio', 'login'],
      properties: {
        bio: { type: 'string', maxLength: 5 },
        login: { type: 'string', minLength: 3, pattern: '^[a-z]+$' },
        address: {
          type: 'object',
          required: ['city'],
          properties: { city: { type: 'string' } },
        },
        role: { enum: ['user', 'admin'] },
        active: { const: false },
      },
    },
    path: { type: 'object', properties: { user_id: { type: 'integer', minimum: 1 } } },
  },
});

const errorsFor = (value: unknown) => {
  expect(validate(value)).toBe(false);
  return fieldErrors(validate.errors ?? []);
};
const body = (requestBody: unknown) => errorsFor({ requestBody });

describe('fieldErrors', () => {
  it.each([
    ['a missing property', { login: 'abc' }, { field: 'bio', message: 'is required' }],
    [
      'an extra property',
      { bio: 'x', login: 'abc', x: 1 },
      { field: 'x', message: 'is not an allowed field' },
    ],
    [
      'a long string',
      { bio: 'toolong', login: 'abc' },
      { field: 'bio', message: 'must be at most 5 characters' },
    ],
    [
      'a short string',
      { bio: 'x', login: 'ab' },
      { field: 'login', message: 'must be at least 3 characters' },
    ],
    ['a wrong type', { bio: 42, login: 'abc' }, { field: 'bio', message: 'must be string' }],
    ['null', { bio: null, login: 'abc' }, { field: 'bio', message: 'must be string' }],
    [
      'a pattern mismatch',
      { bio: 'x', login: 'ABC' },
      { field: 'login', message: 'has characters or a shape that is not allowed' },
    ],
    [
      'a nested missing property',
      { bio: 'x', login: 'abc', address: {} },
      { field: 'address.city', message: 'is required' },
    ],
    [
      'a value outside an enum',
      { bio: 'x', login: 'abc', role: 'root' },
      { field: 'role', message: 'must be one of "user", "admin"' },
    ],
    [
      'a wrong constant',
      { bio: 'x', login: 'abc', active: true },
      { field: 'active', message: 'must be false' },
    ],
  ])('When the body has %s, then it maps to {field, message}', (_name, value, expected) => {
    expect(body(value)).toEqual([expected]);
  });

  it('When the body is not an object, then the field is "body"', () => {
    expect(body(['bio'])).toEqual([{ field: 'body', message: 'must be object' }]);
  });

  it('When a path parameter is wrong, then the part prefix is dropped', () => {
    expect(errorsFor({ requestBody: { bio: 'x', login: 'abc' }, path: { user_id: 0 } })).toEqual([
      { field: 'user_id', message: 'must be at least 1' },
    ]);
  });

  it('When several fields are wrong, then each is listed once', () => {
    const errors = body({ bio: 7, login: 'A', extra: true, other: 1 });
    expect(errors).toEqual([
      { field: 'extra', message: 'is not an allowed field' },
      { field: 'other', message: 'is not an allowed field' },
      { field: 'bio', message: 'must be string' },
      { field: 'login', message: 'must be at least 3 characters' },
      { field: 'login', message: 'has characters or a shape that is not allowed' },
    ]);
  });

  it('When Ajv reports the same problem twice, then it is listed once', () => {
    expect(validate({ requestBody: { login: 'abc' } })).toBe(false);
    expect(fieldErrors([...validate.errors!, ...validate.errors!])).toEqual([
      { field: 'bio', message: 'is required' },
    ]);
  });
});
