import { loggedPath } from './logging.js';

describe('loggedPath', () => {
  it('logs no query string, no external id and no notice-page token', () => {
    expect(loggedPath('/v1/subjects?email=a@b.c')).toBe('/v1/subjects');
    expect(loggedPath('/v1/subjects/alice@example.com')).toBe('/v1/subjects/:externalId');
    expect(loggedPath('/v1/subjects/bulk')).toBe('/v1/subjects/bulk');
    // The token opens a person's notice: a key, never written to a log.
    expect(loggedPath('/n/AbCdEfGhIjKlMnOpQrStUv')).toBe('/n/:token');
    expect(loggedPath('/n/AbCdEfGhIjKlMnOpQrStUv?x=1')).toBe('/n/:token');
    expect(loggedPath('/n/%E0%A4%A')).toBe('/n/:token');
    expect(loggedPath('/notices')).toBe('/notices');
  });
});
