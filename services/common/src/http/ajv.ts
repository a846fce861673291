import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Ajv } from 'ajv';

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) with formats; the default Ajv ignores 3.1 keywords. */
export function createAjv(overrides: { coerceTypes?: boolean } = {}): Ajv {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: false,
    coerceTypes: overrides.coerceTypes ?? false,
    unicodeRegExp: true,
  });
  addFormats.default(ajv);
  return ajv as unknown as Ajv;
}
