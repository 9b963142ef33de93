import { applyDecorators, type Type } from '@nestjs/common';
import { ApiBody, ApiExtraModels, getSchemaPath } from '@nestjs/swagger';

/**
 * An operation's JSON body, with the example Swagger UI's "Try it out" starts from: real values the route
 * takes as they are (test/api-examples.e2e-spec.ts sends each one), for bodies whose properties' own
 * examples cannot make one (facts that must agree with each other, dates that must not be in the
 * future, a choice among fields). Every date-time in it carries its zone, as the API requires.
 */
export function ApiBodyExample(dto: Type<unknown>, example: object, summary: string): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(dto),
    ApiBody({ schema: { $ref: getSchemaPath(dto) }, examples: { example: { summary, value: example } } }),
  );
}
