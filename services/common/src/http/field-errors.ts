import type { ErrorObject } from 'ajv';
import type { FieldError } from '../errors/app-error.js';

// openapi-backend prefixes instance paths with the part of the request: /requestBody/..., /path/...
const PART_PREFIX = /^\/(requestBody|path|query|header|params)\/?/;

/** Turns Ajv's errors into `{field, message}` pairs a client can show next to its inputs. */
export function fieldErrors(ajvErrors: readonly ErrorObject[]): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const error of ajvErrors) {
    const field = fieldOf(error);
    const message = messageOf(error);
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, message });
  }
  return out;
}

function fieldOf(error: ErrorObject): string {
  const base = error.instancePath.replace(PART_PREFIX, '').split('/').filter(Boolean).join('.');
  const child =
    error.keyword === 'required'
      ? (error.params as { missingProperty: string }).missingProperty
      : error.keyword === 'additionalProperties' || error.keyword === 'unevaluatedProperties'
        ? ((error.params as { additionalProperty?: string; unevaluatedProperty?: string })
            .additionalProperty ??
          (error.params as { unevaluatedProperty?: string }).unevaluatedProperty)
        : undefined;
  return [base, child].filter(Boolean).join('.') || 'body';
}

function messageOf(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return 'is not an allowed field';
    case 'type':
      return `must be ${String(p.type)}`;
    case 'minLength':
      return `must be at least ${String(p.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(p.limit)} characters`;
    case 'minimum':
      return `must be at least ${String(p.limit)}`;
    case 'maximum':
      return `must be at most ${String(p.limit)}`;
    case 'format':
      return `must be a valid ${String(p.format)}`;
    case 'pattern':
      return 'has characters or a shape that is not allowed';
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return error.message ?? 'is invalid';
  }
}
