/** Half of a UTF-16 surrogate pair without the other: PostgreSQL would store U+FFFD for it. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
