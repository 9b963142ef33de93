import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { FieldProblem } from '../common/errors.js';
import { parseZonedDateTime, zonedDateTimeMessage } from '../common/date-time.js';
import { canonicalLocale, CONTROL, LONE_SURROGATE } from '../common/text.js';
import { ageOn, type ConsentAges } from '../jurisdictions/consent-ages.js';
import { isKnownJurisdiction, jurisdictionRule } from '../jurisdictions/codes.js';

export const CHANNELS = ['email', 'sms', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];
export const PUSH_PLATFORMS = ['android', 'ios', 'web'] as const;

export interface PushToken {
  token: string;
  platform: (typeof PUSH_PLATFORMS)[number];
}

export interface Guardian {
  name?: string;
  email?: string;
  phone?: string;
  locale?: string;
}

/** The age of majority Brazil's criteria count children and adolescents under (ECA Art. 2: under 18). */
export const ADULT_AGE = 18;

/**
 * What a birth date makes a person on a day: a minor (under `minorAge`, their jurisdiction's age for the
 * guardian's notice) and under 18. No birth date: neither. The import and the daily refresh both decide
 * by it.
 */
export function ageFlags(
  birthDate: string | undefined,
  on: Date,
  minorAge: number,
): { minor: boolean; under18: boolean } {
  const age = birthDate === undefined ? undefined : ageOn(birthDate, on);
  return { minor: age !== undefined && age < minorAge, under18: age !== undefined && age < ADULT_AGE };
}

/** A person of the directory after validation: normalised, with what the service derived. */
export interface Subject {
  externalId: string;
  name?: string;
  email?: string;
  phone?: string;
  pushTokens: PushToken[];
  locale?: string;
  timeZone?: string;
  jurisdiction?: string;
  jurisdictionInferred: boolean;
  birthDate?: string;
  guardian?: Guardian;
  channelPreferences: Channel[];
  dataCategories: string[];
  systems: string[];
  createdAt?: Date;
  lastActiveAt?: Date;
  /** Under the age of digital consent of their jurisdiction today. */
  minor: boolean;
  /** Under 18 today (a birth date says so; none: not counted). */
  under18: boolean;
}

/** What is sealed: the contact data, and nothing the service needs to query. */
export interface SealedContact {
  name?: string;
  email?: string;
  phone?: string;
  pushTokens: PushToken[];
  birthDate?: string;
  guardian?: Guardian;
}

export type Validation = { ok: true; subject: Subject } | { ok: false; problems: FieldProblem[] };

/** The fields of a person's record, in the order a CSV file's columns are listed (import.parsers.ts). */
export const SUBJECT_FIELDS = [
  'externalId',
  'name',
  'email',
  'phone',
  'pushTokens',
  'locale',
  'timeZone',
  'jurisdiction',
  'birthDate',
  'guardian',
  'channelPreferences',
  'dataCategories',
  'systems',
  'createdAt',
  'lastActiveAt',
] as const;
export const GUARDIAN_FIELDS = ['name', 'email', 'phone', 'locale'] as const;
const KNOWN_FIELDS: ReadonlySet<string> = new Set(SUBJECT_FIELDS);
const KNOWN_GUARDIAN_FIELDS: ReadonlySet<string> = new Set(GUARDIAN_FIELDS);

/**
 * A key as errors and stored rejections may name it: a field's name (a typo of a known one). Anything
 * else may be personal data typed as a key (an address, a name) and is named by its position instead.
 */
export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;

/** An unknown key of an object at `path`, the `i`-th of its keys, named only as FIELD_NAME allows. */
function unknownField(fail: Fail, path: string, key: string, i: number): void {
  const field = FIELD_NAME.test(key) ? `${path}${key}` : `${path}(key ${i + 1})`;
  fail(field, 'unknownField', `${field} is not a known field`);
}

