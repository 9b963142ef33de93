import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { DEFAULT_DATA_CATEGORIES } from '../common/data-categories.js';
import { GUARDIAN_TEXT_FIELDS, MASSACHUSETTS_TEXT_FIELDS } from '../common/notice-text.js';
import { noticeShape } from '../jurisdictions/rules/notice-profiles.js';
import { englishSmsProblem } from './english-sms.check.js';
import {
  formatDate,
  interpolation,
  localeChain,
  NoticeFacts,
  noticeVariant,
  NoticeRenderer,
  TEMPLATES_DIR,
} from './notice.renderer.js';
import { substitute } from '../channels/substitutions.js';

// California's title and headings (Civil Code 1798.82(d)(1)), as its notice profile gives them.
const { title: statutoryTitle, headings: statutoryHeadings } = noticeShape('US-CA', null);
const [CALIFORNIA_TITLE, CALIFORNIA_HEADINGS] = [statutoryTitle!.words, statutoryHeadings!.words];

const renderer = new NoticeRenderer();
const LOCALES = ['de', 'en', 'es', 'fr', 'hi', 'ja', 'ko', 'pt', 'pt-BR', 'zh-Hans'];
const TEMPLATES = ['breach-notice', 'breach-notice-guardian'];
const JURISDICTIONS = [
  'US-CA',
  'US-MA',
  'US-NY',
  'US-TX',
  'US-WA',
  'DE',
  'FR',
  'GB',
  'BR',
  'JP',
  'CN',
  'CA',
  'CA-QC',
  'IN',
  'KR',
  'SG',
];

// Sentinels: each part of the incident must reach the notice, word for word.
const INCIDENT = {
  description: 'SENTINEL-WHAT-HAPPENED',
  occurredFrom: new Date('2026-10-30T08:00:00Z'),
  occurredTo: new Date('2026-11-02T18:00:00Z'),
  discoveredAt: new Date('2026-11-04T23:30:00Z'),
  containedAt: new Date('2026-11-05T06:00:00Z'),
  likelyConsequences: 'SENTINEL-IMPACT',
  measuresTaken: 'SENTINEL-MEASURES-TAKEN',
  measuresPlanned: 'SENTINEL-MEASURES-PLANNED',
  adviceToIndividuals: 'SENTINEL-ADVICE',
  remedies: 'SENTINEL-REMEDIES',
  location: 'SENTINEL-LOCATION',
  securityMeasuresBefore: 'SENTINEL-SECURITY-BEFORE',
  noticeDelayReasons: 'SENTINEL-DELAY-REASONS',
  howDiscovered: 'SENTINEL-HOW-DISCOVERED',
  cause: 'SENTINEL-CAUSE',
  guardianWords: Object.fromEntries(GUARDIAN_TEXT_FIELDS.map((f) => [f, `SENTINEL-GUARDIAN-${f}`])),
  massachusettsWords: {
    ...Object.fromEntries(MASSACHUSETTS_TEXT_FIELDS.map((f) => [f, `SENTINEL-MA-${f}`])),
    guardian: Object.fromEntries(MASSACHUSETTS_TEXT_FIELDS.map((f) => [f, `SENTINEL-MA-GUARDIAN-${f}`])),
  },
};
/**
 * The words a notice says for a field: Massachusetts its own version (the guardian's for a guardian), or
 * nothing; a guardian the guardian's version of what is written to the person; else as written.
 */
function expectedWords(field: string, template: string, jurisdiction: string): string | undefined {
  const guardian = template.endsWith('-guardian');
  const massachusetts = INCIDENT.massachusettsWords as Record<string, unknown>;
  if (jurisdiction === 'US-MA') {
    const version = (guardian ? massachusetts.guardian : massachusetts) as Record<string, string>;
    return version[field];
  }
  if (guardian && (GUARDIAN_TEXT_FIELDS as readonly string[]).includes(field)) {
    return (INCIDENT.guardianWords as Record<string, string>)[field];
  }
  return (INCIDENT as Record<string, unknown>)[field] as string;
}
/** The responders' words a jurisdiction's notice says besides the standard notice, by their lead-in string. */
const STATUTORY_WORDS: Record<
  string,
  {
    key: 'wordsSecurityMeasuresBefore' | 'wordsNoticeDelayReasons' | 'wordsHowDiscovered' | 'wordsCause';
    where: string[];
  }
> = {
  securityMeasuresBefore: { key: 'wordsSecurityMeasuresBefore', where: ['BR'] },
  noticeDelayReasons: { key: 'wordsNoticeDelayReasons', where: ['BR'] },
  howDiscovered: { key: 'wordsHowDiscovered', where: ['SG'] },
  cause: { key: 'wordsCause', where: ['JP', 'CN'] },
};
const URL = 'http://localhost:3000/n/Q1w2E3r4T5y6U7i8O9p0Aa';
/** The day the notice goes out: California's notice says it (a day no other date of the incident has). */
const SENT_AT = new Date('2026-11-19T10:00:00Z');
/** Words that make a phrase the reader's own, per locale ("your", "you"). */
const PERSONAL: Record<string, RegExp> = {
  en: /\byou(r)?\b/i,
  es: /\b(su|sus|usted|tomó|subió|usó|vinculó)\b/i,
  fr: /\b(vous|votre|vos)\b/i,
  de: /\b(Sie|Ihr|Ihre|Ihrem|Ihren)\b/,
  'pt-BR': /\b(você|seu|sua|seus|suas)\b/i,
  pt: /\b(seu|sua|seus|suas|tirou|carregou|usou|associou)\b/i,
  'zh-Hans': /您/,
  ja: /(お客様|ご利用|された)/,
  ko: /(고객님|하신|하셨)/,
  hi: /आप/,
};

