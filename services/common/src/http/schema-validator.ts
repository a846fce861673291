import { loadOpenApi } from '../contracts.js';
import type { FieldError } from '../errors/app-error.js';
import { createAjv } from './ajv.js';
import { fieldErrors } from './field-errors.js';

/**
 * Validates a value against a named schema of an OpenAPI file, for input that does not arrive over HTTP
 * (command-line and environment input) but must obey the same rules.
 */
export function schemaValidator(
  file: 'auth.yaml' | 'user.yaml',
  schema: string,
): (value: unknown) => FieldError[] {
  const doc = JSON.parse(
    JSON.stringify(loadOpenApi(file)).replaceAll('"#/components/', '"doc#/components/'),
  ) as object;
  const ajv = createAjv();
  ajv.addSchema(doc, 'doc');
  const validate = ajv.compile({ $ref: `doc#/components/schemas/${schema}` });
  return (value) => (validate(value) ? [] : fieldErrors(validate.errors ?? []));
}
