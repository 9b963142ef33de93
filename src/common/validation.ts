import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, FieldProblem } from './errors.js';

/** Flattens class-validator's tree into one problem per broken rule, each naming its field path. */
export function toFieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      field,
      rule: rule === 'whitelistValidation' ? 'unknownField' : rule,
      message: rule === 'whitelistValidation' ? `${field} is not a known field` : message,
    }));
    return [...own, ...toFieldProblems(error.children ?? [], field)];
  });
}

/** A body must be a JSON object: an array or a bare value is refused before field validation. */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
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
 * refused like any unknown field (and would only ever be sent to pollute prototypes).
 */
function findForbiddenKeys(value: unknown, path = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.keys(value).flatMap((key) => {
    const field = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return [field];
    return findForbiddenKeys((value as Record<string, unknown>)[key], field);
  });
}

/** Strict: unknown fields are rejected, types are converted, every problem is reported at once. */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => AppError.invalid(toFieldProblems(errors)),
  });
}
