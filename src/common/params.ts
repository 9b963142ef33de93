import { ParseUUIDPipe } from '@nestjs/common';
import { AppError } from './errors.js';

/** A path id that must be a UUID: anything else is a 400 naming the parameter. */
export function uuidParam(name: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () =>
      AppError.invalid([{ field: name, rule: 'isUuid', message: `${name} must be a UUID` }]),
  });
}
