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

/**
 * The responders' words written to the person affected ("your photos"), which a guardian's notice says in
 * a version of their own, to the guardian about the child. The others (where it happened, how it was
 * found, its cause, the protection before, why late) speak of the company and read the same to both.
 */
export const GUARDIAN_TEXT_FIELDS = [
  'description',
  'likelyConsequences',
  'measuresTaken',
  'measuresPlanned',
  'adviceToIndividuals',
  'remedies',
] as const;
export type GuardianTextField = (typeof GUARDIAN_TEXT_FIELDS)[number];

/**
 * The responders' words a Massachusetts notice may say, in a version without the nature of the breach
 * (M.G.L. c. 93H s. 3(b)): what it may mean, what the company does and will do, what to do, the remedies.
 * The description and where it happened have no Massachusetts version: that notice never says them.
 */
export const MASSACHUSETTS_TEXT_FIELDS = [
  'likelyConsequences',
  'measuresTaken',
  'measuresPlanned',
  'adviceToIndividuals',
  'remedies',
] as const;
export type MassachusettsTextField = (typeof MASSACHUSETTS_TEXT_FIELDS)[number];

/** The guardian's version of the responders' words (any of GUARDIAN_TEXT_FIELDS). */
export type GuardianWords = Partial<Record<GuardianTextField, string>>;

/** The Massachusetts version, and within it the guardian's Massachusetts version. */
export type MassachusettsWords = Partial<Record<MassachusettsTextField, string>> & {
  guardian?: Partial<Record<MassachusettsTextField, string>>;
};

/** The responders' words in one language: any of the fields, and of the guardian's and Massachusetts versions. */
export type NoticeWordsInLanguage = Partial<Record<NoticeTextField, string>> & {
  guardianWords?: GuardianWords;
  massachusettsWords?: MassachusettsWords;
};

/** Per BCP 47 tag, the responders' words in that language (any of the fields; the rest as written). */
export type NoticeTranslations = Record<string, NoticeWordsInLanguage>;

const TEXT = 10_000;

/** What is wrong with an object of texts, if anything (never quoting what was sent). */
function textsProblem(value: unknown, fields: readonly string[], nested?: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'must be an object of texts';
  for (const [field, text] of Object.entries(value as Record<string, unknown>)) {
    if (nested !== undefined && field === nested) {
      const inner = textsProblem(text, fields);
      if (inner) return `${nested}: ${inner}`;
      continue;
    }
    if (!fields.includes(field)) {
      return `may give only ${[...fields, ...(nested ? [nested] : [])].join(', ')}`;
    }
    if (typeof text !== 'string' || text.trim() === '') return 'each text must be a non-empty string';
    if (text.length > TEXT) return `each text must be at most ${TEXT} characters`;
  }
  return undefined;
}

/** What is wrong with `guardianWords`, if anything. */
export const guardianWordsProblem = (value: unknown) => textsProblem(value, GUARDIAN_TEXT_FIELDS);

/** What is wrong with `massachusettsWords`, if anything (its `guardian` object holds the same fields). */
export const massachusettsWordsProblem = (value: unknown) =>
  textsProblem(value, MASSACHUSETTS_TEXT_FIELDS, 'guardian');

/** What is wrong with one language's words in `translations`, if anything. */
export function wordsInLanguageProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'each language must be an object of texts';
  }
  const { guardianWords, massachusettsWords, ...texts } = value as Record<string, unknown>;
  const own = textsProblem(texts, NOTICE_TEXT_FIELDS);
  if (own?.startsWith('may give only')) {
    return `each language may give only ${NOTICE_TEXT_FIELDS.join(', ')}, guardianWords, massachusettsWords`;
  }
  if (own) return own;
  const guardian = guardianWords === undefined ? undefined : guardianWordsProblem(guardianWords);
  if (guardian) return `guardianWords ${guardian}`;
  const massachusetts =
    massachusettsWords === undefined ? undefined : massachusettsWordsProblem(massachusettsWords);
  return massachusetts ? `massachusettsWords ${massachusetts}` : undefined;
}