const facts = (over: Partial<NoticeFacts> = {}): NoticeFacts => ({
  organization: 'Ai Art',
  contactEmail: 'privacy@example.com',
  url: URL,
  name: 'Ana Silva',
  child: 'Bia Silva',
  locale: 'en',
  timeZone: 'UTC',
  jurisdiction: 'DE',
  exposed: ['camera_data', 'device_identifiers'],
  incident: INCIDENT,
  sentAt: SENT_AT,
  ...over,
});

interface Strings {
  sms: string;
  contact: string;
  dataIntro: string;
  readOnline: string;
  headings: Record<string, string>;
  categories: Record<string, string>;
  standardAdvice: string[];
  complaint: string;
  complaintUS: string;
  complaintCanada: string;
  complaintQuebec: string;
  complaintKorea: string;
  newYorkAgencies: string;
  massachusettsPoliceReport: string;
  massachusettsFreeze: string;
  delayedByLawEnforcement: string;
  notDelayedByLawEnforcement: string;
  noticeDate: string;
  washingtonCreditAgencies: string;
  complaintProcessCanada: string;
  intro: string;
  wordsSecurityMeasuresBefore: string;
  wordsNoticeDelayReasons: string;
  wordsHowDiscovered: string;
  wordsCause: string;
}
const readStrings = (...path: string[]) =>
  JSON.parse(readFileSync(join(TEMPLATES_DIR, ...path), 'utf8')) as Partial<Strings>;
/** A template's strings in a locale: the shared ones, under its own. */
const stringsOf = (template: string, locale: string) =>
  ({
    ...readStrings('_shared', 'locales', `${locale}.json`),
    ...readStrings(template, 'locales', `${locale}.json`),
  }) as Strings;

