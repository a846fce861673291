import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { generatePrivateJwk, isPrivateJwk, type PrivateJwk } from './signing-keys.js';

/** The embedded default's signing key: created once in the data folder and kept there. */
export async function devSigningKey(
  dataDir: string,
): Promise<{ key: PrivateJwk; file: string; created: boolean }> {
  const file = path.join(dataDir, 'dev-signing-key.json');
  try {
    const key: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (isPrivateJwk(key)) return { key, file, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = await generatePrivateJwk(`dev-${new Date().toISOString().slice(0, 10)}`);
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, JSON.stringify(key, null, 2), { mode: 0o600 });
  return { key, file, created: true };
}
