import { applyDecorators, ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { AppError, FieldProblem } from './errors.js';
import { parseZonedDateTime, zonedDateTimeMessage } from './date-time.js';
import { CONTROL, CONTROL_MULTILINE, hasVisibleText, isKnownLanguageTag, textProblem } from './text.js';

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
    if (metadata.type === 'query' && metadata.data && Array.isArray(value) && metadata.metatype !== Array) {
      // `?name=a&name=b`: Express gives a list where the route reads one value.
      throw AppError.invalid([
        { field: metadata.data, rule: 'notRepeated', message: `${metadata.data} must be given once` },
      ]);
    }
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw AppError.invalid([
          { field: 'body', rule: 'isObject', message: 'the request body must be a JSON object' },
        ]);
      }
    }
    if (metadata.type === 'body' || metadata.type === 'query') {
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

/**
 * Keys class-transformer leaves out instead of passing on (a key whose value on a new object is a function
 * or an accessor: every member of Object.prototype, `toString`, `valueOf`, `__proto__`...), so
 * whitelisting never sees them and a map keyed by language stored `{}` for `{"toString": {...}}`; and
 * `prototype`. They are refused like any unknown field, wherever they are (they would only ever be sent
 * to pollute prototypes or to slip past the check).
 */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  'prototype',
]);

/** A key that may be named in an error: a field's name or an index (anything else may be personal data). */
const NAMEABLE_KEY = /^(?:[A-Za-z_$][A-Za-z0-9_$-]{0,63}|\d{1,9})$/;

/**
 * The paths of the forbidden keys of a body or a query, a key on the way named by its position where it
 * is not {@link NAMEABLE_KEY}. Walked with a stack of its own (the body's depth is bounded before, in
 * common/http-hardening.ts, all the same).
 */
export function findForbiddenKeys(body: unknown): string[] {
  const found: string[] = [];
  const pending: Array<[unknown, string]> = [[body, '']];
  while (pending.length > 0) {
    const [value, path] = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    const keys = Object.keys(value);
    const field = (key: string, i: number) => {
      const name = NAMEABLE_KEY.test(key) ? key : `(key ${i + 1})`;
      return path ? `${path}.${name}` : name;
    };
    keys.forEach((key, i) => {
      if (FORBIDDEN_KEYS.has(key)) found.push(field(key, i));
    });
    for (let i = keys.length - 1; i >= 0; i -= 1) {
      const key = keys[i];
      if (!FORBIDDEN_KEYS.has(key)) pending.push([(value as Record<string, unknown>)[key], field(key, i)]);
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

/** Text a reader sees (rule `hasText`): not only white space or invisible characters (`"   "`, `"\u200b"`). */
export function HasText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'hasText',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || hasVisibleText(value),
        defaultMessage: (args) =>
          `${options?.each ? 'each of ' : ''}${args?.property ?? 'the field'} must say something (not only spaces or invisible characters)`,
      },
    },
    options,
  );
}

const CONTROL_RULE = 'noControlCharacters';
const controlMessage = (field: string, multiline: boolean) =>
  `${field} must not contain control characters${multiline ? ' (but tabs and line ends)' : ''} or bidirectional overrides (U+202D, U+202E)`;

/**
 * The directory's rule for names (rule `noControlCharacters`, common/text.ts CONTROL) for a DTO's text:
 * no control characters and no bidirectional override, which makes text read otherwise in a notice or a
 * report than it was written. `multiline` text keeps its tabs and line ends.
 */
export function NoControlCharacters(
  options: ValidationOptions & { multiline?: boolean } = {},
): PropertyDecorator {
  const { multiline = false, ...validation } = options;
  const pattern = multiline ? CONTROL_MULTILINE : CONTROL;
  return ValidateBy(
    {
      name: CONTROL_RULE,
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !pattern.test(value),
        defaultMessage: (args) =>
          controlMessage(`${validation.each ? 'each of ' : ''}${args?.property ?? 'the field'}`, multiline),
      },
    },
    validation,
  );
}

/**
 * The path (`de.description`, `0.text`) of the first text within `value` that holds a character of
 * `pattern`, a key on the way named by its position when it is not {@link NAMEABLE_KEY}; undefined if none.
 */
function controlPath(value: unknown, pattern: RegExp): string | undefined {
  const pending: Array<[unknown, string]> = [[value, '']];
  while (pending.length > 0) {
    const [inner, path] = pending.pop()!;
    if (typeof inner === 'string') {
      if (pattern.test(inner)) return path;
    } else if (typeof inner === 'object' && inner !== null) {
      const keys = Object.keys(inner);
      for (let i = keys.length - 1; i >= 0; i -= 1) {
        const name = NAMEABLE_KEY.test(keys[i]) ? keys[i] : `(key ${i + 1})`;
        pending.push([(inner as Record<string, unknown>)[keys[i]], path ? `${path}.${name}` : name]);
      }
    }
  }
  return undefined;
}

/**
 * {@link NoControlCharacters} for every text within an object or a list (words per field, translations
 * per language, chronology entries), which are text of several lines; the message names the text.
 */
export function NoControlCharactersWithin(): PropertyDecorator {
  return ValidateBy({
    name: CONTROL_RULE,
    validator: {
      validate: (value: unknown) => controlPath(value, CONTROL_MULTILINE) === undefined,
      defaultMessage: (args) => {
        const field = args?.property ?? 'the field';
        const path = controlPath(args?.value, CONTROL_MULTILINE);
        return controlMessage(path ? `${field}.${path}` : field, true);
      },
    },
  });
}

/**
 * A language tag as the directory takes a person's locale (well-formed BCP 47 that Intl reads, `en-12`
 * is not), of a language CLDR knows (`xx` is none): rule `isLocale`.
 */
export function IsLanguageTag(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isLocale',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isKnownLanguageTag(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'the field'} must be a BCP 47 language tag of a known language, such as en, de or pt-BR`,
      },
    },
    options,
  );
}

/** {@link HasText} and {@link NoControlCharacters}: text that says something, and only what it shows. */
export function VisibleText(options: ValidationOptions & { multiline?: boolean } = {}): PropertyDecorator {
  const { multiline, ...validation } = options;
  return applyDecorators(HasText(validation), NoControlCharacters(options));
}
