import type { NoticeProfile } from './notice-profile.types.js';
import type { Source } from './rule.types.js';

/** The company's own promise, where a notice says what no statute asks of it (a route to complain). */
export const PRIVACY_POLICY: Source = {
  key: 'PP',
  citation:
    'The privacy policy, section III (notice of an incident: its basic facts, impact, measures, advice and remedies; a Security Notice when people cannot be told one by one) and section VIII (complaints to the local privacy regulator)',
  url: 'shared/seed/privacy-policy.txt',
  status: 'verified',
};

/**
 * Every notice starts from this profile: the standard notice (src/templates/notice.body.ts: what
 * happened, what of the person was involved, what it may mean, what the company does, what they can do,
 * the remedies, whom to ask) and where to complain. A jurisdiction's profile adds to it or changes it.
 */
export const DEFAULT_NOTICE: NoticeProfile = {
  jurisdiction: null,
  effectiveFrom: '2018-05-25',
  law: 'GDPR Art. 34(2) and the privacy policy: what every notice says',
  requirements: [{ kind: 'complaint', key: 'complaint', sources: ['PP'] }],
  sources: [
    {
      key: 'G2',
      citation:
        'GDPR Art. 34 (communication to the data subject: the nature of the breach, a contact, its likely consequences, the measures)',
      url: 'https://gdprhub.eu/index.php?title=Article_34_GDPR',
      status: 'verified',
    },
    PRIVACY_POLICY,
  ],
  notes: [
    "The standard notice says what GDPR Art. 34(2) asks (G2) and what the privacy policy promises (PP), for every jurisdiction; the right to complain to a data protection authority is the policy's promise, not a breach statute's.",
    "Dated from the day GDPR applied; a notice dated before a profile's first version follows that first version (saying more than a law then asked is the safe side).",
  ].join(' '),
};
