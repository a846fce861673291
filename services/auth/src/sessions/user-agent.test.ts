import { describe, expect, it } from 'vitest';
import { describeUserAgent } from './user-agent.js';

describe('describeUserAgent', () => {
  it('When a phone browser sends its User-Agent, then its browser, system and device are named', () => {
    const iphone =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
    expect(describeUserAgent(iphone)).toEqual({
      browser: { name: 'Mobile Safari', version: '17.5' },
      os: { name: 'iOS', version: '17.5' },
      device: { type: 'mobile', vendor: 'Apple', model: 'iPhone' },
    });
  });

  it('When a desktop browser sends its User-Agent, then the device has no type', () => {
    const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
    expect(describeUserAgent(firefox)).toEqual({
      browser: { name: 'Firefox', version: '128.0' },
      os: { name: 'Linux', version: null },
      device: { type: null, vendor: null, model: null },
    });
  });

  it('When there is no User-Agent or an unknown one, then every part is null', () => {
    const nothing = {
      browser: { name: null, version: null },
      os: { name: null, version: null },
      device: { type: null, vendor: null, model: null },
    };
    expect(describeUserAgent(null)).toEqual(nothing);
    expect(describeUserAgent('curl-like/0')).toEqual(nothing);
  });
});
