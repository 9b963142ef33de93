// A realistic directory for the benchmarks: mixed countries, locales, channels, about 2% minors (most with
// a guardian) and about 0.5% bad rows. Seeded, so every run writes the same file.
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const COUNTRIES = [
  { j: 'US-CA', locale: 'en-US', tz: 'America/Los_Angeles', phone: () => `+1415${digits(7, 2)}`, w: 18 },
  { j: 'US-NY', locale: 'en-US', tz: 'America/New_York', phone: () => `+1212${digits(7, 2)}`, w: 8 },
  { j: 'BR', locale: 'pt-BR', tz: 'America/Sao_Paulo', phone: () => `+55119${digits(8)}`, w: 15 },
  { j: 'DE', locale: 'de-DE', tz: 'Europe/Berlin', phone: () => `+49151${digits(8)}`, w: 10 },
  { j: 'FR', locale: 'fr-FR', tz: 'Europe/Paris', phone: () => `+336${digits(8)}`, w: 8 },
  { j: 'GB', locale: 'en-GB', tz: 'Europe/London', phone: () => `+4474${digits(8)}`, w: 8 },
  { j: 'ES', locale: 'es-ES', tz: 'Europe/Madrid', phone: () => `+346${digits(8)}`, w: 6 },
  { j: 'JP', locale: 'ja-JP', tz: 'Asia/Tokyo', phone: () => `+8190${digits(8)}`, w: 10 },
  { j: 'CN', locale: 'zh-CN', tz: 'Asia/Shanghai', phone: () => `+86139${digits(8)}`, w: 7 },
  { j: 'IN', locale: 'en-IN', tz: 'Asia/Kolkata', phone: () => `+9198${digits(8)}`, w: 5 },
  { j: 'SG', locale: 'en-SG', tz: 'Asia/Singapore', phone: () => `+659${digits(7)}`, w: 5 },
];
const WEIGHTED = COUNTRIES.flatMap((c) => Array(c.w).fill(c));
const OTHER_CATEGORIES = ['personal_identifiers', 'device_identifiers', 'app_usage', 'device_info', 'logs'];
const SYSTEMS = ['auth-db', 'media-store', 'analytics', 'billing'];
let seed = 42;
/** mulberry32: a small seeded generator, so every run imports the same file. */
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
function digits(n, firstMin = 0) {
  let s = String(firstMin + Math.floor(random() * (10 - firstMin)));
  for (let i = 1; i < n; i += 1) s += Math.floor(random() * 10);
  return s;
}
const token = () =>
  Array.from({ length: 152 }, () =>
    pick('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:'),
  ).join('');
const day = (from, to) => new Date(from + random() * (to - from)).toISOString();
const Y2020 = Date.parse('2020-01-01');
const Y2025 = Date.parse('2025-06-01');
const NOW = Date.parse('2026-11-01');

function person(i, emailFirst) {
  const c = pick(WEIGHTED);
  const minor = random() < 0.02;
  const p = {
    externalId: `u-${i}`,
    name: `Person ${i} Example`,
    ...(random() < 0.9 ? { email: `person.${i}@mail${i % 97}.example.com` } : {}),
    ...(random() < 0.6 ? { phone: c.phone() } : {}),
    ...(random() < 0.5 ? { pushTokens: [{ token: token(), platform: pick(['android', 'ios']) }] } : {}),
    locale: c.locale,
    timeZone: c.tz,
    jurisdiction: c.j,
    birthDate: minor
      ? `${2013 + Math.floor(random() * 4)}-0${1 + Math.floor(random() * 9)}-15`
      : `19${60 + Math.floor(random() * 40)}-05-01`,
    ...(minor && random() < 0.7
      ? { guardian: { name: `Guardian ${i}`, email: `guardian.${i}@example.org`, locale: c.locale } }
      : {}),
    channelPreferences: emailFirst
      ? ['email', 'sms', 'push']
      : pick([
          ['email', 'push', 'sms'],
          ['sms', 'email'],
          ['push', 'email'],
        ]),
    dataCategories: [
      ...(random() < 0.5 ? ['camera_data'] : []),
      pick(OTHER_CATEGORIES),
      pick(OTHER_CATEGORIES),
    ].filter((v, k, all) => all.indexOf(v) === k),
    systems: [pick(SYSTEMS), pick(SYSTEMS)].filter((v, k, all) => all.indexOf(v) === k),
    createdAt: day(Y2020, Y2025),
    lastActiveAt: day(Y2025, NOW),
  };
  // About 0.5% bad rows, as real exports have: a broken address, a short number, a cut line.
  const fault = random();
  if (fault < 0.002) return JSON.stringify({ ...p, email: `person.${i}@` });
  if (fault < 0.004) return JSON.stringify({ ...p, phone: '+12345' });
  if (fault < 0.005) return JSON.stringify(p).slice(0, 60);
  return JSON.stringify(p);
}

/** Writes `rows` people as NDJSON; `emailFirst` makes everyone prefer email, then SMS. */
export async function generate(file, rows, { emailFirst = false } = {}) {
  seed = 42;
  const out = createWriteStream(file);
  for (let i = 0; i < rows; i += 1) {
    if (!out.write(`${person(i, emailFirst)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  // Written through to disk before measuring, so the kernel's write-back does not compete with the import.
  execFileSync('sync');
}
