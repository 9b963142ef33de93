import Handlebars from 'handlebars';

// The shared-email token machinery. One email goes to SendGrid for a batch of recipients, with what
// differs per person as `%token%` substitutions; nothing inserted (a name, the responders' words) may
// ever spell a token, in the HTML part or the text part.

/** Marks a token's ends while a shared email is rendered (a character no text of ours holds). */
export const MARK = '\u0001';

/**
 * Text as HTML, with `%` as an entity too: SendGrid replaces `%token%` wherever it finds one (and,
 * its documentation has said, inside what it inserted), so no `%` that is not a token reaches it.
 */
export function escapeHtml(text: string): string {
  return Handlebars.escapeExpression(text).replaceAll('%', '&#37;');
}

/**
 * Words of someone else's (the responders', a person's name) in the plain-text part: a `%` is followed by
 * an invisible word joiner, so `%url%` in them is never a SendGrid token (HTML has `&#37;` for that).
 */
export const inert = (text: string): string => text.replaceAll('%', '%\u2060');

/** Text made `inert` as it reads once no substitution follows (an SMS as sent, a greeting in HTML). */
export const asSent = (text: string): string => text.replaceAll('%\u2060', '%');
