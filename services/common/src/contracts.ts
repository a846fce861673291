import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { Document } from 'openapi-backend';

// src/ and dist/ sit at the same depth, so the contracts folder is found from either.
const CONTRACTS_DIR = fileURLToPath(new URL('../../../openapi/', import.meta.url));

export function contractPath(file: 'auth.yaml' | 'user.yaml' | 'events.yaml'): string {
  return CONTRACTS_DIR + file;
}

export function loadOpenApi(file: 'auth.yaml' | 'user.yaml'): Document {
  return parse(readFileSync(contractPath(file), 'utf8')) as Document;
}
