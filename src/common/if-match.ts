import { AppError, ErrorCode } from './errors.js';

/** The version an If-Match header names (`"3"`, `W/"3"` or `3`): what a change expects to change; 428 without one. */
export function parseIfMatch(header: string | undefined): number {
  if (header === undefined) {
    throw new AppError(ErrorCode.PreconditionRequired, 'send If-Match with the ETag of the version you read');
  }
  return versionOf(header);
}

/** The same where the header may be left out (the change then goes without the check). */
export function parseOptionalIfMatch(header: string | undefined): number | undefined {
  return header === undefined ? undefined : versionOf(header);
}

function versionOf(header: string): number {
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) {
    throw AppError.invalid([
      { field: 'If-Match', rule: 'isEtag', message: 'If-Match must be an ETag this API returned, e.g. "3"' },
    ]);
  }
  return Number(match[1]);
}
