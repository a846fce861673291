import { execFileSync } from 'node:child_process';

/**
 * Debian's oathtool, the reference the TOTP tests check codes against (scripts/ensure-oathtool.sh
 * installs it). Without it those tests are skipped with a warning, and fail when CI is set.
 */
function findOathtool(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v oathtool']).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

const path = findOathtool();
if (!path) {
  const message =
    'oathtool is not installed: the TOTP cross-checks against it are SKIPPED (run scripts/ensure-oathtool.sh).';
  if (process.env.CI) throw new Error(`${message} CI is set, so the run fails instead.`);
  console.warn(`WARNING: ${message}`);
}

export const oathtool = { available: path !== undefined, path };

/** The TOTP code oathtool computes for a base32 secret at `atMs`. */
export function oathtoolCode(secret: string, atMs: number = Date.now()): string {
  if (!path) throw new Error('oathtool is not installed');
  return execFileSync(path, ['--totp', '--base32', `--now=@${Math.floor(atMs / 1000)}`, secret])
    .toString()
    .trim();
}
