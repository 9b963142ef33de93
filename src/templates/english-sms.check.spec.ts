import { ConfigError, loadConfig } from '../config/config.js';
import { EnglishSmsCheck } from './english-sms.check.js';
import { NoticeRenderer } from './notice.renderer.js';

describe('EnglishSmsCheck (at boot)', () => {
  const renderer = new NoticeRenderer();
  const check = (env: Record<string, string>) => () =>
    new EnglishSmsCheck(loadConfig(env), renderer).onModuleInit();

  it('lets a name and address start that keep the English SMS notice in one segment', () => {
    expect(
      check({ ORGANIZATION_NAME: 'Ai Art', PUBLIC_BASE_URL: 'https://notices.aiart.example' }),
    ).not.toThrow();
    expect(check({})).not.toThrow();
  });

  it('stops the start naming both variables when they take it past one segment', () => {
    const start = check({
      ORGANIZATION_NAME: 'Ai Art Technology Co., Ltd.',
      PUBLIC_BASE_URL: 'https://notices.aiart-privacy.example.com/',
    });
    expect(start).toThrow(ConfigError);
    expect(start).toThrow(
      /ORGANIZATION_NAME, PUBLIC_BASE_URL: the English SMS of breach-notice(-guardian)? is 1\d\d GSM-7/,
    );
  });

  it('says when a character of the name is outside GSM-7 (a segment then holds 70)', () => {
    expect(check({ ORGANIZATION_NAME: 'Ai Art 艺术科技有限公司' })).toThrow(
      /is \d+ UCS-2 characters .* where one holds 70 \(a character of the name is outside GSM-7\)/,
    );
  });
});
