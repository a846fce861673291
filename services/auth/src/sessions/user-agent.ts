import UAParser from 'ua-parser-js';

/** What a User-Agent says about the client, each part null when it does not say. */
export interface ClientDescription {
  browser: { name: string | null; version: string | null };
  os: { name: string | null; version: string | null };
  /** `type` is ua-parser-js's (mobile, tablet, smarttv, ...): null for a desktop or an unknown. */
  device: { type: string | null; vendor: string | null; model: string | null };
}

/** The browser, system and device a User-Agent names (ua-parser-js 1.x); all null without one. */
export function describeUserAgent(userAgent: string | null): ClientDescription {
  const { browser, os, device } = new UAParser(userAgent ?? '').getResult();
  const or = (value: string | undefined) => value || null;
  return {
    browser: { name: or(browser.name), version: or(browser.version) },
    os: { name: or(os.name), version: or(os.version) },
    device: { type: or(device.type), vendor: or(device.vendor), model: or(device.model) },
  };
}
