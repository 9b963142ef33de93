import { applyDecorators, ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { AppError, FieldProblem } from './errors.js';
import { parseZonedDateTime, zonedDateTimeMessage } from './date-time.js';
import { textProblem } from './text.js';

export { parseZonedDateTime, zonedDateTimeMessage } from './date-time.js';

/** Rules about what type of value a field holds: when one fails, the rules about its content do not apply. */
const KIND_RULES = new Set(['isString', 'isInt', 'isNumber', 'isBoolean', 'isArray', 'isObject']);

/**
 * Flattens class-validator's tree into problems naming their field path: a missing field gets one
 * (`isDefined`, "is required"), a value of the wrong kind only its kind's rules, anything else one per
 * broken rule. (Optional fields never fail when absent: an absent field that fails is a required one.)
 */
export function toFieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    let broken = Object.entries(error.constraints ?? {});
    const missing = (error.value === undefined || error.value === null) && broken.length > 0;
    if (error.value === null && broken.some(([rule]) => rule === NOT_NULL)) {
      // An optional field that takes no null: "is required" would be wrong.
      broken = broken.filter(([rule]) => rule === NOT_NULL);
    } else if (missing && !broken.some(([rule]) => rule === 'whitelistValidation')) {
      broken = [['isDefined', `${field} is required`]];
    } else if (broken.some(([rule]) => KIND_RULES.has(rule))) {
      broken = broken.filter(([rule]) => KIND_RULES.has(rule));
    }
    const own = broken.map(([rule, message]) => ({
      field,
      rule: rule === 'whitelistValidation' ? 'unknownField' : rule,
      message: rule === 'whitelistValidation' ? `${field} is not a known field` : message,
    }));
    return [...own, ...toFieldProblems(error.children ?? [], field)];
  });
}

const NOT_NULL = 'notNull';

/**
 * Optional, but when given, given as its one shape: null is refused like any other wrong shape (the
 * validators below it then run on what was given). `@IsOptional()` lets null through as "absent",
 * where a list given as null counted as a criterion and narrowed nothing.
 */
export function OptionalNotNull(): PropertyDecorator {
  return applyDecorators(
    ValidateIf((_object, value: unknown) => value !== undefined),
    ValidateBy({
      name: NOT_NULL,
      validator: {
        validate: (value: unknown) => value !== null,
        defaultMessage: (args) => `${args?.property ?? 'the field'} must not be null (leave it out)`,
      },
    }),
  );
}

/**
 * Not an email address, for ids stored in clear (external ids): a contact address goes through keyed
 * hashes, as the directory refuses an email-shaped externalId.
 */
export function NotEmailAddress(isEmail: (value: string) => boolean, options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'notContactData',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !isEmail(value),
        defaultMessage: (args) =>
          `${options?.each ? 'each of ' : ''}${args?.property ?? 'the id'} must be an external id, not an email address (find people by email with POST /v1/subjects/lookup)`,
      },
    },
    options,
  );
}

/** A body must be a JSON object: an array or a bare value is refused before field validation. */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Path parameters get the body's text rule here, where their names are known (the query string and
    // the body are checked before routing, in common/http-hardening.ts).
    if (metadata.type === 'param' && typeof value === 'string') {
      const problem = textProblem(value, metadata.data ?? 'path');
      if (problem) throw AppError.invalid([problem]);
    }
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw AppError.invalid([
          { field: 'body', rule: 'isObject', message: 'the request body must be a JSON object' },
        ]);
      }
    }
    if (metadata.type === 'body') {
      const forbidden = findForbiddenKeys(value);
      if (forbidden.length > 0) {
        throw AppError.invalid(
          forbidden.map((field) => ({
            field,
            rule: 'unknownField',
            message: `${field} is not a known field`,
          })),
        );
      }
    }
    return super.transform(value, metadata);
  }
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * class-transformer skips these keys instead of reporting them, so whitelisting never sees them; they are
 * refused like any unknown field (and would only ever be sent to pollute prototypes). Walked with a stack
 * of its own (the body's depth is bounded before, in common/http-hardening.ts, all the same).
 */
function findForbiddenKeys(body: unknown): string[] {
  const found: string[] = [];
  const pending: Array<[unknown, string]> = [[body, '']];
  while (pending.length > 0) {
    const [value, path] = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    const keys = Object.keys(value);
    const field = (key: string) => (path ? `${path}.${key}` : key);
    found.push(...keys.filter((key) => FORBIDDEN_KEYS.has(key)).map(field));
    for (let i = keys.length - 1; i >= 0; i -= 1) {
      const key = keys[i];
      if (!FORBIDDEN_KEYS.has(key)) pending.push([(value as Record<string, unknown>)[key], field(key)]);
    }
  }
  return found;
}

/** Strict: unknown fields are rejected, types are converted, every problem is reported at once. */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    // The value is read by toFieldProblems (is it there at all?), never put in a message.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => AppError.invalid(toFieldProblems(errors)),
  });
}

/** A DTO field that is a zoned ISO 8601 date-time (rule `isDateTime`): see {@link parseZonedDateTime}. */
export function IsZonedDateTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDateTime',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseZonedDateTime(value) !== undefined,
        defaultMessage: (args) => zonedDateTimeMessage(args?.property ?? 'the field'),
      },
    },
    options,
  );
}
