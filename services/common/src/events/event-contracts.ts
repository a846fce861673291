import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { createAjv } from '../http/ajv.js';
import type { UserInfoEvent } from '../generated/events.js';
import { contractPath } from '../contracts.js';
import { PermanentEventError } from './event-bus.js';

interface AsyncApiDoc {
  components: {
    messages: Record<string, { name: string; payload: { $ref: string } }>;
    schemas: Record<string, unknown>;
  };
}

/**
 * Validates payloads against the message schemas of `openapi/events.yaml`, the same file that
 * generates the event types, so a payload that passes is the type the consumer expects.
 */
export class EventContracts {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    doc: AsyncApiDoc = parse(readFileSync(contractPath('events.yaml'), 'utf8')) as AsyncApiDoc,
  ) {
    const ajv = createAjv();
    const schemas = JSON.parse(
      JSON.stringify(doc.components.schemas).replaceAll(
        '#/components/schemas/',
        'events.json#/$defs/',
      ),
    ) as Record<string, unknown>;
    ajv.addSchema({ $id: 'events.json', $defs: schemas });
    for (const message of Object.values(doc.components.messages)) {
      const name = message.payload.$ref.split('/').pop()!;
      this.validators.set(message.name, ajv.compile({ $ref: `events.json#/$defs/${name}` }));
    }
  }

  get eventTypes(): string[] {
    return [...this.validators.keys()];
  }

  /** Returns the payload typed, or throws a PermanentEventError that says what is wrong. */
  parse(payload: unknown): UserInfoEvent {
    const type = (payload as { event_type?: unknown } | null)?.event_type;
    const validate = typeof type === 'string' ? this.validators.get(type) : undefined;
    if (!validate) {
      throw new PermanentEventError(`unknown event_type ${JSON.stringify(type ?? null)}`);
    }
    if (!validate(payload)) {
      const details = (validate.errors ?? []).map((e) => {
        // Ajv's message does not say which property is extra; name it.
        const extra = (e.params as { additionalProperty?: string }).additionalProperty;
        return `${e.instancePath || '/'} ${e.message ?? ''}${extra ? ` "${extra}"` : ''}`.trim();
      });
      throw new PermanentEventError(`invalid ${type} payload: ${details.join('; ')}`);
    }
    return payload as UserInfoEvent;
  }
}
