import type { NoticeCopy, NoticeCopyContent } from '../notifications/notice-copies.js';
import { filedCopies } from './filed-copies.js';

const copy = (variant: string, content: NoticeCopyContent): NoticeCopy => ({
  campaignId: 'c',
  template: 'breach-notice',
  locale: 'en',
  variant,
  sha256: '0'.repeat(64),
  firstSentAt: new Date('2026-11-07T11:00:00Z'),
  retainUntil: null,
  content,
});
const email = (variant: string) => copy(variant, { channel: 'email', subject: 's', html: 'h', text: 't' });
const sms = (variant: string, leadOnly?: boolean) => copy(variant, { channel: 'sms', body: 'b', leadOnly });
const kinds = (filed: NoticeCopy[]) => filed.map((c) => `${c.variant}:${c.content.channel}`);

describe('the copies a report files as the notice sent', () => {
  it("files no SMS where a text message cannot be the notice (California's, New York's, Florida's)", () => {
    // Florida has no notice of its own: its residents are sent the US variant, as Texans are.
    for (const [state, variant] of [
      ['US-CA', 'US-CA'],
      ['US-NY', 'US-NY'],
      ['US-FL', 'US'],
    ]) {
      const all = [email(variant), sms(variant), email('US-WA'), sms('US-WA')];
      expect(kinds(filedCopies(all, [state]))).toEqual([`${variant}:email`]);
    }
    // The same US variant's SMS is a notice to Texans (with consent).
    expect(kinds(filedCopies([sms('US')], ['US-TX']))).toEqual(['US:sms']);
  });

  it('files an SMS where it can be the notice (with consent, in Washington), never its lead alone or an alert', () => {
    const all = [
      email('US-WA'),
      sms('US-WA'),
      sms('US-WA', true),
      copy('US-WA', { channel: 'push', title: 't', body: 'b' }),
    ];
    expect(kinds(filedCopies(all, ['US-WA']))).toEqual(['US-WA:email', 'US-WA:sms']);
  });

  it("files only the report's own residents' variants", () => {
    expect(kinds(filedCopies([email('US-CA'), email('US-WA')], ['US-WA']))).toEqual(['US-WA:email']);
  });
});
