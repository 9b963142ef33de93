import type { NoticeProfile } from './notice-profile.types.js';
import type { Condition, Rule } from './rule.types.js';

// APPI Art. 26 and the PPC Enforcement Rules Art. 7-10 (from 2022-04-01): a preliminary report "promptly",
// a final report within 30 days (60 days for a breach with an unlawful purpose), and notice to the persons.

/**
 * Rules Art. 7: reportable when it involves sensitive (special care-required) data, data whose misuse can
 * cause property damage, an unlawful purpose (attacks included), or more than 1,000 people.
 */
const REPORTABLE: Condition = {
  anyOf: [
    // Property damage: the PPC guidelines' example is the login of a service that can pay or send money;
    // logins without a payment function fall under the 1,000-person rule like any personal data.
    { allOf: [{ exposed: 'propertyDamage' }, { paymentFunction: true }] },
    // An unlawful purpose: an attack from outside, or an insider's (an employee taking data to sell it).
    { cyberAttack: true },
    { unlawfulPurpose: true },
    { residents: { over: 1000 } },
  ],
};

/** "Advanced encryption or other measures necessary to protect the rights and interests": not reportable. */
const ENCRYPTED = {
  condition: { encrypted: true },
  reason: 'the data were protected by advanced encryption (Enforcement Rules Art. 7)',
} as const;

export const JP_APPI: Rule = {
  id: 'JP',
  effectiveFrom: '2022-04-01',
  law: 'Act on the Protection of Personal Information (APPI) Art. 26',
  jurisdictions: ['JP'],
  regulator: {
    id: 'ppc',
    name: 'Personal Information Protection Commission (個人情報保護委員会)',
    contact: { url: 'https://www.ppc.go.jp/personalinfo/legal/leakAction/' },
    form: 'appi-ppc',
    language: 'ja',
    timeZone: 'Asia/Tokyo',
    holidays: { country: 'JP' },
  },
  definitions: {
    personalInformation: {
      term: 'personal data (APPI Art. 16(3))',
      sources: ['JP1'],
      notes:
        'Every category the app holds is personal data once linked to the account (device ids, usage data and logs included): the 1,000-person rule counts every affected resident.',
    },
    propertyDamage: {
      term: 'personal data whose misuse may cause property damage (Enforcement Rules Art. 7(ii))',
      categories: ['account_credentials', 'third_party_account'],
      sources: ['JP1'],
      notes:
        'Credit card numbers, and the login of a service with a payment function (PPC guidelines): of the app data only its credentials, and only with the payment function (ACCOUNT_PAYMENTS).',
    },
  },
  obligations: [
    {
      key: 'regulator',
      audience: 'regulator',
      phase: 'initial',
      what: 'Send the preliminary report (速報) to the PPC with the items known at the time.',
      clock: 'awareness',
      // "Promptly": the PPC guidelines say about 3 to 5 days. Unsettled, so the stricter reading: the first.
      deadline: { kind: 'within', amount: 3, unit: 'days' },
      when: REPORTABLE,
      exemptIf: [ENCRYPTED],
      sources: ['JP1'],
    },
    {
      key: 'regulator.final',
      audience: 'regulator',
      phase: 'final',
      what: 'Send the final report (確報) to the PPC with all the Rule 8 items.',
      clock: 'awareness',
      deadline: { kind: 'within', amount: 30, unit: 'days' },
      when: { allOf: [REPORTABLE, { cyberAttack: false }, { unlawfulPurpose: false }] },
      exemptIf: [ENCRYPTED],
      sources: ['JP1'],
    },
    {
      // A breach that may have been done for an unlawful purpose (an attack, an insider's misuse): 60 days.
      key: 'regulator.final-unlawful',
      audience: 'regulator',
      phase: 'final',
      what: 'Send the final report (確報) to the PPC with all the Rule 8 items (breach with an unlawful purpose).',
      clock: 'awareness',
      deadline: { kind: 'within', amount: 60, unit: 'days' },
      when: { anyOf: [{ cyberAttack: true }, { unlawfulPurpose: true }] },
      exemptIf: [ENCRYPTED],
      sources: ['JP1'],
    },
    {
      key: 'individuals',
      audience: 'individuals',
      what: 'Notify the persons concerned of the overview, the data items, the cause, the secondary harm and other items, as the situation allows.',
      clock: 'awareness',
      deadline: { kind: 'asap', wording: 'promptly, as the circumstances allow' },
      when: REPORTABLE,
      exemptIf: [ENCRYPTED],
      sources: ['JP1'],
    },
  ],
  publicNotice:
    'Where notice to the persons is difficult, alternative measures such as publication of the incident are allowed (JP1).',
  sources: [
    {
      key: 'JP1',
      citation:
        'BUSINESS LAWYERS: APPI leak reporting (preliminary about 3-5 days, final 30/60 days, thresholds)',
      url: 'https://businesslawyers.jp/practices/1433',
      status: 'secondary',
    },
  ],
  notes: [
    'The preliminary report is due "promptly", about 3 to 5 days in the PPC guidelines: 3 calendar days here, the stricter end of an unsettled range (5 until 2026-12-07, which read it laxly). The final report runs from awareness too.',
    "Unlawful purpose (Enforcement Rules Art. 7(iii)): an attack (`cyberAttack`) or an insider's misuse (`unlawfulPurpose`), each reportable whatever the number; until 2026-12-08 only an attack was, and an employee selling 40 people's profiles owed nothing. Unknown: possibly so (the 30-day and the 60-day final reports both assumed, the 30-day one first).",
    'No app category is special care-required data. Leaked logins are possible property damage only where the accounts have a payment function (PPC guidelines), as ACCOUNT_PAYMENTS says; while it is not configured, they are assumed to have one (the stricter reading). Without it, logins count toward the 1,000-person rule like any personal data.',
    'Advanced encryption exempts both the report and the notice. No childAge: the APPI sets none (guidance says 12-15).',
  ].join(' '),
};

// --- What the notice says (notice profiles, see notice-profile.types.ts) ---------------------------

/** APPI Art. 26(2) with the Enforcement Rules: the notice to the person says what caused the leak. */
export const JP_NOTICE: NoticeProfile = {
  jurisdiction: 'JP',
  effectiveFrom: '2022-04-01',
  law: 'APPI Art. 26(2) and the Enforcement Rules (notice to the person)',
  requirements: [
    {
      kind: 'paragraphs',
      section: 'whatHappened',
      at: 'end',
      say: [{ kind: 'words', field: 'cause', key: 'wordsCause' }],
      sources: ['JP1'],
      unsettled:
        "The notice to the person carries the items of the report needed to protect their rights (overview, the data, the cause, secondary harm; JP1, the Rules' list recalled).",
    },
    {
      // The PPC's items (Rule 8) list the cause, and the notice carries it: required, not said only "when
      // given" (until 2026-12-07 a Japanese notice could go without it).
      kind: 'requires',
      facts: ['cause'],
      sources: ['JP1'],
      unsettled:
        'Which report items the notice to the person must repeat is left to "as the situation allows" in the guidelines; the stricter reading: the cause is among them, as PIPL Art. 57 has it for China.',
    },
  ],
  sources: JP_APPI.sources,
  notes:
    'The overview, the data, the possible harm and a contact are in every notice; the cause is required (a campaign to Japanese residents is refused until the incident gives it), the stricter reading.',
};
