import { originForm } from './http-hardening.js';

describe('originForm', () => {
  it('keeps the path and query of an absolute-form target, and leaves origin-form alone', () => {
    expect(originForm('/n/AbCdEfGhIjKlMnOpQrStUv?x=1')).toBe('/n/AbCdEfGhIjKlMnOpQrStUv?x=1');
    expect(originForm('http://notice.example.org/n/AbCdEfGhIjKlMnOpQrStUv')).toBe(
      '/n/AbCdEfGhIjKlMnOpQrStUv',
    );
    expect(originForm('https://user:pw@notice.example.org:8443/security-notices/x?lang=fr')).toBe(
      '/security-notices/x?lang=fr',
    );
    expect(originForm('HTTP://notice.example.org')).toBe('/');
    expect(originForm('http://notice.example.org?lang=fr')).toBe('/?lang=fr');
    // Nothing else is normalised: dot segments and escapes stay as sent, as in origin-form.
    expect(originForm('http://h/n/../v1/%2e')).toBe('/n/../v1/%2e');
    // `OPTIONS *`, and targets that are neither form, go on as they came.
    expect(originForm('*')).toBe('*');
    expect(originForm('n/abc')).toBe('n/abc');
  });
});