describe('notice templates', () => {
  it('has both templates in every required locale', () => {
    for (const template of TEMPLATES) expect(renderer.locales(template)).toEqual(LOCALES);
  });

  // Every template, every locale, every jurisdiction: what the privacy policy promises each notice says
  // (what happened, possible impact, measures taken and to be taken, what to do, remedies, contact).
  for (const template of TEMPLATES) {
    for (const locale of LOCALES) {
      it(`${template} in ${locale} has every required part`, () => {
        const strings = stringsOf(template, locale);
        for (const jurisdiction of JURISDICTIONS) {
          const notice = renderer.render(template, facts({ locale, jurisdiction }));
          // Quebec: French, with the reader's language alongside (checked below, in that part).
          const quebec = jurisdiction === 'CA-QC' && locale !== 'fr';
          expect(notice.locale).toBe(quebec ? `fr+${locale}` : locale);
          for (const [part, as] of [
            [notice.email.html, Handlebars.escapeExpression],
            [notice.email.text, (text: string) => text],
          ] as const) {
            // Massachusetts: never the nature of the breach (the responders' description, where it was).
            for (const [field, sentinel] of Object.entries(INCIDENT)) {
              if (typeof sentinel !== 'string') continue;
              const statutory = STATUTORY_WORDS[field];
              if (statutory) {
                // Said where a statute asks, led in by its string in the reader's language.
                const said = as(strings[statutory.key].replace('{{words}}', sentinel));
                if (statutory.where.includes(jurisdiction)) expect(part).toContain(said);
                else expect(part).not.toContain(sentinel);
              } else {
                // Massachusetts: never the nature of the breach, nor any word written for everyone.
                const said = expectedWords(field, template, jurisdiction);
                if (said) expect(part).toContain(said);
                if (said !== sentinel) expect(part).not.toContain(sentinel);
              }
            }
            expect(part).toContain('privacy@example.com');
            expect(part).toContain(URL);
            expect(part).toContain(as(strings.categories.camera_data));
            expect(part).toContain(as(strings.categories.device_identifiers));
            expect(part).not.toContain(as(strings.categories.account_credentials));
            for (const advice of strings.standardAdvice) expect(part).toContain(as(advice));
            // California: the statute's five headings in its words, in every language, and no other.
            for (const [section, heading] of Object.entries(strings.headings)) {
              const statutory = CALIFORNIA_HEADINGS[section as 'whatHappened'];
              if (jurisdiction !== 'US-CA') expect(part).toContain(as(heading));
              else if (statutory) expect(part).toContain(as(statutory));
              else expect(part).not.toContain(as(heading));
            }
            if (jurisdiction === 'US-CA') expect(part).toContain(CALIFORNIA_TITLE);
            else expect(part).not.toContain(CALIFORNIA_TITLE);
            // Where to complain: a data protection authority, or in the US (which has none) the FTC and
            // the state's Attorney General.
            const complaint = jurisdiction.startsWith('US-')
              ? strings.complaintUS
              : jurisdiction === 'CA'
                ? strings.complaintCanada
                : jurisdiction === 'CA-QC'
                  ? strings.complaintQuebec
                  : jurisdiction === 'KR'
                    ? strings.complaintKorea
                    : strings.complaint;
            for (const line of [
              strings.complaint,
              strings.complaintUS,
              strings.complaintCanada,
              strings.complaintQuebec,
              strings.complaintKorea,
            ]) {
              if (line === complaint) expect(part).toContain(as(line));
              else expect(part).not.toContain(as(line));
            }
            const extra = (text: string, where: string) =>
              jurisdiction === where
                ? expect(part).toContain(as(text))
                : expect(part).not.toContain(as(text));
            extra(strings.newYorkAgencies, 'US-NY');
            // California: the date of the notice (1798.82(d)(2)), in the reader's language.
            const dated = strings.noticeDate.replace('{{noticeDate}}', formatDate(SENT_AT, locale, 'UTC'));
            extra(dated, 'US-CA');
            extra(strings.massachusettsPoliceReport, 'US-MA');
            extra(strings.massachusettsFreeze, 'US-MA');
            extra(strings.washingtonCreditAgencies, 'US-WA');
            const process = strings.complaintProcessCanada.replace('{{contact}}', 'privacy@example.com');
            if (jurisdiction.startsWith('CA')) expect(part).toContain(as(process));
            else expect(part).not.toContain(as(process));
          }
          if (jurisdiction === 'US-CA') expect(notice.email.subject.startsWith(CALIFORNIA_TITLE)).toBe(true);
          expect(notice.sms.body).toContain(URL);
          expect(notice.sms.body).toContain('Ai Art');
          expect(notice.push.title).toContain('Ai Art');
          expect(notice.push.body.length).toBeGreaterThan(10);
          // FCM's limit is 4096 bytes for the whole message; a long device token is about 200.
          const message = {
            message: {
              token: 'x'.repeat(256),
              notification: notice.push,
              data: { url: URL, deliveryId: '1234567890' },
            },
          };
          expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThan(4096);
        }
      });
    }
  }

  it('says what leaked: "your email address", not the whole family of identifiers', () => {
    for (const template of TEMPLATES) {
      for (const locale of LOCALES) {
        const strings = stringsOf(template, locale);
        const { text } = renderer.render(
          template,
          facts({ locale, exposed: ['email_address', 'photos'] }),
        ).email;
        expect(text).toContain(`- ${strings.categories.email_address}\n`);
        expect(text).toContain(`- ${strings.categories.photos}\n`);
        expect(text).not.toContain(strings.categories.personal_identifiers);
        expect(text).not.toContain(strings.categories.camera_data);
        // Every finer category has its own words, in both voices.
        for (const category of DEFAULT_DATA_CATEGORIES) {
          expect([locale, category, typeof strings.categories[category]]).toEqual([
            locale,
            category,
            'string',
          ]);
        }
        // Listed with its whole group, a finer category is said once, by the group.
        const both = renderer.render(
          template,
          facts({ locale, exposed: ['personal_identifiers', 'email_address'] }),
        ).email.text;
        expect(both).toContain(strings.categories.personal_identifiers);
        expect(both).not.toContain(`- ${strings.categories.email_address}\n`);
      }
    }
    expect(renderer.render(TEMPLATES[0], facts({ exposed: ['email_address'] })).email.text).toContain(
      '- your email address\n',
    );
    expect(renderer.render(TEMPLATES[1], facts({ exposed: ['email_address'] })).email.text).toContain(
      "- your child's email address\n",
    );
  });

  it('makes an SMS or push that serves as the notice carry its core, and say how to tell a genuine one', () => {
    for (const template of TEMPLATES) {
      for (const locale of LOCALES) {
        const { sms, push } = renderer.render(template, facts({ locale }));
        // Who, how to reach them, the link, and where every link of theirs goes.
        for (const said of ['Ai Art', 'privacy@example.com', URL, ' localhost:3000']) {
          expect([template, locale, said, sms.body.includes(said)]).toEqual([template, locale, said, true]);
        }
        expect(push.title).toContain('Ai Art');
        expect(push.body).toContain('privacy@example.com');
        // That it is the reader's own data (or their child's).
        if (template === 'breach-notice') expect(sms.body).toMatch(PERSONAL[locale]);
      }
    }
    // What it says of passwords is what the notice's own advice says: never asked for.
    const english = renderer.render('breach-notice', facts({ locale: 'en' }));
    expect(
      english.sms.body.startsWith(
        'Ai Art: a security incident involved your data. What happened, what to do: ' +
          `${URL} First, beware of messages about it: we never ask for passwords or codes, and link only to ` +
          'localhost:3000. Questions: privacy@example.com\n\nWhat happened: ',
      ),
    ).toBe(true);
    expect(english.email.text).toContain('we will never ask for them');
    expect(renderer.render('breach-notice-guardian', facts({ locale: 'en' })).sms.body).toContain(
      "involved your child's data",
    );
  });

  it("keeps the English SMS's lead to two segments, and knows what each locale's takes", () => {
    // Documented in the campaign preview; this table changes only with the words.
    const segments: Record<string, string> = {};
    for (const template of TEMPLATES) {
      for (const locale of LOCALES) {
        const { sms } = renderer.renderShort(template, facts({ locale }));
        segments[`${template} ${locale}`] = `${sms.encoding} ${sms.segments}`;
      }
    }
    expect(segments).toEqual({
      'breach-notice de': 'GSM-7 3',
      'breach-notice en': 'GSM-7 2',
      'breach-notice es': 'UCS-2 5',
      'breach-notice fr': 'GSM-7 3',
      'breach-notice hi': 'UCS-2 5',
      'breach-notice ja': 'UCS-2 3',
      'breach-notice ko': 'UCS-2 3',
      'breach-notice pt': 'UCS-2 5',
      'breach-notice pt-BR': 'UCS-2 5',
      'breach-notice zh-Hans': 'UCS-2 3',
      'breach-notice-guardian de': 'GSM-7 3',
      'breach-notice-guardian en': 'GSM-7 2',
      'breach-notice-guardian es': 'UCS-2 5',
      'breach-notice-guardian fr': 'GSM-7 3',
      'breach-notice-guardian hi': 'UCS-2 5',
      'breach-notice-guardian ja': 'UCS-2 3',
      'breach-notice-guardian ko': 'UCS-2 3',
      'breach-notice-guardian pt': 'UCS-2 5',
      'breach-notice-guardian pt-BR': 'UCS-2 5',
      'breach-notice-guardian zh-Hans': 'UCS-2 3',
    });
  });

  it('says when the name, address and email would take the English SMS past what is allowed', () => {
    const ok = (org: string, base: string, email: string, max?: number) =>
      englishSmsProblem(renderer, org, base, email, max);
    expect(ok('Example Organization', 'http://localhost:3000', 'privacy@example.com')).toBeUndefined();
    expect(ok('Ai Art', 'https://notices.aiart.example.com', 'privacy@aiart.example.com')).toBeUndefined();
    expect(
      ok(
        'Ai Art Technology Co., Ltd.',
        'https://notices.aiart-privacy.example.com',
        'data-protection-office@aiart-privacy.example.com',
      ),
    ).toMatch(
      /ORGANIZATION_NAME, PUBLIC_BASE_URL and PRIVACY_CONTACT_EMAIL, 3 segments where 2 hold 306: shorten them/,
    );
    // Where a setting allows one segment only, nothing with a link and the core fits.
    expect(ok('Ai Art', 'https://ai.example', 'p@ai.example', 1)).toMatch(/segments where 1 hold 160/);
    // A curly apostrophe is outside GSM-7: the whole SMS becomes UCS-2, 67 characters a segment.
    expect(ok('Ai Art’s Studio', 'https://ai.example', 'p@ai.example')).toMatch(
      /UCS-2 characters .* where 2 hold 134 \(a character of the name or the email is outside GSM-7\)/,
    );
  });

  it('knows what each jurisdiction changes in a notice', () => {
    const cases: Array<[string | null, string]> = [
      ['US-CA', 'US-CA'],
      ['US-MA', 'US-MA'],
      ['US-NY', 'US-NY'],
      ['US-TX', 'US'],
      ['US', 'US'],
      ['CA', 'CA'],
      ['CA-ON', 'CA'],
      ['CA-QC', 'CA-QC'],
      ['KR', 'KR'],
      ['DE', ''],
      ['GB', ''],
      ['USA', ''],
      [null, ''],
    ];
    for (const [jurisdiction, variant] of cases)
      expect([jurisdiction, noticeVariant(jurisdiction)]).toEqual([jurisdiction, variant]);
  });

  // Civil Code 1798.82(d)(2)(D): whether a law enforcement investigation delayed the notice, when known.
  it('tells Californians whether law enforcement delayed the notice, when the incident says', () => {
    const strings = stringsOf('breach-notice', 'es');
    const text = (jurisdiction: string, lawEnforcementDelay: boolean | null) =>
      renderer.render(
        'breach-notice',
        facts({ locale: 'es', jurisdiction, incident: { ...INCIDENT, lawEnforcementDelay } }),
      ).email.text;
    expect(text('US-CA', true)).toContain(strings.delayedByLawEnforcement);
    expect(text('US-CA', false)).toContain(strings.notDelayedByLawEnforcement);
    for (const [jurisdiction, delay] of [
      ['US-CA', null],
      ['DE', true],
      ['US-NY', false],
    ] as const) {
      expect(text(jurisdiction, delay)).not.toContain(strings.delayedByLawEnforcement);
      expect(text(jurisdiction, delay)).not.toContain(strings.notDelayedByLawEnforcement);
    }
  });

  // M.G.L. c. 93H s. 3(b): how to request the freeze, what the request needs, and what it costs.
  it.each(TEMPLATES)(
    '%s tells Massachusetts residents how to freeze their credit, in every locale',
    (template) => {
      for (const locale of LOCALES) {
        const freeze = stringsOf(template, locale).massachusettsFreeze;
        for (const agency of ['1-888-298-0045', '1-888-397-3742', '1-888-909-8872'])
          expect(freeze).toContain(agency);
      }
      const english = stringsOf(template, 'en').massachusettsFreeze;
      expect(english).toMatch(/free of charge/);
      expect(english).toMatch(/date of birth and Social Security number/);
    },
  );

  it('renders the SMS and push alone exactly as in the whole notice, the SMS led by the lead alone', () => {
    for (const template of TEMPLATES) {
      for (const locale of LOCALES) {
        for (const jurisdiction of ['DE', 'CA-QC', 'US-CA', null]) {
          const given = facts({ locale, jurisdiction });
          const whole = renderer.render(template, given);
          const short = renderer.renderShort(template, given);
          expect(renderer.renderSms(template, given)).toEqual({ locale: whole.locale, sms: whole.sms });
          expect(short.push).toEqual(whole.push);
          expect(whole.sms.body.startsWith(`${short.sms.body.split('\n\n')[0]}\n\n`)).toBe(true);
        }
      }
    }
  });

  it('makes the SMS the notice: every section the email says, in its words, after the lead (SMS_NOTICE)', () => {
    const incident = { ...INCIDENT, translations: { de: { description: 'DE-WAS-GESCHAH' } } };
    for (const template of TEMPLATES) {
      for (const [locale, jurisdiction] of [
        ['en', 'DE'],
        ['de', 'DE'],
        ['en', 'BR'],
        ['zh-Hans', 'CN'],
        ['en', 'CA-ON'],
        ['en', 'US-MA'],
        ['ko', 'KR'],
        ['en', 'SG'],
        ['en', 'IN'],
      ] as const) {
        const given = facts({ locale, jurisdiction, incident, exposed: ['camera_data', 'logs'] });
        const { sms, email } = renderer.render(template, given);
        const strings = stringsOf(template, locale);
        // Every paragraph and item of the email's body is in the SMS, but the introduction of the data
        // (its heading says it), the contact line (the lead gives the contact) and, as the responders
        // advise, the standard advice.
        const body = email.text.slice(email.text.indexOf(strings.headings.whatHappened));
        const lines = body
          .slice(0, body.indexOf(stringsOf(template, locale).readOnline ?? 'Read this notice online'))
          .split('\n')
          .map((line) => line.replace(/^- /, '').trim())
          .filter((line) => line && !Object.values(strings.headings).some((h) => line.startsWith(h)));
        const unsaid = lines.filter((line) => !sms.body.includes(line));
        const expected = [
          strings.dataIntro,
          strings.contact.replace('{{contact}}', 'privacy@example.com'),
          ...strings.standardAdvice,
        ];
        for (const line of unsaid) {
          expect([template, locale, jurisdiction, line, expected.includes(line)]).toEqual([
            template,
            locale,
            jurisdiction,
            line,
            true,
          ]);
        }
        expect(sms.body).toContain(`\n- ${strings.categories.camera_data}\n- ${strings.categories.logs}`);
        expect(sms.body.split('privacy@example.com').length).toBeLessThanOrEqual(3);
      }
    }
    // No advice of their own: the standard advice, as the email gives it; no heading over nothing.
    const bare = { ...INCIDENT, adviceToIndividuals: null, remedies: null };
    const plain = renderer.render(
      'breach-notice',
      facts({ locale: 'en', jurisdiction: 'DE', incident: bare }),
    );
    for (const line of stringsOf('breach-notice', 'en').standardAdvice) {
      expect(plain.sms.body).toContain(`\n- ${line}`);
    }
    expect(plain.sms.body).not.toContain('What we offer you:');
    // Sent as it is: a % in the responders' words stays a % (the copy guards it, see below), so one
    // invisible character never makes a GSM-7 message UCS-2.
    const percent = { ...INCIDENT, description: '5% of accounts.' };
    const sent = renderer.renderSms('breach-notice', facts({ locale: 'en', incident: percent }));
    expect(sent.sms.body).toContain('What happened: 5% of accounts.');
    expect(sent.sms.encoding).toBe('GSM-7');
    // Where the notice does not fit one SMS and it does not count: the lead alone, which points to it.
    const lead = renderer.renderSms('breach-notice', facts({ locale: 'en', smsLeadOnly: true }));
    expect(lead.sms.body).toBe(renderer.renderShort('breach-notice', facts({ locale: 'en' })).sms.body);
  });

  it('falls back along the locale chain', () => {
    expect(localeChain('pt-BR')).toEqual(['pt-BR', 'pt-Latn', 'pt', 'en']);
    expect(localeChain('zh-CN')).toEqual(['zh-CN', 'zh-Hans', 'zh', 'en']);
    expect(renderer.resolveLocale('breach-notice', 'pt-BR')).toBe('pt-BR');
    expect(renderer.resolveLocale('breach-notice', 'pt-PT')).toBe('pt');
    expect(renderer.resolveLocale('breach-notice', 'zh-CN')).toBe('zh-Hans');
    expect(renderer.resolveLocale('breach-notice', 'zh-TW')).toBe('en');
    expect(renderer.resolveLocale('breach-notice', 'de-AT')).toBe('de');
    expect(renderer.resolveLocale('breach-notice', 'it-IT')).toBe('en');
    expect(renderer.resolveLocale('breach-notice', null)).toBe('en');
  });

  it("falls back to the reader's jurisdiction's language before English, in the planner and the renderer alike", () => {
    const resolve = (locale: string | null, jurisdiction: string | null) =>
      renderer.resolveLocale('breach-notice', locale, jurisdiction);
    expect(resolve('tr-DE', 'DE')).toBe('de');
    expect(resolve('ca-ES', 'ES')).toBe('es');
    expect(resolve('it', 'BR')).toBe('pt-BR');
    expect(resolve('ru', 'CN')).toBe('zh-Hans');
    expect(resolve(null, 'JP')).toBe('ja');
    expect(resolve('nl', 'BE')).toBe('fr');
    // The reader's own language first, wherever they live; English where the jurisdiction's is missing too.
    expect(resolve('en', 'DE')).toBe('en');
    expect(resolve('pt-PT', 'DE')).toBe('pt');
    expect(resolve('zh-TW', 'TW')).toBe('en');
    expect(resolve('it', null)).toBe('en');
    expect(resolve('tr', 'US-CA')).toBe('en');
    // Korean residents read Korean; India: Hindi to Hindi readers, English before Hindi to the others.
    expect(resolve(null, 'KR')).toBe('ko');
    expect(resolve('ko-KR', 'US-CA')).toBe('ko');
    expect(resolve('hi-IN', 'IN')).toBe('hi');
    expect(resolve('ta-IN', 'IN')).toBe('en');
    expect(resolve('mr', 'IN')).toBe('en');
    // What the planner stored resolves to itself, so the send path renders what was planned.
    for (const [locale, jurisdiction] of [
      ['tr-DE', 'DE'],
      ['en', 'CA-QC'],
      ['de', 'CA-QC'],
    ] as const) {
      const planned = resolve(locale, jurisdiction);
      expect(resolve(planned, jurisdiction)).toBe(planned);
      expect(renderer.render('breach-notice', facts({ locale: planned, jurisdiction })).locale).toBe(planned);
    }
  });

  it('gives Quebec residents French, with their own language alongside when it is another', () => {
    const resolve = (locale: string | null) => renderer.resolveLocale('breach-notice', locale, 'CA-QC');
    expect(resolve('fr-CA')).toBe('fr');
    expect(resolve('en-CA')).toBe('fr+en');
    expect(resolve('de')).toBe('fr+de');
    expect(resolve('tr')).toBe('fr');
    expect(resolve(null)).toBe('fr');
    for (const template of TEMPLATES) {
      const notice = renderer.render(template, facts({ locale: 'en', jurisdiction: 'CA-QC' }));
      const [french, english] = [stringsOf(template, 'fr'), stringsOf(template, 'en')];
      const intro = (strings: Strings) =>
        strings.intro.replace('{{org}}', 'Ai Art').replace('{{child}}', 'Bia Silva');
      const text = notice.email.text;
      // French first, then English, each whole.
      expect(text.indexOf(intro(french))).toBeGreaterThanOrEqual(0);
      expect(text.indexOf(intro(english))).toBeGreaterThan(text.indexOf(intro(french)));
      expect(text).toContain('\n\n----\n\n');
      expect(text).toContain(french.complaintQuebec);
      expect(text).toContain(english.complaintQuebec);
      expect(notice.email.html).toMatch(/^<!doctype html>\n<html lang="fr">/);
      expect(notice.email.html).toContain('<div lang="en" style=');
      expect(notice.email.subject).toContain(' / ');
      // Each language's SMS whole, French first: its lead, then its sections.
      const [leadFr, leadEn] = [french.sms, english.sms].map((lead) => lead.split('{{org}}')[1].slice(0, 20));
      expect(notice.sms.body.indexOf(leadEn)).toBeGreaterThan(notice.sms.body.indexOf(leadFr));
      expect(notice.sms.body.indexOf(french.headings.impact)).toBeLessThan(notice.sms.body.indexOf(leadEn));
      // The core once, in French (the language the law fixes); each language's lead with its link.
      expect(notice.sms.body).not.toContain(english.headings.impact);
      expect(notice.sms.body.endsWith('privacy@example.com')).toBe(true);
      expect(notice.sms.body.split(URL)).toHaveLength(3);
      expect(notice.push.title).toBe('Avis de sécurité de Ai Art / Security notice from Ai Art');
    }
  });

  it('shows dates in the recipient’s time zone and language', () => {
    const br = renderer.render('breach-notice', facts({ locale: 'pt-BR', timeZone: 'America/Sao_Paulo' }));
    expect(br.email.text).toContain('4 de novembro de 2026');
    expect(br.email.text).toContain('20:30');
    const jp = renderer.render('breach-notice', facts({ locale: 'ja', timeZone: 'Asia/Tokyo' }));
    expect(jp.email.text).toContain('2026年11月5日');
    expect(jp.email.text).toContain('8:30');
  });

  it("says the responders' words in the notice's language when they gave them, else as written", () => {
    const incident = {
      ...INCIDENT,
      translations: {
        de: { description: 'DE-WAS-GESCHAH', remedies: 'DE-ABHILFE' },
        pt: { description: 'PT-O-QUE-ACONTECEU' },
        'pt-BR': { remedies: 'PTBR-REPARACAO' },
      },
    };
    const text = (locale: string) => renderer.render('breach-notice', facts({ locale, incident })).email.text;
    expect(text('de')).toContain('DE-WAS-GESCHAH');
    expect(text('de')).toContain('DE-ABHILFE');
    expect(text('de')).not.toContain(INCIDENT.description);
    // Not given in German: as written.
    expect(text('de')).toContain(INCIDENT.likelyConsequences);
    // pt-BR: its own words first, then Portuguese's, then as written.
    expect(text('pt-BR')).toContain('PTBR-REPARACAO');
    expect(text('pt-BR')).toContain('PT-O-QUE-ACONTECEU');
    expect(text('pt-BR')).toContain(INCIDENT.measuresTaken);
    // A language without any: as written.
    expect(text('ja')).toContain(INCIDENT.description);
    // Only in the notice's script: Traditional Chinese never serves the Simplified notice.
    const chinese = (translations: Record<string, { description: string }>) =>
      renderer.render('breach-notice', facts({ locale: 'zh-Hans', incident: { ...INCIDENT, translations } }))
        .email.text;
    expect(chinese({ 'zh-TW': { description: 'ZH-TW' } })).toContain(INCIDENT.description);
    expect(chinese({ 'zh-HK': { description: 'ZH-HK' }, 'zh-SG': { description: 'ZH-SG' } })).toContain(
      'ZH-SG',
    );
    // A regional tag serves its language's notice (the reader's region is not kept past planning).
    const regional = { ...INCIDENT, translations: { 'fr-CA': { description: 'FRCA-CE-QUI-EST-ARRIVE' } } };
    expect(
      renderer.render('breach-notice', facts({ locale: 'fr-CA', incident: regional })).email.text,
    ).toContain('FRCA-CE-QUI-EST-ARRIVE');
    // The SMS and push read the same words as the email (none inserts them today; the same path if one does).
    const sms = renderer.renderSms('breach-notice', facts({ locale: 'de', incident })).sms.body;
    expect(sms).toBe(renderer.render('breach-notice', facts({ locale: 'de', incident })).sms.body);
    expect(sms).toContain('DE-WAS-GESCHAH');
    expect(sms).toContain('DE-ABHILFE');
    expect(sms).not.toContain(INCIDENT.description);
    // The batch's email with each recipient's substitutions gives the same notice.
    for (const locale of ['de', 'pt-BR']) {
      const own = facts({ locale, incident, jurisdiction: 'US-CA' });
      const shared = renderer.renderShared('breach-notice', own);
      const values = renderer.substitutions('breach-notice', own);
      expect(substitute(shared.text, values)).toBe(renderer.render('breach-notice', own).email.text);
    }
  });

  it('inserts names and texts as text: escaped in HTML, never evaluated', () => {
    const hostile = facts({
      name: '<script>alert(1)</script> {{org}}',
      incident: { ...INCIDENT, description: '<img src=x onerror=alert(1)> & {{#each x}}' },
    });
    const notice = renderer.render('breach-notice', hostile);
    expect(notice.email.html).not.toContain('<script>');
    expect(notice.email.html).not.toContain('<img');
    expect(notice.email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; {{org}}');
    expect(notice.email.html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &amp; {{#each x}}');
    expect(notice.email.text).toContain('Dear <script>alert(1)</script> {{org}},');
    expect(notice.email.text).toContain('<img src=x onerror=alert(1)> & {{#each x}}');
  });

  it('renders one email per batch whose substitutions give each recipient exactly their own notice', () => {
    const people: Array<Partial<NoticeFacts>> = [
      { name: 'Ana', timeZone: 'America/Sao_Paulo', exposed: ['camera_data'] },
      { name: null, timeZone: 'Asia/Tokyo', exposed: ['logs', 'app_usage', 'brand_new_category'] },
      { name: '<b>%url%</b> & {{x}}', child: '%greeting_h%', timeZone: null, exposed: ['device_info'] },
    ];
    for (const template of TEMPLATES) {
      for (const locale of ['en', 'pt-BR', 'ja']) {
        for (const jurisdiction of ['US-CA', 'BR', 'CA-QC']) {
          const shared = renderer.renderShared(template, facts({ locale, jurisdiction }));
          for (const person of people) {
            const own = facts({ locale, jurisdiction, ...person, url: `${URL}-${person.timeZone}` });
            const values = renderer.substitutions(template, own);
            const direct = renderer.render(template, own).email;
            expect(substitute(shared.subject, values)).toBe(direct.subject);
            expect(substitute(shared.html, values)).toBe(direct.html);
            expect(substitute(shared.text, values)).toBe(direct.text);
          }
        }
      }
    }
  });

  it("keeps an SMS copy with nobody's data whose substitutions give each recipient's SMS exactly", () => {
    const people: Array<Partial<NoticeFacts>> = [
      { timeZone: 'America/Sao_Paulo', exposed: ['camera_data'] },
      { timeZone: 'Asia/Tokyo', exposed: ['logs', 'app_usage', 'brand_new_category'] },
      { name: '%url%', child: '%categories_t%', timeZone: null, exposed: ['device_info'] },
    ];
    for (const template of TEMPLATES) {
      for (const locale of ['en', 'pt-BR', 'ja']) {
        for (const jurisdiction of ['DE', 'BR', 'CA-QC', 'CN']) {
          const copy = renderer.renderSms(
            template,
            facts({ locale, jurisdiction, name: null, child: null }),
            true,
          );
          // The link's site is the service's, as sent; the link itself, the dates and the data are tokens.
          expect(copy.sms.body).toContain('localhost:3000');
          expect(copy.sms.body).not.toContain(URL);
          expect(copy.sms.body).not.toMatch(/2026/);
          expect(copy.sms.body).toContain('%categories_t%');
          // Of an SMS of its lead alone too.
          const lead = renderer.renderSms(template, facts({ locale, jurisdiction, smsLeadOnly: true }), true);
          expect(lead.sms.body).toContain('%url%');
          expect(lead.sms.body).toContain('localhost:3000');
          for (const person of people) {
            const own = facts({ locale, jurisdiction, ...person, url: `${URL}-${person.timeZone}` });
            const values = renderer.substitutions(template, own);
            expect(substitute(copy.sms.body, values).replaceAll('%\u2060', '%')).toBe(
              renderer.renderSms(template, own).sms.body,
            );
          }
        }
      }
    }
  });

  it('lets nothing inserted into the HTML spell a token, even were SendGrid to substitute again inside values', () => {
    const name = '%greeting_t%<a href="//evil.example">%url%</a>';
    for (const template of TEMPLATES) {
      const own = facts({ name, child: name, jurisdiction: 'BR' });
      const shared = renderer.renderShared(template, own);
      const values = renderer.substitutions(template, own);
      for (const [token, value] of Object.entries(values)) {
        if (token.endsWith('_h%')) expect(value).not.toContain('%');
      }
      // Nested substitution, four levels deep (what SendGrid's documentation once allowed).
      let html = shared.html;
      for (let i = 0; i < 4; i += 1) html = substitute(html, values);
      expect(html).not.toContain('<a href="//evil');
      expect(html).toContain('&#37;greeting_t&#37;&lt;a href&#x3D;&quot;//evil.example&quot;&gt;');
    }
    // The responders' words never carry the token mark into the email: it would become a token.
    const marked = facts({
      jurisdiction: 'BR',
      incident: { ...INCIDENT, description: 'See \u0001url\u0001 now', location: 'at \u0001to\u0001' },
    });
    const sharedMarked = renderer.renderShared('breach-notice', marked);
    const direct = renderer.render('breach-notice', marked).email;
    const valuesMarked = renderer.substitutions('breach-notice', marked);
    expect(substitute(sharedMarked.text, valuesMarked)).toBe(direct.text);
    expect(substitute(sharedMarked.html, valuesMarked)).toBe(direct.html);
    expect(direct.text).toContain('See url now');
    // The responders' words too: a percentage stays text, never a token.
    const percentFacts = facts({
      name: 'Ana %child_t%',
      incident: { ...INCIDENT, description: 'About 20% of %url% users', location: 'Room %to%' },
    });
    const percent = renderer.renderShared('breach-notice', percentFacts);
    expect(percent.html).toContain('About 20&#37; of &#37;url&#37; users');
    // In the plain-text part too: after SendGrid's substitution, the words are the words.
    const percentValues = renderer.substitutions('breach-notice', percentFacts);
    const percentDirect = renderer.render('breach-notice', percentFacts).email;
    expect(substitute(percent.text, percentValues)).toBe(percentDirect.text);
    expect(substitute(percent.html, percentValues)).toBe(percentDirect.html);
    expect(percentDirect.text).toContain('About 20%\u2060 of %\u2060url%\u2060 users');
    expect(substitute(percent.text, percentValues)).not.toContain(URL.slice(0, 20) + ' users');
  });

  it('inserts values into every locale string exactly as Handlebars does, and leaves the rest to it', () => {
    const values = {
      org: 'Ai Art',
      contact: 'privacy@example.com',
      url: URL,
      name: '<b>{{x}}</b> & %url%',
      child: 'Bia',
      from: 'A',
      to: 'B',
      discovered: 'C',
      contained: 'D',
      location: 'E',
      noticeDate: 'F',
      words: 'G',
      site: 'H',
    };
    const sources = new Set<string>();
    const collect = (value: unknown): void => {
      if (typeof value === 'string') sources.add(value);
      else if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') Object.values(value).forEach(collect);
    };
    for (const dir of [...TEMPLATES, '_shared']) {
      for (const locale of LOCALES) {
        const file = join(TEMPLATES_DIR, dir, 'locales', `${locale}.json`);
        collect(JSON.parse(readFileSync(file, 'utf8')));
      }
    }
    let fast = 0;
    for (const source of sources) {
      const plain = interpolation(source);
      if (!plain) continue;
      fast += 1;
      expect(plain(values)).toBe(Handlebars.compile(source, { noEscape: true, strict: true })(values));
    }
    expect(fast).toBeGreaterThan(100);
    // Missing values fail as in strict Handlebars; blocks, helpers, escapes and comments go to Handlebars.
    expect(() => interpolation('Dear {{name}},')!({})).toThrow(/"name" not defined/);
    expect(interpolation('Dear {{name}},')!({ name: null })).toBe(
      Handlebars.compile('Dear {{name}},', { noEscape: true, strict: true })({ name: null }),
    );
    for (const source of [
      '{{#if name}}x{{/if}}',
      '{{lookup a b}}',
      '\\{{name}}',
      '{{! note }}',
      '{{{name}}}',
      '{{log}}',
      '{{this}}',
      '{{name}}}',
    ]) {
      expect(interpolation(source)).toBeUndefined();
    }
  });

  it('formats a date again when the incident changes it', () => {
    const date = new Date('2026-11-04T23:30:00Z');
    expect(formatDate(date, 'en', 'UTC')).toMatch(/November 4, 2026/);
    expect(formatDate(date, 'de', 'Europe/Berlin')).toMatch(/5\. November 2026/);
    date.setTime(Date.parse('2026-12-24T12:00:00Z'));
    expect(formatDate(date, 'en', 'UTC')).toMatch(/December 24, 2026/);
  });

  it('writes to a guardian about the child', () => {
    const notice = renderer.render('breach-notice-guardian', facts({ name: 'Carla Silva', child: 'Bia' }));
    expect(notice.email.text).toContain('Dear Carla Silva,');
    expect(notice.email.text).toContain('parent or guardian of Bia');
    const anonymous = renderer.render('breach-notice-guardian', facts({ name: null, child: 'Bia' }));
    expect(anonymous.email.text).toContain('Dear parent or guardian,');
    expect(notice.email.text).toContain('photos and images your child took or uploaded');
  });

  // The shared strings speak to the person ("photos you took", "watch your accounts"): in every locale the
  // guardian's notice has its own, about the child, for every category and every piece of advice.
  it.each(LOCALES)('tells a guardian in %s about the child’s data, not their own', (locale) => {
    const person = stringsOf('breach-notice', locale);
    const guardian = stringsOf('breach-notice-guardian', locale);
    expect(Object.keys(guardian.categories).sort()).toEqual(Object.keys(person.categories).sort());
    for (const [category, label] of Object.entries(person.categories)) {
      // The same words only where nothing in them is the reader's ("technical logs").
      if (guardian.categories[category] === label) expect(label).not.toMatch(PERSONAL[locale]);
    }
    expect(guardian.standardAdvice).toHaveLength(person.standardAdvice.length);
    for (const advice of guardian.standardAdvice) expect(person.standardAdvice).not.toContain(advice);
  });
});
