// The fault harness's directory: people with every channel mix (all three, some, none), minors with
// and without a guardian, addresses and numbers that fail for good (refused at send, bounced or
// undelivered after it), push tokens that are no longer registered. Seeded: the same seed writes the
// same people. Every contact value carries a mark the leak scan can find (see `needles`), and `expect`
// says what the campaign must end with for each person, from their plan and the failures set here.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

// The law's table of which channels count as the notice, from the build the harness runs (chaos.mjs checks
// dist/ exists before this is used): the plan puts those first, and a person told only otherwise is
// unreachable. The service runs with ESIGN_CONSENT unset (none).
const { lawfulMethods } = await import(
  new URL('../../dist/jurisdictions/rules/notice-methods.js', import.meta.url).href
);

/** mulberry32: a small seeded generator. */
export function seeded(seed) {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Numbers are built from a per-country counter, so they never repeat (and stay valid for the plan).
const COUNTRIES = [
  { j: 'DE', locale: 'de-DE', tz: 'Europe/Berlin', w: 20, phone: (n) => `+49151${pad(n + 10000000, 8)}` },
  { j: 'FR', locale: 'fr-FR', tz: 'Europe/Paris', w: 12, phone: (n) => `+336${pad(n + 12000000, 8)}` },
  {
    j: 'US-CA',
    locale: 'en-US',
    tz: 'America/Los_Angeles',
    w: 20,
    phone: (n) => `+1415${2 + Math.floor(n / 1e6)}${pad(n % 1e6, 6)}`,
  },
  {
    j: 'US-NY',
    locale: 'en-US',
    tz: 'America/New_York',
    w: 8,
    phone: (n) => `+1212${2 + Math.floor(n / 1e6)}${pad(n % 1e6, 6)}`,
  },
  { j: 'BR', locale: 'pt-BR', tz: 'America/Sao_Paulo', w: 15, phone: (n) => `+55119${pad(n + 60000000, 8)}` },
  { j: 'GB', locale: 'en-GB', tz: 'Europe/London', w: 10, phone: (n) => `+4477${pad(n + 10000000, 8)}` },
  { j: 'JP', locale: 'ja-JP', tz: 'Asia/Tokyo', w: 8, phone: (n) => `+8190${pad(n + 10000000, 8)}` },
  { j: 'ES', locale: 'es-ES', tz: 'Europe/Madrid', w: 7, phone: (n) => `+346${pad(n + 10000000, 8)}` },
];
const pad = (n, width) => String(n).padStart(width, '0');
const GIVEN = ['Ana', 'Björn', 'Chiara', 'Dmitri', 'Émilie', 'Farah', 'Giulia', 'Hiroshi', 'Ines', 'João'];
const FAMILY = [
  'Okafor',
  'Müller',
  'Rossi',
  'Tanaka',
  'Dubois',
  'Silva',
  'García',
  'Novak',
  'Smith',
  'Kowalski',
];
const TOKEN_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:';

/**
 * Shares of the directory. Contacts: everyone gets a mix; the failure sets are picked among those who
 * have the contact.
 */
export const MIX = {
  // What contacts a person has (the rest of the weights: all three).
  emailOnly: 0.14,
  phoneOnly: 0.08,
  pushOnly: 0.05,
  emailPush: 0.08,
  emailPhone: 0.06,
  nothing: 0.02,
  // Of those with email and a phone: SMS first.
  smsFirst: 0.12,
  // Minors (age 8-10): most with a guardian's contact.
  minors: 0.03,
  minorsWithGuardian: 0.7,
  // Failures for good.
  refusedEmail: 0.003,
  bouncedEmail: 0.01,
  invalidPhone: 0.02,
  undeliveredPhone: 0.005,
  unregisteredToken: 0.1,
  secondToken: 0.15,
};

/**
 * Generates `count` people into `file` (NDJSON for the streamed import). Returns the people (what the
 * checks need: their contacts, plan and expected outcome) and the failure sets to give the fakes.
 */
export async function writeDirectory(file, count, seed) {
  const random = seeded(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const weighted = COUNTRIES.flatMap((c) => Array(c.w).fill(c));
  const counters = new Map();
  const nextPhone = (c) => {
    const n = (counters.get(c.j) ?? 0) + 1;
    counters.set(c.j, n);
    return c.phone(n);
  };
  const token = () => Array.from({ length: 152 }, () => pick(TOKEN_CHARS)).join('');
  const failures = {
    refusedEmails: new Set(),
    bouncedEmails: new Set(),
    invalidPhones: new Set(),
    undeliveredPhones: new Set(),
    unregisteredTokens: new Set(),
  };
  const people = [];
  const out = createWriteStream(file);
  for (let i = 0; i < count; i += 1) {
    const c = pick(weighted);
    const mark = `Zq${i.toString(36).padStart(5, '0')}`;
    const r = random();
    let has;
    let edge = 0;
    const band = (share) => r >= edge && r < (edge += share);
    if (band(MIX.emailOnly)) has = { email: true };
    else if (band(MIX.phoneOnly)) has = { phone: true };
    else if (band(MIX.pushOnly)) has = { push: true };
    else if (band(MIX.emailPush)) has = { email: true, push: true };
    else if (band(MIX.emailPhone)) has = { email: true, phone: true };
    else if (band(MIX.nothing)) has = {};
    else has = { email: true, phone: true, push: true };
    const minor = random() < MIX.minors;
    const p = {
      externalId: `c-${i}`,
      name: `${pick(GIVEN)} ${mark} ${pick(FAMILY)}`,
      locale: c.locale,
      timeZone: c.tz,
      jurisdiction: c.j,
      birthDate: minor
        ? `${2016 + Math.floor(random() * 3)}-03-15`
        : `19${60 + Math.floor(random() * 40)}-05-01`,
      dataCategories: ['camera_data', 'personal_identifiers'],
      systems: ['media-store'],
    };
    if (has.email) p.email = `p${i}.${mark.toLowerCase()}@mail${i % 31}.chaos.example`;
    if (has.phone) p.phone = nextPhone(c);
    if (has.push) {
      p.pushTokens = [{ token: token(), platform: pick(['android', 'ios']) }];
      if (random() < MIX.secondToken) p.pushTokens.push({ token: token(), platform: 'ios' });
    }
    p.channelPreferences =
      has.email && has.phone && random() < MIX.smsFirst ? ['sms', 'email', 'push'] : ['email', 'push', 'sms'];
    if (minor && random() < MIX.minorsWithGuardian) {
      const g = random();
      p.guardian = {
        name: `Guardian ${mark}g ${pick(FAMILY)}`,
        ...(g < 0.8 ? { email: `g${i}.${mark.toLowerCase()}@family.chaos.example` } : {}),
        ...(g >= 0.5 ? { phone: nextPhone(c) } : {}),
        locale: c.locale,
      };
    }
    // Failures for good, among those who have the contact (a guardian's too).
    for (const email of [p.email, p.guardian?.email].filter(Boolean)) {
      const f = random();
      if (f < MIX.refusedEmail) failures.refusedEmails.add(email);
      else if (f < MIX.refusedEmail + MIX.bouncedEmail) failures.bouncedEmails.add(email);
    }
    for (const phone of [p.phone, p.guardian?.phone].filter(Boolean)) {
      const f = random();
      if (f < MIX.invalidPhone) failures.invalidPhones.add(phone);
      else if (f < MIX.invalidPhone + MIX.undeliveredPhone) failures.undeliveredPhones.add(phone);
    }
    for (const t of p.pushTokens ?? [])
      if (random() < MIX.unregisteredToken) failures.unregisteredTokens.add(t.token);
    people.push(p);
    if (!out.write(`${JSON.stringify(p)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { people, failures };
}

/**
 * What the campaign (escalate over email, SMS and push, guardians included) must end with for one
 * person, given the failures: who receives it, the notice channels tried in order, the channel that
 * notifies (or none: unreachable), and the push tokens the alert goes to. `dropped` holds tokens an
 * earlier campaign found unregistered (the service removed them from the directory). `smsFits(p, guardian)`:
 * whether the reader's notice fits one SMS (see chaos.mjs `smsFitsFor`).
 */
export function expect(p, failures, dropped = new Set(), smsFits = () => true) {
  const guardian = Boolean(
    p.birthDate?.startsWith('201') && p.guardian && (p.guardian.email || p.guardian.phone),
  );
  const who = guardian ? p.guardian : p;
  const order = guardian ? ['email', 'sms'] : p.channelPreferences.filter((ch) => ch !== 'push');
  // SMS counts only where the reader's notice fits one (SMS_NOTICE: else it carries its lead alone).
  const lawful = lawfulMethods(p.jurisdiction ?? null, new Date().toISOString().slice(0, 10), 'none').filter(
    (ch) => ch !== 'sms' || smsFits(p, guardian),
  );
  const plan = order
    .filter((ch) => (ch === 'email' ? who.email : who.phone))
    .map((ch, n) => ({ ch, n, lawful: lawful.includes(ch) }))
    .sort((a, b) => Number(b.lawful) - Number(a.lawful) || a.n - b.n)
    .map((x) => x.ch);
  const address = (ch) => (ch === 'email' ? who.email : who.phone);
  const tried = [];
  let notifiedBy = null;
  for (const ch of plan) {
    tried.push(ch);
    const a = address(ch);
    const fails =
      ch === 'email'
        ? failures.refusedEmails.has(a) || failures.bouncedEmails.has(a)
        : failures.invalidPhones.has(a) || failures.undeliveredPhones.has(a);
    if (!fails) {
      // Told on a channel their law does not accept: informed, still unreachable, and nothing more is tried.
      if (lawful.includes(ch)) notifiedBy = ch;
      break;
    }
  }
  const tokens = guardian ? [] : (p.pushTokens ?? []).map((t) => t.token).filter((t) => !dropped.has(t));
  return {
    recipient: guardian ? 'guardian' : 'person',
    plan,
    tried: tried.map((ch) => ({ channel: ch, address: address(ch) })),
    notifiedBy,
    status: notifiedBy ? 'notified' : 'unreachable',
    tokens,
  };
}

/**
 * Every contact value of the directory, as the leak scan looks for it: whole emails and their local
 * part, numbers with and without the +, the name's mark (unique to the person), push tokens and their
 * first 24 characters.
 */
export function needles(people) {
  const exact = new Map();
  const add = (value, kind) => value && exact.set(value, kind);
  for (const p of people) {
    for (const who of [p, p.guardian].filter(Boolean)) {
      if (who.email) {
        add(who.email.toLowerCase(), 'email');
        add(who.email.split('@')[0], 'email (local part)');
      }
      if (who.phone) {
        add(who.phone, 'phone');
        add(who.phone.slice(1), 'phone (digits)');
      }
      if (who.name) add(/Zq[0-9a-z]{5}g?/.exec(who.name)?.[0], 'name');
    }
    for (const t of p.pushTokens ?? []) {
      add(t.token, 'push token');
      add(t.token.slice(0, 24), 'push token (prefix)');
    }
  }
  return exact;
}
