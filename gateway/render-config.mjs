#!/usr/bin/env node
// Writes the gateway configuration for one deployment: gateway/krakend.json with the CORS origins and
// the trusted proxies of that deployment, both from the environment (comma-separated lists):
//   GATEWAY_CORS_ORIGINS     origins allowed to call the API from a browser (default: the file's)
//   GATEWAY_TRUSTED_PROXIES  addresses or CIDRs whose X-Forwarded-For is believed (default: the
//                            file's; "none" trusts no proxy: the client IP is the peer address)
// Usage: node gateway/render-config.mjs <in: krakend.json> <out: krakend.json>
// docker compose runs it before the gateway starts; the Helm chart does the same in its ConfigMap.
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('Usage: node gateway/render-config.mjs <in: krakend.json> <out: krakend.json>');
  process.exit(2);
}

const list = (value) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

const config = JSON.parse(readFileSync(input, 'utf8'));
const origins = list(process.env.GATEWAY_CORS_ORIGINS);
if (origins.length > 0) config.extra_config['security/cors'].allow_origins = origins;

const proxies = list(process.env.GATEWAY_TRUSTED_PROXIES);
const router = config.extra_config.router;
if (proxies.length === 1 && proxies[0] === 'none') {
  router.forwarded_by_client_ip = false;
  delete router.trusted_proxies;
  delete router.remote_ip_headers;
} else if (proxies.length > 0) {
  router.trusted_proxies = proxies;
}

writeFileSync(output, `${JSON.stringify(config, null, 2)}\n`);
console.log(
  `gateway config written to ${output}: CORS origins ${config.extra_config['security/cors'].allow_origins.join(', ')}`,
);
