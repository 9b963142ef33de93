import { exposure, membersOf } from '../common/data-categories.js';
import type { AppConfig } from '../config/config.js';
import type { IncidentRow } from '../incidents/incidents.repository.js';
import { NoticeRenderer } from '../templates/notice.renderer.js';
import { longestExposures, SMS_FIT_MARGIN, SmsFit } from './sms-fit.js';

// The planner counts an SMS as the notice only where SmsFit says it fits; the send path then pauses the
// campaign if a counted SMS does not. So what SmsFit measures must never be shorter, by more than its
// margin, than any reader's SMS: whatever data of theirs it names, in whatever zone they live.

const renderer = new NoticeRenderer();
const config = {
  organizationName: 'Example Organization',
  privacyContactEmail: 'privacy@example.com',
  publicBaseUrl: 'https://notices.example.org',
} as AppConfig;
const fit = new SmsFit(renderer, config);
const incident = {
  description: 'A storage bucket with generated images was readable from the internet.',
  occurredFrom: new Date('2026-10-31T23:30:00Z'),
  occurredTo: new Date('2026-11-30T23:30:00Z'),
  discoveredAt: new Date('2026-11-30T22:15:00Z'),
  containedAt: new Date('2026-12-31T23:00:00Z'),
  likelyConsequences: 'Phishing using the exposed addresses.',
  measuresTaken: 'The bucket was closed and its keys rotated.',
  measuresPlanned: null,
  adviceToIndividuals: null,
  remedies: 'A support line.',
  cause: 'A configuration change.',
  location: null,
  dataCategories: ['personal_identifiers', 'device_identifiers', 'camera_data'],
} as unknown as IncidentRow;
const ZONES = ['UTC', 'America/St_Johns', 'Pacific/Chatham', 'Asia/Kathmandu', 'America/Los_Angeles', null];

describe('SmsFit', () => {
  it('measures the lists of data a reader may be told of: as the incident names them, and member by member', () => {
    expect(longestExposures(['personal_identifiers', 'custom_thing'])).toEqual([
      ['personal_identifiers', 'custom_thing'],
      [...membersOf('personal_identifiers'), 'custom_thing'],
    ]);
    expect(longestExposures([])[0].length).toBeGreaterThan(20);
  });

  it("is never shorter than a reader's SMS by more than its margin, whatever their data and zone", () => {
    const people = [
      incident.dataCategories,
      // Recorded with every member of the groups the incident names: each member is said.
      incident.dataCategories.flatMap((c) => membersOf(c)),
      ['email_address'],
    ];
    const now = new Date('2026-12-31T23:45:00Z');
    for (const [jurisdiction, locale] of [
      ['FR', 'fr'],
      ['DE', 'de'],
      ['GB', 'en'],
      ['CA-ON', 'en'],
      ['BR', 'pt-BR'],
      ['CN', 'zh-Hans'],
      ['IN', 'hi'],
    ] as const) {
      const measured = fit.length('breach-notice', locale, jurisdiction, incident, now);
      for (const person of people) {
        for (const timeZone of ZONES) {
          const { sms } = renderer.renderSms('breach-notice', {
            organization: config.organizationName,
            contactEmail: config.privacyContactEmail,
            url: `${config.publicBaseUrl}/n/${'B'.repeat(22)}`,
            name: 'Ana',
            child: null,
            locale,
            timeZone,
            jurisdiction,
            exposed: exposure(person, incident.dataCategories),
            incident,
            sentAt: now,
          });
          expect([jurisdiction, timeZone, sms.body.length <= measured + SMS_FIT_MARGIN]).toEqual([
            jurisdiction,
            timeZone,
            true,
          ]);
        }
      }
    }
  });
});
