import { applyDecorators } from '@nestjs/common';
import { Matches, ValidateBy } from 'class-validator';
import { isKnownJurisdiction, jurisdictionRule } from './codes.js';

/** The shape of a jurisdiction code: a country (BR) or a subdivision (US-CA), any case. */
export const JURISDICTION_SHAPE = /^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$/;

/**
 * A query's jurisdiction: of the shape of a code, then a known one (a country, or a subdivision where the
 * table has them). Each error says one thing and names the field; for a code that stands for another (UK),
 * the one to use.
 */
export function IsJurisdiction(field = 'jurisdiction'): PropertyDecorator {
  return applyDecorators(
    Matches(JURISDICTION_SHAPE, { message: `${field} must look like BR or US-CA` }),
    IsKnownJurisdiction(field),
  );
}

/**
 * A known jurisdiction code (what is not of a code's shape is the shape check's to refuse); `each` for a
 * list, whose error names the first code refused and what to use instead (UK: GB).
 */
export function IsKnownJurisdiction(field: string, options: { each?: boolean } = {}): PropertyDecorator {
  const unknown = (value: unknown) =>
    typeof value === 'string' && JURISDICTION_SHAPE.test(value) && !isKnownJurisdiction(value.toUpperCase());
  return ValidateBy(
    {
      name: 'isJurisdiction',
      validator: {
        validate: (value: unknown) => !unknown(value),
        defaultMessage: (args) =>
          jurisdictionRule(field, Array.isArray(args?.value) ? args.value.find(unknown) : args?.value),
      },
    },
    options,
  );
}
