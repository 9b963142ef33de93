// How long each SMS is now that it carries the notice (SMS_NOTICE): for the benchmarks' incident
// (scripts/lib/service.mjs benchIncident), per jurisdiction and the language its residents read, the
// SMS's characters, encoding and segments as the send path renders it, whether it fits one SMS as the
// planner measures it (SmsFit: else SMS only informs there), and what rendering one costs.
// Usage: npm run bench:sms
import { benchIncident } from './lib/service.mjs';

const { NoticeRenderer } = await import('../dist/templates/notice.renderer.js');
const { SmsFit } = await import('../dist/notifications/sms-fit.js');

const renderer = new NoticeRenderer();
const config = {
  organizationName: 'Example Organization',
  privacyContactEmail: 'privacy@example.com',
  publicBaseUrl: 'https://notices.example.org',
};
const fit = new SmsFit(renderer, config);
const given = benchIncident();
const incident = {
  ...given,
  occurredFrom: new Date(given.occurredFrom),
  occurredTo: null,
  discoveredAt: new Date(given.discoveredAt),
  containedAt: null,
  measuresPlanned: null,
  adviceToIndividuals: null,
};
const READERS = [
  ['GB', 'en'],
  ['DE', 'de'],
  ['FR', 'fr'],
  ['ES', 'es'],
  ['BR', 'pt-BR'],
  ['JP', 'ja'],
  ['KR', 'ko'],
  ['CN', 'zh-Hans'],
  ['IN', 'hi'],
  ['SG', 'en'],
  ['CA-ON', 'en'],
  ['CA-QC', 'fr'],
  ['CA-QC', 'en'],
  ['US-CA', 'en'],
  ['US-NY', 'en'],
  ['US-MA', 'en'],
  ['US-TX', 'es'],
];
const now = new Date();
/** A reader of the incident in a jurisdiction, reading a language, told of all it names. */
const readerIn = (jurisdiction, locale) => ({
  organization: config.organizationName,
  contactEmail: config.privacyContactEmail,
  url: `${config.publicBaseUrl}/n/${'A'.repeat(22)}`,
  name: null,
  child: null,
  locale,
  timeZone: 'Europe/Berlin',
  jurisdiction,
  exposed: incident.dataCategories,
  incident,
  sentAt: now,
});
console.log(
  ['jurisdiction', 'reader', 'notice', 'characters', 'encoding', 'segments', 'fits one SMS']
    .map((h, i) => (i < 3 ? h.padEnd(13) : h.padStart(i === 6 ? 18 : 13)))
    .join(''),
);
for (const [jurisdiction, reader] of READERS) {
  const facts = readerIn(jurisdiction, reader);

  const { locale, sms } = renderer.renderSms('breach-notice', facts);
  const fits = fit.fits('breach-notice', locale, jurisdiction, incident, now);
  console.log(
    [jurisdiction, reader, locale].map((c) => c.padEnd(13)).join('') +
      [sms.units, sms.encoding, sms.segments, fits ? 'yes' : 'no (lead only)']
        .map((c, i) => String(c).padStart(i === 3 ? 18 : 13))
        .join(''),
  );
}
const runs = 2000;
const facts = readerIn('DE', 'de');
for (const [label, render] of [
  ['lead alone (before)', () => renderer.renderShort('breach-notice', facts)],
  ['the notice (now)', () => renderer.renderSms('breach-notice', facts)],
]) {
  for (let i = 0; i < 200; i += 1) render();
  const t = performance.now();
  for (let i = 0; i < runs; i += 1) render();
  console.log(`render one German SMS, ${label}: ${(((performance.now() - t) / runs) * 1000).toFixed(0)} µs`);
}
