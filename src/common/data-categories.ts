// The data categories a person's data and an incident are described in: the privacy policy's families
// (section I.1) and the two a breach of accounts adds, kept as groups, each with the finer categories a
// notice can name ("your email address", not "name, email address or phone number" when only email
// addresses leaked). A group stands for any of its members, so an incident or a person recorded with the
// group still works beside one recorded with members: the matching rules below say how, once, for the
// SQL of scoping and the TypeScript of the rules and the notices.

/** Each group, with its finer categories. The order is the one notices list them in. */
export const CATEGORY_GROUPS = {
  personal_identifiers: ['name', 'email_address', 'phone_number', 'username', 'date_of_birth'],
  device_identifiers: ['device_id', 'advertising_id'],
  camera_data: ['photos', 'generated_images'],
  app_usage: [],
  device_info: ['device_model', 'device_settings', 'installed_apps'],
  mobile_network: ['ip_address', 'approximate_location', 'network_operator'],
  logs: ['access_logs', 'error_reports'],
  account_credentials: ['password_hash', 'password', 'session_token'],
  third_party_account: ['linked_account_id', 'linked_account_token'],
} as const satisfies Record<string, readonly string[]>;

export type CategoryGroup = keyof typeof CATEGORY_GROUPS;

/** Every built-in category: each group, then its members. */
export const DEFAULT_DATA_CATEGORIES: readonly string[] = Object.entries(CATEGORY_GROUPS).flatMap(
  ([group, members]) => [group, ...members],
);

const GROUP_OF = new Map<string, string>(
  Object.entries(CATEGORY_GROUPS).flatMap(([group, members]) =>
    members.map((member): [string, string] => [member, group]),
  ),
);
const MEMBERS = new Map<string, readonly string[]>(Object.entries(CATEGORY_GROUPS));

/** The group a finer category belongs to; undefined for a group or a configured extra category. */
export const groupOf = (category: string): string | undefined => GROUP_OF.get(category);

/** A group's finer categories; none for anything else. */
export const membersOf = (category: string): readonly string[] => MEMBERS.get(category) ?? [];

/**
 * What a category may stand for in someone's data: itself, its members (a group), and its group (a
 * member: a person recorded only with `personal_identifiers` may hold an email address). Used where
 * missing someone is the worse mistake: who a scope includes, whether a rule's categories were exposed.
 */
export function mayHold(category: string): string[] {
  const group = groupOf(category);
  return [category, ...membersOf(category), ...(group ? [group] : [])];
}

/**
 * What a category surely covers: itself and its members. Used where taking someone in by mistake is the
 * worse one: who a scope leaves out (excluding email addresses never drops people recorded only with
 * the whole group of identifiers).
 */
export function covers(category: string): string[] {
  return [category, ...membersOf(category)];
}

/**
 * What of a person was exposed: their categories met with the incident's, each said as finely as either
 * side knows it (a person with `personal_identifiers` in an incident of `email_address`: their email
 * address; a person with `email_address` in an incident of `personal_identifiers`: the same). An incident
 * that names none exposed everything the person has. The planner's SQL does the same (scope.sql.ts).
 */
export function exposure(person: readonly string[], incident: readonly string[]): string[] {
  if (incident.length === 0) return [...person];
  const wanted = new Set(incident);
  const out: string[] = [];
  const add = (category: string) => {
    if (!out.includes(category)) out.push(category);
  };
  for (const category of person) {
    const group = groupOf(category);
    if (wanted.has(category) || (group !== undefined && wanted.has(group))) add(category);
  }
  // A group the person has, of which the incident names only some members: those members.
  for (const category of incident) {
    const group = groupOf(category);
    if (group && !wanted.has(group) && person.includes(group) && !person.includes(category)) add(category);
  }
  return out;
}

/**
 * The pairs the SQL of {@link exposure} needs for an incident's categories: the categories a person's own
 * are kept by (each named one, and the members of each named group), and the finer ones a person recorded
 * with only the group gets (a member named without its group).
 */
export function exposurePlan(incident: readonly string[]): {
  kept: string[];
  members: Array<{ member: string; group: string }>;
} {
  const wanted = new Set(incident);
  const kept = [...new Set(incident.flatMap((category) => covers(category)))];
  const members = incident.flatMap((member) => {
    const group = groupOf(member);
    return group && !wanted.has(group) ? [{ member, group }] : [];
  });
  return { kept, members };
}

/** The categories a notice lists: a finer one is left out when its whole group is listed too. */
export function listed(exposed: readonly string[]): readonly string[] {
  if (!exposed.some((category) => GROUP_OF.has(category))) return exposed;
  return exposed.filter((category) => {
    const group = groupOf(category);
    return group === undefined || !exposed.includes(group);
  });
}

/** Which of `wanted` the exposed categories may hold (a rule's `categoriesAny`): see {@link mayHold}. */
export function heldAmong(exposed: readonly string[], wanted: readonly string[]): string[] {
  return wanted.filter((category) => mayHold(category).some((c) => exposed.includes(c)));
}
