/** The incident's facts a notice says in the responders' words: what may be given per language. */
export const NOTICE_TEXT_FIELDS = [
  'description',
  'likelyConsequences',
  'measuresTaken',
  'measuresPlanned',
  'adviceToIndividuals',
  'remedies',
  'location',
  // Said where a jurisdiction's notice profile asks for them (a `words` statement).
  'securityMeasuresBefore',
  'noticeDelayReasons',
  'howDiscovered',
  'cause',
] as const;
export type NoticeTextField = (typeof NOTICE_TEXT_FIELDS)[number];

/** Per BCP 47 tag, the responders' words in that language (any of the fields; the rest as written). */
export type NoticeTranslations = Record<string, Partial<Record<NoticeTextField, string>>>;
