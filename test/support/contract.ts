import { expect } from 'vitest';
import { createAjv, loadOpenApi } from '@platform/common';

interface ResponseObject {
  $ref?: string;
  content?: Record<string, { schema: unknown }>;
  headers?: Record<string, unknown>;
}

/**
 * Checks responses against the OpenAPI file: the status must be declared for the operation, the
 * content type must be the declared one and the body must match its schema.
 */
export class ContractChecker {
  private readonly doc: Record<string, unknown>;
  private readonly ajv: ReturnType<typeof createAjv>;
  private readonly operations = new Map<string, Record<string, unknown>>();

  constructor(file: 'auth.yaml' | 'user.yaml') {
    this.doc = loadOpenApi(file) as unknown as Record<string, unknown>;
    this.ajv = createAjv();
    this.ajv.addSchema(
      JSON.parse(JSON.stringify(this.doc).replaceAll('"#/components/', '"doc#/components/')),
      'doc',
    );
    for (const pathItem of Object.values(
      this.doc.paths as Record<string, Record<string, unknown>>,
    )) {
      for (const op of Object.values(pathItem) as Record<string, unknown>[]) {
        if (op && typeof op === 'object' && typeof op.operationId === 'string')
          this.operations.set(op.operationId, op);
      }
    }
  }

  check(
    operationId: string,
    res: { status: number; contentType: string | null; body: unknown },
  ): void {
    const op = this.operations.get(operationId);
    expect(op, `operation ${operationId} exists`).toBeDefined();
    const responses = op!.responses as Record<string, ResponseObject>;
    let response = responses[String(res.status)];
    expect(response, `${operationId} declares status ${res.status}`).toBeDefined();
    if (response!.$ref) response = this.resolve(response!.$ref);
    const declared = Object.keys(response!.content ?? {});
    if (declared.length === 0) {
      expect(res.body, `${operationId} ${res.status} has no body`).toBeUndefined();
      return;
    }
    const mediaType = (res.contentType ?? '').split(';')[0]!.trim();
    expect(declared, `${operationId} ${res.status} content type`).toContain(mediaType);
    const schema = JSON.parse(
      JSON.stringify(response!.content![mediaType]!.schema).replaceAll(
        '"#/components/',
        '"doc#/components/',
      ),
    ) as object;
    const validate = this.ajv.compile(schema);
    const valid = validate(res.body);
    expect(validate.errors ?? [], `${operationId} ${res.status} body matches its schema`).toEqual(
      [],
    );
    expect(valid).toBe(true);
  }

  private resolve(ref: string): ResponseObject {
    const parts = ref.replace(/^#\//, '').split('/');
    let node: unknown = this.doc;
    for (const part of parts) node = (node as Record<string, unknown>)[part];
    return node as ResponseObject;
  }
}
