import type { ComputedObligation } from './compute.js';
import type { ObligationFacts, Rule } from './rule.types.js';
import { publicNoticeRuleFor } from './substitute-notice.js';

const MEANS_WORDS = {
  website: 'a conspicuous posting on the website',
  media: 'media',
  email: 'email where the address is known',
  app: 'the app, social media or service channels',
  tollFreeNumber: 'a toll-free number',
} as const;

/**
 * The public (substitute) notice a rule's group owes, when its conditions hold (its law's, else the
 * privacy policy's Security Notice): due with the notice to
 * individuals it stands in for or goes beside, for the same residents, with what it consists of, how long
 * it stays up and whether publishing it meets the individuals' obligation for those not reached.
 */
export function publicNoticeOf(
  rule: Rule,
  individuals: ComputedObligation,
  awareness: Date,
  facts: ObligationFacts,
): ComputedObligation | undefined {
  if (!facts.substitute) return undefined;
  // The law's own where its conditions hold, else the privacy policy's promise (which never stands in).
  const owed = publicNoticeRuleFor(rule.id, awareness, facts.substitute);
  if (!owed) return undefined;
  const { rule: substitute, result } = owed;
  const means = substitute.means.map((m) => MEANS_WORDS[m.means]).join(', ');
  const period = substitute.minimumDays
    ? ` It stays up at least ${substitute.minimumDays} days${substitute.minimumUncertain ? ' (unverified, kept as the stricter reading)' : ''}.`
    : '';
  const replaces = substitute.replacesIndividualNotice
    ? `publishing it meets the notice to the ${facts.substitute.unreached} residents not reached one by one (the law accepts a substitute notice)`
    : 'it goes beside the notice to individuals, which it does not replace';
  return {
    ...individuals,
    key: [...individuals.key.split('/').slice(0, -1), 'public-notice'].join('/'),
    audience: 'public',
    recipient: `the public (${individuals.jurisdictions.join(', ')})`,
    what: `${substitute.what} By ${means}.${period}`,
    reason: `applies: ${result.because}; ${replaces}`,
    sources: [...substitute.sources],
  };
}
