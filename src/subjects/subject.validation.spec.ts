import { consentAges } from '../jurisdictions/consent-ages.js';
import { DEFAULT_DATA_CATEGORIES } from '../config/config.js';
import { reachableChannels, SubjectValidator } from './subject.validation.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const validator = new SubjectValidator(new Set(DEFAULT_DATA_CATEGORIES), consentAges(14, {}), () => NOW);
const rules = (raw: unknown) => {
  const result = validator.validate(raw);
  return result.ok ? [] : result.problems.map((p) => `${p.field} ${p.rule}`);
};

describe('SubjectValidator', () => {
  it('keeps the bidirectional marks that Hebrew and Arabic names carry (embeddings, isolates)', () => {
    for (const name of ['\u202bדנה כהן\u202c', '\u2067سارة\u2069 Smith']) {
      expect(validator.validate({ externalId: 'u', name })).toMatchObject({ ok: true, subject: { name } });
    }
  });

  it('never names an unknown key that is not a field name: it may be personal data typed as a key', () => {
    const result = validator.validate({
      externalId: 'u',
      'ana.silva@example.com': 'Ana Silva',
      guardian: { 'Maria Silva': '+5511912345678' },
      pushTokens: [{ token: 'tok-123456', platform: 'ios', 'tok-abcdef': 1 }],
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => `${p.field} ${p.rule}`)).toEqual([
      '(key 2) unknownField',
      'pushTokens.0.(key 3) unknownField',
      'guardian.(key 1) unknownField',
    ]);
    expect(JSON.stringify(problems)).not.toMatch(/silva|maria|tok-abcdef/i);
  });

  it('normalises a full record and infers the jurisdiction from the phone', () => {
    const result = validator.validate({
      externalId: ' u-1 ',
      email: 'Ana@Example.com',
      phone: '+5511912345678',
      locale: 'pt-br',
      timeZone: 'america/sao_paulo',
      channelPreferences: ['sms', 'email', 'sms'],
      birthDate: '2000-01-31',
    });
    expect(result).toMatchObject({
      ok: true,
      subject: {
        externalId: 'u-1',
        email: 'Ana@Example.com',
        locale: 'pt-BR',
        timeZone: 'America/Sao_Paulo',
        jurisdiction: 'BR',
        jurisdictionInferred: true,
        channelPreferences: ['sms', 'email'],
        minor: false,
      },
    });
  });

  it.each([
    [{ externalId: '' }, ['externalId isNotEmpty']],
    [{ externalId: 'a b' }, ['externalId isExternalId']],
    [{ externalId: 'x@example.com' }, ['externalId notContactData']],
    [{ externalId: '+447911123499' }, ['externalId notContactData']],
    [{ externalId: 'u', emial: 'a@example.com' }, ['emial unknownField']],
    [{ externalId: 'u', email: 'a@' }, ['email isEmail']],
    [{ externalId: 'u', phone: '5511912345678' }, ['phone isE164']],
    [{ externalId: 'u', phone: '+15550000000' }, ['phone isPhoneNumber']],
    [{ externalId: 'u', locale: 'en_US' }, ['locale isLocale']],
    [{ externalId: 'u', locale: 'english' }, ['locale isLocale']],
    [{ externalId: 'u', timeZone: 'Europe/Atlantis' }, ['timeZone isTimeZone']],
    [{ externalId: 'u', jurisdiction: 'DE-BY' }, ['jurisdiction isJurisdiction']],
    [{ externalId: 'u', birthDate: '2010-02-30' }, ['birthDate isDate']],
    [{ externalId: 'u', birthDate: '1899-12-31' }, ['birthDate min']],
    [{ externalId: 'u', createdAt: '2026-01-01' }, ['createdAt isDateTime']],
    [{ externalId: 'u', lastActiveAt: '2026-11-29T13:00:00Z' }, ['lastActiveAt notInFuture']],
    [{ externalId: 'u', dataCategories: 'camera_data' }, ['dataCategories isArray']],
    [{ externalId: 'u', systems: ['a,b'] }, ['systems.0 isSystem']],
    [{ externalId: 'u', channelPreferences: ['fax'] }, ['channelPreferences.0 isIn']],
    [
      { externalId: 'u', pushTokens: [{ token: 't', platform: 'symbian', x: 1 }] },
      ['pushTokens.0.x unknownField', 'pushTokens.0.platform isIn'],
    ],
    [
      { externalId: 'u', guardian: { email: 'bad', age: 40 } },
      ['guardian.age unknownField', 'guardian.email isEmail'],
    ],
    [{ externalId: 'u', name: 'a\u0000b' }, ['name noControlCharacters']],
    // A right-to-left override would make the name in a notice read otherwise than it is.
    [{ externalId: 'u', name: 'Ann \u202eevil' }, ['name noControlCharacters']],
    [{ externalId: 'u', name: 'a\ud800b' }, ['name wellFormedUnicode']],
    [{ externalId: 'u', __proto__x: 1 }, ['__proto__x unknownField']],
    [[], [' isObject']],
  ])('refuses %j with %j', (raw, expected) => {
    expect(rules(raw).sort()).toEqual([...expected].sort());
  });

  it('never quotes the value in a problem', () => {
    const result = validator.validate({ externalId: 'u', email: 'secret-address', phone: '+99912345678' });
    expect(JSON.stringify(result)).not.toMatch(/secret-address|99912345678/);
  });

  it('flags minors by the age of their jurisdiction', () => {
    const minor = (jurisdiction: string, birthDate: string) => {
      const result = validator.validate({ externalId: 'u', jurisdiction, birthDate });
      return result.ok && result.subject.minor;
    };
    expect(minor('DE', '2011-01-01')).toBe(true); // 15 < 16
    expect(minor('US', '2011-01-01')).toBe(false); // 15 >= 13
    expect(minor('AR', '2012-11-30')).toBe(true); // 13, default 14
    expect(minor('AR', '2012-11-29')).toBe(false); // 14 today
  });
});

describe('reachableChannels', () => {
  const base = {
    minor: false,
    hasEmail: true,
    hasPhone: true,
    pushTokenCount: 2,
    guardianHasEmail: false,
    guardianHasPhone: true,
  };
  it('lists the person’s own channels', () =>
    expect(reachableChannels(base)).toEqual(['email', 'sms', 'push']));
  it('routes a minor with guardian contact to the guardian', () =>
    expect(reachableChannels({ ...base, minor: true })).toEqual(['sms']));
  it('keeps a minor without guardian contact on their own channels (flagged elsewhere)', () =>
    expect(reachableChannels({ ...base, minor: true, guardianHasPhone: false })).toEqual([
      'email',
      'sms',
      'push',
    ]));
});
