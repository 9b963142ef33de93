import { Injectable, Param, type PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { isUUID } from 'class-validator';
import { AppError } from '../common/errors.js';
import { IncidentsRepository } from './incidents.repository.js';

/** The references incidents are given (`INC-2026-0001`; five digits and more past 9,999 in a year). */
const REFERENCE = /^INC-\d{4}-\d{4,9}$/i;

const DESCRIPTION =
  'The incident: its id (a UUID) or its reference (INC-2026-0001, in any case). A reference no incident has is the same 404 as an unknown id.';

/**
 * An incident named in a path, by its id or by the reference people use for it (`INC-2026-0001`, in any
 * case: references are written in capitals, and a reference read out or typed is not always), answered
 * as the id, so every route behind it reads incidents by id as before. A UUID is passed on unread (an
 * unknown one is the route's own 404); a reference is looked up here, and one no incident has is the
 * same 404 as an unknown id. Anything else is a 400 naming the parameter.
 */
@Injectable()
export class IncidentIdPipe implements PipeTransform<string, Promise<string>> {
  constructor(private readonly incidents: IncidentsRepository) {}

  async transform(value: string): Promise<string> {
    if (isUUID(value)) return value;
    if (!REFERENCE.test(value)) {
      throw AppError.invalid([
        {
          field: 'id',
          rule: 'isIncidentId',
          message: "id must be an incident's UUID or its reference, such as INC-2026-0001",
        },
      ]);
    }
    const reference = value.toUpperCase();
    const id = await this.incidents.idByReference(reference);
    if (!id) throw AppError.notFound('incident', reference);
    return id;
  }
}

/**
 * The `:id` of a route under /v1/incidents/:id: the incident's id or reference, resolved to its id by
 * {@link IncidentIdPipe}, and documented so in the OpenAPI document. One decorator for every such route,
 * so none of them accepts one form and not the other.
 */
export function IncidentIdParam(): ParameterDecorator {
  return (target, key, index) => {
    Param('id', IncidentIdPipe)(target, key, index);
    if (key === undefined) return;
    const method = Object.getOwnPropertyDescriptor(target, key);
    if (method) {
      ApiParam({ name: 'id', type: String, description: DESCRIPTION, example: 'INC-2026-0001' })(
        target,
        key,
        method,
      );
    }
  };
}
