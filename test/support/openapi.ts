/**
 * The API document's request bodies as Swagger UI's "Try it out" fills them in: the operation's example,
 * else one built from the schema (each property's example, default or first enum value, else a
 * placeholder such as "string"). test/api-examples.e2e-spec.ts proves each is taken; the walk breaks them
 * one field at a time.
 */
export type Schema = Record<string, any>;
export interface Operation {
  requestBody?: {
    content: Record<string, { schema: Schema; example?: unknown; examples?: Record<string, any> }>;
  };
}
export type OpenApiDocument = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

/** What Swagger UI's sampler would put for a schema (the parts of its rules our document uses). */
export function sampleOf(doc: OpenApiDocument, schema: Schema | undefined, seen: string[] = []): unknown {
  if (!schema) return undefined;
  if (schema.$ref) {
    const name = (schema.$ref as string).split('/').pop()!;
    return seen.includes(name) ? undefined : sampleOf(doc, doc.components.schemas[name], [...seen, name]);
  }
  if ('example' in schema) return schema.example;
  if ('default' in schema) return schema.default;
  if (schema.enum) return schema.enum[0];
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s: Schema) => sampleOf(doc, s, seen)));
  if (schema.oneOf || schema.anyOf) return sampleOf(doc, (schema.oneOf ?? schema.anyOf)[0], seen);
  switch (schema.type ?? (schema.properties ? 'object' : undefined)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, property] of Object.entries<Schema>(schema.properties ?? {})) {
        if (property.readOnly) continue;
        const value = sampleOf(doc, property, seen);
        if (value !== undefined) out[key] = value;
      }
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        out.additionalProp1 = sampleOf(doc, schema.additionalProperties, seen);
      }
      return out;
    }
    case 'array':
      return [sampleOf(doc, schema.items, seen)];
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'boolean':
      return true;
    case 'string':
      return schema.format === 'date-time' ? new Date().toISOString() : 'string';
    default:
      return {};
  }
}

/** The body "Try it out" starts from for a JSON operation. */
export function tryItOut(doc: OpenApiDocument, operation: Operation): unknown {
  const media = operation.requestBody?.content['application/json'];
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  const first = Object.values(media.examples ?? {})[0] as { value?: unknown } | undefined;
  return first?.value ?? sampleOf(doc, media.schema);
}
