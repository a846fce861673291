import { describe, expect, it } from 'vitest';
import { ConfigError, EnvReader } from './env-reader.js';

const problemsOf = (read: (env: EnvReader) => unknown): readonly string[] => {
  try {
    read(new EnvReader({ PORT: '99999', MODE: 'fast', URL: 'not a url' }));
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('EnvReader', () => {
  it('When variables are unset or blank, then the defaults are used', () => {
    const env = new EnvReader({ HOST: '   ' });
    const config = env.done({
      host: env.string('HOST', { default: '0.0.0.0' }),
      port: env.int('PORT', { default: 8000 }),
      mode: env.oneOf('MODE', ['a', 'b'], { default: 'b' }),
      url: env.url('URL', { default: 'http://localhost:1' }),
    });
    expect(config).toEqual({ host: '0.0.0.0', port: 8000, mode: 'b', url: 'http://localhost:1' });
  });

  it('When values are set, then they are trimmed and typed', () => {
    const env = new EnvReader({ HOST: ' example.org ', PORT: ' 8080 ', MODE: 'a' });
    expect(env.string('HOST')).toBe('example.org');
    expect(env.int('PORT', { min: 0, max: 65535 })).toBe(8080);
    expect(env.oneOf('MODE', ['a', 'b'])).toBe('a');
    expect(env.done({})).toEqual({});
  });

  it.each([
    ['above the maximum', '65536', 'PORT must be an integer from 0 to 65535, got "65536"'],
    ['below the minimum', '-1', 'PORT must be an integer from 0 to 65535, got "-1"'],
    ['a fraction', '80.5', 'PORT must be an integer from 0 to 65535, got "80.5"'],
    ['not a number', 'eighty', 'PORT must be an integer from 0 to 65535, got "eighty"'],
  ])('When an integer is %s, then it is a problem', (_name, value, problem) => {
    const env = new EnvReader({ PORT: value });
    env.int('PORT', { default: 80, min: 0, max: 65535 });
    expect(() => env.done({})).toThrow(problem);
  });

  it('When a value is not one of the allowed ones, then the problem lists them', () => {
    const env = new EnvReader({ LOG_LEVEL: 'loud' });
    env.oneOf('LOG_LEVEL', ['info', 'debug']);
    expect(() => env.done({})).toThrow('LOG_LEVEL must be one of info, debug, got "loud"');
  });

  it.each([
    ['not a URL', 'nope', 'JWKS must be a URL'],
    ['of another protocol', 'ftp://host/keys', 'JWKS must use http: or https:, got "ftp:"'],
  ])('When a URL is %s, then it is a problem', (_name, value, problem) => {
    const env = new EnvReader({ JWKS: value });
    env.url('JWKS', { protocols: ['http:', 'https:'] });
    expect(() => env.done({})).toThrow(problem);
  });

  it('When required variables are missing, then each is reported', () => {
    const env = new EnvReader({});
    env.string('A');
    env.int('B');
    env.oneOf('C', ['x', 'y']);
    env.url('D');
    expect(() => env.done({})).toThrow(
      expect.objectContaining({
        problems: [
          'A is required',
          'B is required',
          'C is required (one of x, y)',
          'D is required',
        ],
      }),
    );
  });

  it('When several variables are wrong, then all problems are reported together', () => {
    const problems = problemsOf((env) => {
      env.int('PORT', { min: 0, max: 65535 });
      env.oneOf('MODE', ['slow']);
      env.url('URL');
      env.fail('A and B conflict');
      return env.done({});
    });
    expect(problems).toHaveLength(4);
    expect(problems[3]).toBe('A and B conflict');
  });

  it('When the config is done, then it is deeply frozen', () => {
    const config = new EnvReader({}).done({ port: 1, nested: { list: ['a'] } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.nested)).toBe(true);
    expect(Object.isFrozen(config.nested.list)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 2;
    }).toThrow(TypeError);
  });
});
