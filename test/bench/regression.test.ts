import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM of the benchmark, without type declarations
import { findRegressions, readCommittedRatios, RUN_KINDS } from '../../bench/lib/regression.mjs';
// @ts-expect-error: plain ESM of the benchmark, without type declarations
import { SCENARIOS } from '../../bench/lib/scenarios.mjs';

const REPO = new URL('../../', import.meta.url).pathname;

interface Regression {
  key: string;
  ratio: number;
  committed: number;
  message: string;
}
const find = findRegressions as (results: unknown, committed: unknown) => Regression[];

const committed = {
  embedded: { login: 0.8, profile: 0.6 },
  infra: { login: 0.75 },
  'quick-infra': { login: 0.6 },
};
interface Row {
  key: string;
  ratio: number | null;
  secondLook?: { ratio: number | null };
}
const run = (mode: string, scenarios: Row[], quick = false) => ({
  run: { mode, quick },
  scenarios,
});

describe('the benchmark regression guard', () => {
  it('When a ratio falls more than a third below its committed figure, then the run has a regression that names it', () => {
    const found = find(
      run('embedded', [
        { key: 'login', ratio: 0.5 },
        { key: 'profile', ratio: 0.59 },
      ]),
      committed,
    );
    expect(found.map((r) => r.key)).toEqual(['login']);
    expect(found[0]!.message).toContain('login: ratio 0.50');
    expect(found[0]!.message).toContain('committed 0.80');
  });

  it('When a ratio is within a third of its figure, or above it, then nothing is found', () => {
    const ratios = [
      { key: 'login', ratio: 0.54 },
      { key: 'profile', ratio: 0.9 },
    ];
    expect(find(run('embedded', ratios), committed)).toEqual([]);
  });

  it('When a scenario has no ratio or no committed figure, then it is not judged; each mode has its own figures', () => {
    const scenarios = [
      { key: 'login', ratio: null },
      { key: 'refresh', ratio: 0.01 },
    ];
    expect(find(run('embedded', scenarios), committed)).toEqual([]);
    expect(find(run('infra', [{ key: 'login', ratio: 0.6 }]), committed)).toEqual([]);
    expect(find(run('infra', [{ key: 'login', ratio: 0.4 }]), committed).map((r) => r.key)).toEqual(
      ['login'],
    );
  });

  it('When the run is quick, then it is judged by the quick figures of its mode, and by none if there are none', () => {
    expect(find(run('infra', [{ key: 'login', ratio: 0.45 }], true), committed)).toEqual([]);
    expect(
      find(run('infra', [{ key: 'login', ratio: 0.39 }], true), committed).map((r) => r.message),
    ).toEqual([expect.stringContaining('committed 0.60 for quick-infra runs')]);
    expect(find(run('embedded', [{ key: 'login', ratio: 0.1 }], true), committed)).toEqual([]);
  });

  it('When a scenario has a second look, then the better of its two ratios is judged and the message gives both', () => {
    const slowThenFine = { key: 'login', ratio: 0.4, secondLook: { ratio: 0.7 } };
    expect(find(run('embedded', [slowThenFine]), committed)).toEqual([]);
    const slowTwice = { key: 'login', ratio: 0.4, secondLook: { ratio: 0.45 } };
    const [found] = find(run('embedded', [slowTwice]), committed);
    expect(found!.ratio).toBe(0.45);
    expect(found!.message).toContain('ratio 0.40 (0.45 on a second look)');
    const noBound = { key: 'login', ratio: 0.4, secondLook: { ratio: null } };
    expect(find(run('embedded', [noBound]), committed).map((r) => r.ratio)).toEqual([0.4]);
  });

  it('When the committed figures are read, then every load scenario of every kind of run has a ratio between 0 and 2', () => {
    const figures = readCommittedRatios(`${REPO}bench/ratios.json`) as Record<
      string,
      Record<string, number>
    >;
    for (const mode of RUN_KINDS as string[]) {
      const keys = (SCENARIOS as { key: string }[]).map((s) => s.key);
      expect(Object.keys(figures[mode]!).sort()).toEqual(keys.sort());
      for (const ratio of Object.values(figures[mode]!)) {
        expect(ratio).toBeGreaterThan(0);
        expect(ratio).toBeLessThan(2);
      }
    }
  });
});
