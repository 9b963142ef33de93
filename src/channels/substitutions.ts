// What SendGrid does with the `%token%` substitutions of one personalization: the outbox shows a batch's
// email as each recipient would receive it, and the renderer's tests check the shared email against it.

/**
 * What SendGrid does with a personalization's substitutions, for the outbox and the tests: one pass, so a
 * value that happens to look like a token (a name "%url%") is never replaced in turn.
 */
export function substitute(text: string, substitutions: Record<string, string>): string {
  const tokens = Object.keys(substitutions);
  if (tokens.length === 0) return text;
  const pattern = new RegExp(tokens.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return text.replace(pattern, (token) => substitutions[token] ?? token);
}
