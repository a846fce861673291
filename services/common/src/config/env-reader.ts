export type EnvSource = Readonly<Record<string, string | undefined>>;

/** Every bad or missing variable at once, so one start-up tells the operator all that is wrong. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

interface Opts<T> {
  default?: T;
}

/**
 * Reads typed settings from an environment and collects every problem; `done` throws them together
 * and freezes the result. `process.env` is passed in by the entry point, never read here.
 */
export class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: EnvSource) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  string(name: string, opts: Opts<string> = {}): string {
    const value = this.raw(name) ?? opts.default;
    if (value === undefined) {
      this.problems.push(`${name} is required`);
      return '';
    }
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, opts: Opts<number> & { min?: number; max?: number } = {}): number {
    const raw = this.raw(name);
    if (raw === undefined) {
      if (opts.default !== undefined) return opts.default;
      this.problems.push(`${name} is required`);
      return 0;
    }
    const value = Number(raw);
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = opts;
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return opts.default ?? 0;
    }
    return value;
  }

  bool(name: string, opts: Opts<boolean> = {}): boolean {
    const raw = this.raw(name)?.toLowerCase();
    if (raw === undefined) {
      if (opts.default !== undefined) return opts.default;
      this.problems.push(`${name} is required (true or false)`);
      return false;
    }
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false, got "${raw}"`);
    return opts.default ?? false;
  }

  /** One of `values`; an old name in `aliases` is read as the value it stands for. */
  oneOf<const T extends string>(
    name: string,
    values: readonly T[],
    opts: Opts<T> & { aliases?: Readonly<Record<string, T>> } = {},
  ): T {
    const given = this.raw(name) ?? opts.default;
    const raw =
      given !== undefined && opts.aliases && Object.hasOwn(opts.aliases, given)
        ? opts.aliases[given]
        : given;
    if (raw === undefined || !values.includes(raw as T)) {
      this.problems.push(
        raw === undefined
          ? `${name} is required (one of ${values.join(', ')})`
          : `${name} must be one of ${values.join(', ')}, got "${raw}"`,
      );
      return values[0] as T;
    }
    return raw as T;
  }

  url(name: string, opts: Opts<string> & { protocols?: readonly string[] } = {}): string {
    const raw = this.raw(name) ?? opts.default;
    if (raw === undefined) {
      this.problems.push(`${name} is required`);
      return '';
    }
    try {
      const url = new URL(raw);
      if (opts.protocols && !opts.protocols.includes(url.protocol)) {
        this.problems.push(
          `${name} must use ${opts.protocols.join(' or ')}, got "${url.protocol}"`,
        );
      }
    } catch {
      this.problems.push(`${name} must be a URL`);
    }
    return raw;
  }

  /** Records a problem found by a check that spans several variables. */
  fail(problem: string): void {
    this.problems.push(problem);
  }

  done<T extends object>(config: T): Readonly<T> {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
    return deepFreeze(config);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
