import type { OpenAPIObject } from '@nestjs/swagger';
import { ErrorCode } from './errors.js';

/** The one shape every error answer has (see exception.filter.ts), as an OpenAPI schema. */
const ERROR_SCHEMA = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer', description: 'The HTTP status again', example: 400 },
    error: { type: 'string', enum: Object.values(ErrorCode), description: 'What kind of failure, for code' },
    message: {
      type: 'string',
      description: 'What was wrong and, where it helps, what to do',
      example: 'discoveredAt: must carry a zone',
    },
    details: {
      type: 'object',
      additionalProperties: true,
      description:
        'More about it: `problems` (one per field: `field`, `rule`, `message`) for a 400, what is missing or conflicting for a 409',
      properties: {
        problems: {
          type: 'array',
          items: {
            type: 'object',
            properties: { field: { type: 'string' }, rule: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
    errorId: {
      type: 'string',
      description: 'A 500 only: the id of the logged error, to quote to an operator',
    },
  },
} as const;

const ANSWERS: Record<string, string> = {
  '400': 'Bad input: each field named with the rule it broke (`details.problems`)',
  '401': 'No API key, or one unknown, revoked or expired',
  '403': "The key's role may not do this (or four eyes refuse it)",
  '404': 'Nothing with that id (or nothing this key may see)',
  '409': 'Refused in its current state: the message says why and what to do',
};

/**
 * Every /v1 operation documents its 400, 401, 403, 404 and 409 answers with the error format, where its
 * decorators did not say more; public routes outside /v1 keep what they declare.
 */
export function documentErrors(document: OpenAPIObject): OpenAPIObject {
  document.components = { ...document.components };
  document.components.schemas = { ...document.components.schemas, Error: { ...ERROR_SCHEMA } as never };
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/v1/') || path.startsWith('/v1/webhooks/')) continue;
    for (const operation of Object.values(item) as Array<{ responses?: Record<string, unknown> }>) {
      if (!operation || typeof operation !== 'object' || !operation.responses) continue;
      for (const [status, description] of Object.entries(ANSWERS)) {
        operation.responses[status] ??= {
          description,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        };
      }
    }
  }
  return document;
}
