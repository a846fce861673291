// Types of processes.mjs, for the TypeScript tests.
import type { ChildProcess } from 'node:child_process';

export function freePort(): Promise<number>;

export function freePorts(count: number): Promise<number[]>;

export function waitUntilHealthy(
  urls: string[],
  opts: { exited: () => boolean; timeoutMs: number; intervalMs?: number },
): Promise<{ outcome: 'healthy' } | { outcome: 'exited' | 'timeout'; url: string }>;

export function stopChild(
  child: ChildProcess,
  opts?: { signal?: NodeJS.Signals; killAfterMs?: number },
): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
