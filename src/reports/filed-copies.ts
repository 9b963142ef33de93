import { noticeMethodsFor } from '../jurisdictions/rules/notice-methods.js';
import { noticeVariant } from '../jurisdictions/rules/notice-profiles.js';
import type { NoticeCopy } from '../notifications/notice-copies.js';

/**
 * The copies a report files as the notice its residents were sent: email and SMS (not the alerts), not an
 * SMS of its lead alone (it only pointed to the notice), and only on a channel whose form can be the
 * notice in one of the report's jurisdictions with that variant, on the day the copy was first sent. An
 * SMS is no notice in California, New York or Florida (NOTICE_METHOD_RULES): their attorneys general
 * are filed the email. A channel that counts only with consent to electronic notice is filed: its form
 * is the notice's, and the report says elsewhere who was reached.
 */
export function filedCopies(copies: readonly NoticeCopy[], jurisdictions: readonly string[]): NoticeCopy[] {
  return copies.filter((copy) => {
    const channel = copy.content.channel;
    if (channel === 'push' || (channel === 'sms' && copy.content.leadOnly)) return false;
    const day = copy.firstSentAt.toISOString().slice(0, 10);
    return jurisdictions.some(
      (j) =>
        noticeVariant(j) === copy.variant &&
        noticeMethodsFor(j, day).methods[channel].standing !== 'notLawful',
    );
  });
}
