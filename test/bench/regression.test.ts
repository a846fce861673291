import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM of the benchmark, without type declarations
import { findRegressions, readCommittedRatios } from '../../bench/lib/regression.mjs';
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

const committed = { embedded: { login: 0.8, profile: 0.6 }, infra: { login: 0.75 } };
const run = (mode: string, scenarios: { key: string; ratio: number | null }[]) => ({
  run: { mode },
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

  it('When the committed figures are read, then every load scenario of both modes has a ratio between 0 and 2', () => {
    const figures = readCommittedRatios(`${REPO}bench/ratios.json`) as Record<
      string,
      Record<string, number>
    >;
    for (const mode of ['embedded', 'infra']) {
      const keys = (SCENARIOS as { key: string }[]).map((s) => s.key);
      expect(Object.keys(figures[mode]!).sort()).toEqual(keys.sort());
      for (const ratio of Object.values(figures[mode]!)) {
        expect(ratio).toBeGreaterThan(0);
        expect(ratio).toBeLessThan(2);
      }
    }
  });
});
