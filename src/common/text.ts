/** Half of a UTF-16 surrogate pair without the other: PostgreSQL would store U+FFFD for it. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A BCP 47 language tag's shape: a language of two or three letters, then up to three subtags (pt-BR). */
export const LANGUAGE_TAG = /^[a-z]{2,3}(-[a-z0-9]{2,8}){0,3}$/i;
