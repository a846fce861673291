import { execFile, spawnSync } from 'node:child_process';
import { REPO } from './helm.js';

export type ImageService = 'auth' | 'user';

/** The tags scripts/images/build.sh gives the service images (IMAGE_PREFIX as there). */
export const imageOf = (service: ImageService) =>
  `${process.env.IMAGE_PREFIX ?? 'localhost/auth-user-platform'}/${service}:local`;

export interface PodmanResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `podman ARGS`; resolves with its exit code and output, whatever the code. */
export function podman(args: string[], timeoutMs = 120_000): Promise<PodmanResult> {
  return new Promise((resolve) => {
    execFile(
      'podman',
      args,
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, stdout, stderr: err && code === 1 && !stderr ? err.message : stderr });
      },
    );
  });
}

/**
 * What `podman run` needs on these machines, from scripts/images/common.sh (one place for both): the
 * runtime (runc) and the limits podman can set.
 */
export function runtimeArgs(): string[] {
  const out = spawnSync(
    'bash',
    ['-c', '. scripts/images/common.sh && echo "--runtime=$PODMAN_RUNTIME" && ulimit_args'],
    { cwd: REPO, encoding: 'utf8' },
  );
  if (out.status !== 0) throw new Error(`scripts/images/common.sh failed: ${out.stderr}`);
  return out.stdout.split(/\s+/).filter(Boolean);
}

/** Why the image tests cannot run here (podman or a built image missing), or undefined. */
export function missingForImages(): string | undefined {
  const version = spawnSync('podman', ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    return 'podman is not installed (scripts/images/ensure-podman.sh installs it)';
  }
  const missing = (['auth', 'user'] as const)
    .map(imageOf)
    .filter((image) => spawnSync('podman', ['image', 'exists', image]).status !== 0);
  if (missing.length > 0) {
    return `image ${missing.join(' and ')} not built (scripts/images/build-base.sh, then build.sh)`;
  }
  return undefined;
}
