import {
  CATEGORY_GROUPS,
  covers,
  DEFAULT_DATA_CATEGORIES,
  exposure,
  exposurePlan,
  groupOf,
  heldAmong,
  listed,
  mayHold,
} from './data-categories.js';

describe('data categories: groups and their finer members', () => {
  it("keeps the privacy policy's categories as groups, each followed by its members", () => {
    expect(DEFAULT_DATA_CATEGORIES.slice(0, 6)).toEqual([
      'personal_identifiers',
      'name',
      'email_address',
      'phone_number',
      'username',
      'date_of_birth',
    ]);
    for (const group of Object.keys(CATEGORY_GROUPS)) expect(DEFAULT_DATA_CATEGORIES).toContain(group);
    expect(new Set(DEFAULT_DATA_CATEGORIES).size).toBe(DEFAULT_DATA_CATEGORIES.length);
    expect(groupOf('password_hash')).toBe('account_credentials');
    expect(groupOf('account_credentials')).toBeUndefined();
    expect(groupOf('biometrics')).toBeUndefined();
  });

  it('says what leaked as finely as either side knows it', () => {
    // A person recorded with the whole group, in an incident of email addresses: their email address.
    expect(exposure(['personal_identifiers', 'camera_data'], ['email_address'])).toEqual(['email_address']);
    // A person recorded finely, in an incident of the whole group: what they have of it.
    expect(exposure(['email_address', 'phone_number', 'photos'], ['personal_identifiers'])).toEqual([
      'email_address',
      'phone_number',
    ]);
    // Recorded both ways, one incident category finer: said once.
    expect(exposure(['personal_identifiers', 'email_address'], ['email_address'])).toEqual(['email_address']);
    // Another member of the same group is not exposed.
    expect(exposure(['phone_number'], ['email_address'])).toEqual([]);
    // Groups and extra categories as before.
    expect(exposure(['camera_data', 'biometrics', 'logs'], ['camera_data', 'biometrics'])).toEqual([
      'camera_data',
      'biometrics',
    ]);
    // An incident that names nothing exposed everything the person has.
    expect(exposure(['name', 'logs'], [])).toEqual(['name', 'logs']);
  });

  it('gives the SQL the pairs that compute the same exposure', () => {
    expect(exposurePlan(['email_address', 'account_credentials'])).toEqual({
      kept: ['email_address', 'account_credentials', 'password_hash', 'password', 'session_token'],
      members: [{ member: 'email_address', group: 'personal_identifiers' }],
    });
    // A member named beside its group needs no pair: the group keeps it.
    expect(exposurePlan(['personal_identifiers', 'email_address']).members).toEqual([]);
  });

  it('lists a finer category only when its whole group is not listed', () => {
    expect(listed(['personal_identifiers', 'email_address', 'photos'])).toEqual([
      'personal_identifiers',
      'photos',
    ]);
    const plain = ['email_address', 'camera_data'];
    expect(listed(plain)).toEqual(plain);
  });

  it('takes a scope in broadly and leaves people out narrowly', () => {
    expect(mayHold('email_address')).toEqual(['email_address', 'personal_identifiers']);
    expect(mayHold('camera_data')).toEqual(['camera_data', 'photos', 'generated_images']);
    expect(covers('email_address')).toEqual(['email_address']);
    expect(covers('camera_data')).toEqual(['camera_data', 'photos', 'generated_images']);
  });

  it("meets a rule's categories with a group or a member exposed (the stricter reading)", () => {
    expect(heldAmong(['password_hash'], ['account_credentials', 'third_party_account'])).toEqual([
      'account_credentials',
    ]);
    expect(heldAmong(['account_credentials'], ['password_hash'])).toEqual(['password_hash']);
    expect(heldAmong(['email_address', 'photos'], ['account_credentials'])).toEqual([]);
  });
});