/** The app's user id: stored in clear, so checked not to be an email address or a phone number. */
export const EXTERNAL_ID = /^[\p{L}\p{N}._:|+/#=@-]{1,128}$/u;
export const EXTERNAL_ID_RULE = 'externalId must be 1-128 letters, digits or ._:|+/#=@-';
const SYSTEM = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/**
 * An address as HTML's `type=email` accepts it (WHATWG), with a dot-separated domain ending in a top-level
 * label of letters: the syntax mail providers accept, checked in well under a microsecond.
 */
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{1,253}$)(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+(?:[a-zA-Z]{2,63}|xn--[a-zA-Z0-9-]{1,59})$/;
export const isEmailAddress = (value: string): boolean => EMAIL.test(value);
/** Clocks of the app and of this service may differ a little. */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
const MAX_PUSH_TOKENS = 20;
const MAX_LIST = 64;

const timeZones = new Map<string, string | null>();
/** The canonical IANA name of a zone, or null when ICU does not know it. */
export function canonicalTimeZone(zone: string): string | null {
  let canonical = timeZones.get(zone);
  if (canonical === undefined) {
    try {
      canonical = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(zone)
        ? new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone
        : null;
    } catch {
      canonical = null;
    }
    if (timeZones.size < 10_000) timeZones.set(zone, canonical);
  }
  return canonical;
}

/**
 * Checks one person's record field by field and normalises it. Problems name the field and the rule and
 * never quote the value, so they can be stored and shown without leaking personal data. Hand-written
 * rather than class-validator: it runs a million times per import.
 */
export class SubjectValidator {
  constructor(
    private readonly categories: ReadonlySet<string>,
    private readonly consentAge: ConsentAges,
    private readonly now: () => Date,
  ) {}

  validate(raw: unknown): Validation {
    const problems: FieldProblem[] = [];
    const fail = (field: string, rule: string, message: string): undefined => {
      problems.push({ field, rule, message });
      return undefined;
    };
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return {
        ok: false,
        problems: [{ field: '', rule: 'isObject', message: 'a subject must be an object' }],
      };
    }
    const input = raw as Record<string, unknown>;
    Object.keys(input).forEach((key, i) => {
      if (!KNOWN_FIELDS.has(key)) unknownField(fail, '', key, i);
    });
    const now = this.now();

    const externalId = this.externalId(input.externalId, fail);
    const name = this.text(input.name, 'name', 200, fail);
    const email = this.email(input.email, 'email', fail);
    const phoneCheck = this.phone(input.phone, 'phone', fail);
    const pushTokens = this.pushTokens(input.pushTokens, fail);
    const locale = this.locale(input.locale, 'locale', fail);

    const timeZone = this.timeZone(input.timeZone, fail);

    let jurisdiction = this.string(input.jurisdiction, 'jurisdiction', 6, fail);
    let jurisdictionInferred = false;
    if (jurisdiction !== undefined) {
      jurisdiction = jurisdiction.toUpperCase();
      if (!isKnownJurisdiction(jurisdiction)) {
        jurisdiction = fail('jurisdiction', 'isJurisdiction', jurisdictionRule('jurisdiction', jurisdiction));
      }
    } else if (
      !problems.some((p) => p.field === 'jurisdiction') &&
      phoneCheck?.country &&
      isKnownJurisdiction(phoneCheck.country)
    ) {
      jurisdiction = phoneCheck.country;
      jurisdictionInferred = true;
    }

    const birthDate = this.birthDate(input.birthDate, now, fail);
    const guardian = this.guardian(input.guardian, fail);
    const { channelPreferences, dataCategories, systems } = this.lists(input, fail);
    const createdAt = this.instant(input.createdAt, 'createdAt', now, fail);
    const lastActiveAt = this.instant(input.lastActiveAt, 'lastActiveAt', now, fail);

    if (problems.length > 0 || externalId === undefined) return { ok: false, problems };
    const { minor, under18 } = ageFlags(birthDate, now, this.consentAge(jurisdiction ?? null));
    return {
      ok: true,
      subject: {
        externalId,
        name,
        email,
        phone: phoneCheck?.number,
        pushTokens,
        locale,
        timeZone,
        jurisdiction,
        jurisdictionInferred,
        birthDate,
        guardian,
        channelPreferences,
        dataCategories,
        systems,
        createdAt,
        lastActiveAt,
        minor,
        under18,
      },
    };
  }

  private externalId(value: unknown, fail: Fail): string | undefined {
    const externalId = this.string(value, 'externalId', 128, fail, true);
    if (externalId === undefined) return undefined;
    if (!EXTERNAL_ID.test(externalId)) {
      fail('externalId', 'isExternalId', EXTERNAL_ID_RULE);
    } else if (isEmailAddress(externalId)) {
      // The external id is stored in clear: it must be the app's user id, not a contact address.
      fail('externalId', 'notContactData', 'externalId must not be an email address');
    } else if (E164.test(externalId)) {
      fail('externalId', 'notContactData', 'externalId must not be a phone number');
    }
    return externalId;
  }

  private timeZone(value: unknown, fail: Fail): string | undefined {
    const zone = this.string(value, 'timeZone', 64, fail);
    if (zone === undefined) return undefined;
    return canonicalTimeZone(zone) ?? fail('timeZone', 'isTimeZone', 'timeZone must be an IANA time zone');
  }

  private birthDate(value: unknown, now: Date, fail: Fail): string | undefined {
    const birth = this.string(value, 'birthDate', 10, fail);
    if (birth === undefined) return undefined;
    const match = DATE.exec(birth);
    const date = match ? new Date(`${birth}T00:00:00Z`) : undefined;
    if (!match || !date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== birth) {
      return fail('birthDate', 'isDate', 'birthDate must be a calendar date YYYY-MM-DD');
    }
    if (date.getTime() > now.getTime())
      return fail('birthDate', 'notInFuture', 'birthDate cannot be in the future');
    if (Number(match[1]) < 1900) return fail('birthDate', 'min', 'birthDate must be in 1900 or later');
    return birth;
  }

  /** The lists: the channels in the person's order of preference, data categories, systems. */
  private lists(input: Record<string, unknown>, fail: Fail) {
    return {
      channelPreferences: this.list(input.channelPreferences, 'channelPreferences', fail, (value, field) =>
        (CHANNELS as readonly string[]).includes(value)
          ? (value as Channel)
          : fail(field, 'isIn', `${field} must be one of ${CHANNELS.join(', ')}`),
      ),
      dataCategories: this.list(input.dataCategories, 'dataCategories', fail, (value, field) =>
        this.categories.has(value)
          ? value
          : fail(field, 'isKnownCategory', `${field} is not a configured data category`),
      ),
      systems: this.list(input.systems, 'systems', fail, (value, field) =>
        SYSTEM.test(value) ? value : fail(field, 'isSystem', `${field} must be 1-64 letters, digits or ._-`),
      ),
    };
  }

  private string(
    value: unknown,
    field: string,
    max: number,
    fail: Fail,
    required = false,
  ): string | undefined {
    if (value === undefined || value === null || value === '') {
      return required ? fail(field, 'isNotEmpty', `${field} is required`) : undefined;
    }
    if (typeof value !== 'string') return fail(field, 'isString', `${field} must be a string`);
    const trimmed = value.trim();
    if (trimmed.length > max) return fail(field, 'maxLength', `${field} must be at most ${max} characters`);
    if (trimmed === '') return required ? fail(field, 'isNotEmpty', `${field} is required`) : undefined;
    if (LONE_SURROGATE.test(trimmed)) {
      return fail(
        field,
        'wellFormedUnicode',
        `${field} must be well-formed Unicode (it holds a lone surrogate)`,
      );
    }
    return trimmed;
  }

  private text(value: unknown, field: string, max: number, fail: Fail): string | undefined {
    const text = this.string(value, field, max, fail);
    if (text !== undefined && CONTROL.test(text)) {
      return fail(field, 'noControlCharacters', `${field} must not contain control characters`);
    }
    return text;
  }

  private email(value: unknown, field: string, fail: Fail): string | undefined {
    const email = this.string(value, field, 254, fail);
    if (email !== undefined && !isEmailAddress(email))
      return fail(field, 'isEmail', `${field} must be an email address`);
    return email;
  }

  private phone(value: unknown, field: string, fail: Fail): { number: string; country?: string } | undefined {
    const phone = this.string(value, field, 16, fail);
    if (phone === undefined) return undefined;
    if (!E164.test(phone)) return fail(field, 'isE164', `${field} must be in E.164 form, e.g. +14155552671`);
    const parsed = parsePhoneNumberFromString(phone);
    if (!parsed?.isValid()) {
      return fail(field, 'isPhoneNumber', `${field} is not a number of any country's numbering plan`);
    }
    return { number: parsed.number, country: parsed.country };
  }

  private locale(value: unknown, field: string, fail: Fail): string | undefined {
    const tag = this.string(value, field, 35, fail);
    if (tag === undefined) return undefined;
    return (
      // A language of two or three letters: "english" is well-formed BCP 47 (a registered subtag's shape)
      // but no language, and would quietly get the fallback.
      (/^[a-z]{2,3}(-|$)/i.test(tag) ? canonicalLocale(tag) : null) ??
      fail(field, 'isLocale', `${field} must be a BCP 47 language tag, e.g. pt-BR`)
    );
  }

  private instant(value: unknown, field: string, now: Date, fail: Fail): Date | undefined {
    const text = this.string(value, field, 40, fail);
    if (text === undefined) return undefined;
    const date = parseZonedDateTime(text);
    if (!date) return fail(field, 'isDateTime', zonedDateTimeMessage(field));
    if (date.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
      return fail(field, 'notInFuture', `${field} cannot be in the future`);
    }
    return date;
  }

  private list<T>(
    value: unknown,
    field: string,
    fail: Fail,
    check: (item: string, field: string) => T | undefined,
  ): T[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) return fail(field, 'isArray', `${field} must be an array`) ?? [];
    if (value.length > MAX_LIST)
      return fail(field, 'arrayMaxSize', `${field} must have at most ${MAX_LIST} items`) ?? [];
    const out = new Set<T>();
    value.forEach((item: unknown, index) => {
      const path = `${field}.${index}`;
      if (typeof item !== 'string') return fail(path, 'isString', `${path} must be a string`);
      const checked = check(item.trim(), path);
      if (checked !== undefined) out.add(checked);
    });
    return [...out];
  }

  private pushTokens(value: unknown, fail: Fail): PushToken[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) return fail('pushTokens', 'isArray', 'pushTokens must be an array') ?? [];
    if (value.length > MAX_PUSH_TOKENS) {
      return (
        fail('pushTokens', 'arrayMaxSize', `pushTokens must have at most ${MAX_PUSH_TOKENS} items`) ?? []
      );
    }
    const tokens: PushToken[] = [];
    value.forEach((item: unknown, index) => {
      const path = `pushTokens.${index}`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        return fail(path, 'isObject', `${path} must be an object {token, platform}`);
      }
      const entry = item as Record<string, unknown>;
      Object.keys(entry).forEach((key, i) => {
        if (key !== 'token' && key !== 'platform') unknownField(fail, `${path}.`, key, i);
      });
      const token = this.string(entry.token, `${path}.token`, 4096, fail, true);
      const platform = entry.platform;
      if (!(PUSH_PLATFORMS as readonly unknown[]).includes(platform)) {
        return fail(
          `${path}.platform`,
          'isIn',
          `${path}.platform must be one of ${PUSH_PLATFORMS.join(', ')}`,
        );
      }
      if (token !== undefined && !tokens.some((t) => t.token === token)) {
        tokens.push({ token, platform: platform as PushToken['platform'] });
      }
    });
    return tokens;
  }

  private guardian(value: unknown, fail: Fail): Guardian | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) {
      return fail('guardian', 'isObject', 'guardian must be an object {name, email, phone, locale}');
    }
    const input = value as Record<string, unknown>;
    Object.keys(input).forEach((key, i) => {
      if (!KNOWN_GUARDIAN_FIELDS.has(key)) unknownField(fail, 'guardian.', key, i);
    });
    const guardian: Guardian = {
      name: this.text(input.name, 'guardian.name', 200, fail),
      email: this.email(input.email, 'guardian.email', fail),
      phone: this.phone(input.phone, 'guardian.phone', fail)?.number,
      locale: this.locale(input.locale, 'guardian.locale', fail),
    };
    const present = Object.fromEntries(Object.entries(guardian).filter(([, v]) => v !== undefined));
    return Object.keys(present).length > 0 ? present : undefined;
  }
}

type Fail = (field: string, rule: string, message: string) => undefined;

/** The contact part of a subject, which is sealed. */
export function contactOf(subject: Subject): SealedContact {
  const { name, email, phone, pushTokens, birthDate, guardian } = subject;
  return { name, email, phone, pushTokens, birthDate, guardian };
}

/** The channels a notice can reach this person by: their guardian's when they are a minor with one. */
export function reachableChannels(flags: {
  minor: boolean;
  hasEmail: boolean;
  hasPhone: boolean;
  pushTokenCount: number;
  guardianHasEmail: boolean;
  guardianHasPhone: boolean;
}): Channel[] {
  if (flags.minor && (flags.guardianHasEmail || flags.guardianHasPhone)) {
    return [
      ...(flags.guardianHasEmail ? (['email'] as const) : []),
      ...(flags.guardianHasPhone ? (['sms'] as const) : []),
    ];
  }
  return [
    ...(flags.hasEmail ? (['email'] as const) : []),
    ...(flags.hasPhone ? (['sms'] as const) : []),
    ...(flags.pushTokenCount > 0 ? (['push'] as const) : []),
  ];
}
