import { ConfigError, loadConfig } from '../config/config.js';
import { EnglishSmsCheck } from './english-sms.check.js';
import { NoticeRenderer } from './notice.renderer.js';

describe('EnglishSmsCheck (at boot)', () => {
  const renderer = new NoticeRenderer();
  const check = (env: Record<string, string>) => () =>
    new EnglishSmsCheck(loadConfig(env), renderer).onModuleInit();

  it('lets a name, address and email start that keep the English SMS notice in two segments', () => {
    expect(
      check({
        ORGANIZATION_NAME: 'Ai Art',
        PUBLIC_BASE_URL: 'https://notices.aiart.example',
        PRIVACY_CONTACT_EMAIL: 'privacy@aiart.example',
      }),
    ).not.toThrow();
    expect(check({})).not.toThrow();
  });

  it('stops the start naming the three variables when they take it past two segments', () => {
    const start = check({
      ORGANIZATION_NAME: 'Ai Art Technology Co., Ltd.',
      PUBLIC_BASE_URL: 'https://notices.aiart-privacy.example.com/',
      PRIVACY_CONTACT_EMAIL: 'data-protection-office@aiart-privacy.example.com',
    });
    expect(start).toThrow(ConfigError);
    expect(start).toThrow(
      /ORGANIZATION_NAME, PUBLIC_BASE_URL, PRIVACY_CONTACT_EMAIL: the English SMS of breach-notice(-guardian)? is 3\d\d GSM-7/,
    );
  });

  it('says when a character of the name is outside GSM-7 (a segment then holds 70)', () => {
    expect(check({ ORGANIZATION_NAME: 'Ai Art 艺术科技有限公司' })).toThrow(
      /is \d+ UCS-2 characters .* where 2 hold 134 \(a character of the name or the email is outside GSM-7\)/,
    );
  });
});
