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
    ValidateBy({
      name: 'isJurisdiction',
      validator: {
        validate: (value: unknown) =>
          typeof value !== 'string' ||
          !JURISDICTION_SHAPE.test(value) ||
          isKnownJurisdiction(value.toUpperCase()),
        defaultMessage: (args) => jurisdictionRule(field, args?.value),
      },
    }),
  );
}
