import { tmpdir } from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, freePorts, stopChild, waitUntilHealthy } from './shared/processes.mjs';

export { freePort, freePorts };

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServiceProcess {
  readonly url: string;
  /** The last lines the process wrote, for failure messages. */
  output(): string;
  /** Sends a signal and waits for the exit; resolves with the exit code or signal. */
  kill(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
  /** Starts the process again with the same environment and port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs one service the way a container does: `node services/<name>/dist/main.js`, configured only by
 * its environment, on a fixed port; resolves once /healthz answers. `cwd` (default: the system's temp
 * folder, so a developer's `.env` in the repository never leaks in) is where the service looks for a
 * `.env` file and resolves a relative DATA_DIR.
 */
export async function startServiceProcess(
  name: 'auth' | 'user',
  port: number,
  env: Record<string, string>,
  opts: { cwd?: string } = {},
): Promise<ServiceProcess> {
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess;
  let log = '';
  const launch = async () => {
    log = '';
    child = spawn(process.execPath, [path.join(ROOT, 'services', name, 'dist', 'main.js')], {
      cwd: opts.cwd ?? tmpdir(),
      env: { PATH: process.env.PATH ?? '', ...env, HOST: '127.0.0.1', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-8000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const health = await waitUntilHealthy([`${url}/healthz`], {
      exited: () => child.exitCode !== null || child.signalCode !== null,
      timeoutMs: 30_000,
    });
    if (health.outcome === 'exited') {
      throw new Error(`service at ${url} exited during start-up:\n${log}`);
    }
    if (health.outcome === 'timeout') {
      throw new Error(`service at ${url} did not become healthy in 30 s:\n${log}`);
    }
  };
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const exit = await stopChild(child, { signal });
    return exit.code ?? exit.signal;
  };
  await launch();
  return {
    url,
    output: () => log,
    kill,
    restart: launch,
    stop: async () => {
      await kill('SIGTERM');
    },
  };
}
