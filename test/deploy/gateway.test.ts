import { spawnSync } from 'node:child_process';
import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  CHART,
  helm,
  named,
  PRODUCTION_VALUES,
  REPO,
  renderChart,
  REQUIRED_VALUES,
} from './helm.js';
import { rolesGranting } from '../../services/common/src/auth/permissions.js';
import { SERVICE_DEFAULTS } from './service-env.js';

type Json = Record<string, any>;
const readJson = (file: string): Json => JSON.parse(readFileSync(`${REPO}${file}`, 'utf8')) as Json;

const GATEWAY = readJson('gateway/krakend.json');
const schema = readJson('gateway/schema/krakend-v2.13.schema.json');
// The KrakenD schema is draft 2019-09; its patterns use \p{...} classes that only work without `u`.
const validateKrakend = new Ajv2019({
  strict: false,
  allErrors: true,
  unicodeRegExp: false,
}).compile(schema);
const schemaErrors = (config: Json) =>
  validateKrakend(config)
    ? []
    : (validateKrakend.errors ?? []).map(
        (e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
      );

/** The compose host of each service (docker-compose.yml), which the gateway file targets. */
const HOSTS = { auth: 'http://auth:8000', user: 'http://user:8001' } as const;
const SERVICE_OF_HOST = Object.fromEntries(Object.entries(HOSTS).map(([s, h]) => [h, s]));
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
/** Operations the gateway keeps private: probes for the orchestrator only. */
const PRIVATE_PATHS = ['/healthz', '/readyz'];

interface Operation {
  service: keyof typeof HOSTS;
  id: string;
  method: string;
  path: string;
  gatewayPath: string;
  secured: boolean;
  roles: string[];
  /** The request headers the operation declares as parameters (e.g. Accept-Language). */
  headers: string[];
  /** The query parameters the operation declares (a gateway forwards none it is not told of). */
  query: string[];
}

const operations: Operation[] = (['auth', 'user'] as const).flatMap((service) => {
  const doc = parse(readFileSync(`${REPO}openapi/${service}.yaml`, 'utf8')) as Json;
  const resolve = (param: Json): Json =>
    typeof param.$ref === 'string'
      ? (doc.components.parameters[param.$ref.replace('#/components/parameters/', '')] as Json)
      : param;
  return Object.entries<Json>(doc.paths).flatMap(([opPath, item]) =>
    METHODS.filter((m) => item[m]).map((m) => {
      const op = item[m] as Json;
      const security = (op.security ?? doc.security ?? []) as Json[];
      const parameters = [
        ...((item.parameters ?? []) as Json[]),
        ...((op.parameters ?? []) as Json[]),
      ];
      return {
        service,
        id: op.operationId as string,
        method: m.toUpperCase(),
        path: opPath,
        gatewayPath: `/api${(op['x-gateway-path'] as string | undefined) ?? opPath}`,
        secured: security.some((req) => Object.keys(req).length > 0),
        // A gateway sees roles only: a required permission becomes the roles that grant it.
        roles: [
          ...new Set([
            ...((op['x-required-roles'] as string[] | undefined) ?? []),
            ...((op['x-required-permissions'] as string[] | undefined) ?? []).flatMap(
              rolesGranting,
            ),
          ]),
        ],
        headers: parameters
          .map(resolve)
          .filter((p) => p.in === 'header')
          .map((p) => p.name as string),
        query: parameters
          .map(resolve)
          .filter((p) => p.in === 'query')
          .map((p) => p.name as string),
      };
    }),
  );
});

const params = (p: string) => [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
const endpoints = GATEWAY.endpoints as Json[];
const operationOf = (endpoint: Json): Operation | undefined =>
  operations.find((op) => op.gatewayPath === endpoint.endpoint && op.method === endpoint.method);

describe('gateway/krakend.json against the KrakenD v2.13 schema', () => {
  it('When validated, then the configuration has no schema error', () => {
    expect(schemaErrors(GATEWAY)).toEqual([]);
    expect(GATEWAY.version).toBe(3);
  });

  it('When a namespace or a field is misspelt, then the schema rejects it', () => {
    const broken = structuredClone(GATEWAY);
    broken.endpoints[0].extra_config['auth/validatr'] = {};
    broken.extra_config.router.trusted_proxy = [];
    expect(schemaErrors(broken)).toHaveLength(2);
  });

  it('When the repository copy of the schema is compared, then it is the one in the KrakenD v2.13 layout', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2019-09/schema');
    expect(Object.keys(schema.$defs)).toContain(
      'https://www.krakend.io/schema/v2.13/auth/validator.json',
    );
  });
});

describe('gateway/krakend.json against the OpenAPI contracts', () => {
  it('When a gateway route is declared, then it maps to an operation with the same method, service and parameters', () => {
    for (const endpoint of endpoints) {
      const op = operationOf(endpoint);
      expect(op, `${endpoint.method} ${endpoint.endpoint}`).toBeDefined();
      expect(endpoint.backend).toHaveLength(1);
      const [backend] = endpoint.backend;
      expect(SERVICE_OF_HOST[backend.host[0]], endpoint.endpoint).toBe(op!.service);
      expect(backend.host).toHaveLength(1);
      expect(backend.url_pattern, endpoint.endpoint).toBe(op!.path);
      expect(backend.method, endpoint.endpoint).toBe(op!.method);
      expect(params(endpoint.endpoint), endpoint.endpoint).toEqual(params(op!.path));
    }
  });

  it('When an operation is public, then the gateway exposes it exactly once', () => {
    const exposed = operations.filter((op) => !PRIVATE_PATHS.includes(op.path));
    const routes = endpoints.map((e) => `${e.method} ${e.endpoint}`);
    expect(new Set(routes).size).toBe(routes.length);
    expect(routes.sort()).toEqual(exposed.map((op) => `${op.method} ${op.gatewayPath}`).sort());
    // The seed's public routes.
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /api/register',
        'POST /api/login',
        'POST /api/refresh',
        'POST /api/logout',
        'POST /api/account-delete',
        'POST /api/account-delete/{user_id}',
        'GET /api/profile',
        'PATCH /api/settings/edit-bio',
      ]),
    );
  });

  it('When an operation requires a token, then the gateway validates it with the JWKS, issuer and audience of the services', () => {
    for (const endpoint of endpoints) {
      const op = operationOf(endpoint)!;
      const validator = endpoint.extra_config?.['auth/validator'];
      if (!op.secured) {
        expect(validator, endpoint.endpoint).toBeUndefined();
        continue;
      }
      expect(validator, endpoint.endpoint).toMatchObject({
        alg: 'EdDSA',
        jwk_url: `${HOSTS.auth}/.well-known/jwks.json`,
        cache: true,
        issuer: SERVICE_DEFAULTS.auth.issuer,
        audience: [SERVICE_DEFAULTS.auth.audience],
      });
      expect(SERVICE_DEFAULTS.user).toMatchObject({
        issuer: validator.issuer,
        audience: validator.audience[0],
      });
    }
  });

  it('When an operation requires roles or permissions, then the gateway requires the roles that grant them', () => {
    expect(operations.some((op) => op.roles.length > 0)).toBe(true);
    for (const endpoint of endpoints) {
      const op = operationOf(endpoint)!;
      const validator = endpoint.extra_config?.['auth/validator'] ?? {};
      if (op.roles.length === 0) {
        expect(validator.roles, endpoint.endpoint).toBeUndefined();
        continue;
      }
      expect(validator.roles_key, endpoint.endpoint).toBe('roles');
      expect([...validator.roles].sort(), endpoint.endpoint).toEqual([...op.roles].sort());
    }
  });

  it('When a response passes the gateway, then status and body are untouched and the needed headers reach the service', () => {
    for (const endpoint of endpoints) {
      expect(endpoint.output_encoding, endpoint.endpoint).toBe('no-op');
      expect(endpoint.backend[0].encoding, endpoint.endpoint).toBe('no-op');
      expect(endpoint.input_headers, endpoint.endpoint).toEqual(
        expect.arrayContaining(['Authorization', 'Content-Type', 'X-Request-Id']),
      );
    }
  });

  it('When an operation reads a request header, then the gateway forwards it and CORS lets a browser send it', () => {
    const declared = operations.filter((op) => op.headers.length > 0);
    // The language of the account's mails comes with the registration; the client's User-Agent is
    // kept with the session a registration or a login starts (GET /sessions).
    expect(declared.find((op) => op.id === 'register')?.headers).toEqual([
      'Accept-Language',
      'User-Agent',
    ]);
    expect(declared.find((op) => op.id === 'login')?.headers).toEqual(['User-Agent']);
    const cors = GATEWAY.extra_config['security/cors'];
    for (const endpoint of endpoints) {
      const op = operationOf(endpoint)!;
      expect(endpoint.input_headers, endpoint.endpoint).toEqual(expect.arrayContaining(op.headers));
      expect(cors.allow_headers, endpoint.endpoint).toEqual(expect.arrayContaining(op.headers));
    }
  });

  it('When an operation reads query parameters, then the gateway forwards exactly those', () => {
    expect(operations.find((op) => op.id === 'listUsers')?.query).toEqual(
      expect.arrayContaining(['q', 'cursor', 'limit']),
    );
    for (const endpoint of endpoints) {
      const op = operationOf(endpoint)!;
      expect(
        [...((endpoint.input_query_strings as string[] | undefined) ?? [])].sort(),
        endpoint.endpoint,
      ).toEqual([...op.query].sort());
    }
  });

  it('When credentials or mailed tokens are tried, or mails asked for, then every public POST is rate-limited per client IP', () => {
    const publicPosts = endpoints.filter((e) => e.method === 'POST' && !operationOf(e)!.secured);
    expect(publicPosts.map((e) => e.endpoint)).toEqual(
      expect.arrayContaining([
        '/api/login',
        '/api/register',
        '/api/refresh',
        '/api/password/forgot',
        '/api/password/reset',
        '/api/email/verify',
      ]),
    );
    for (const endpoint of publicPosts) {
      const limit = endpoint.extra_config?.['qos/ratelimit/router'];
      expect(limit, endpoint.endpoint).toMatchObject({ strategy: 'ip', every: '1m' });
      expect(limit.client_max_rate, endpoint.endpoint).toBeGreaterThan(0);
      expect(limit.client_capacity, endpoint.endpoint).toBeGreaterThan(0);
    }
  });

  it('When a browser calls, then CORS allows the methods of the routes and the headers the services read', () => {
    const cors = GATEWAY.extra_config['security/cors'];
    expect(cors.allow_origins.length).toBeGreaterThan(0);
    expect(cors.allow_origins).not.toContain('*');
    expect(cors.allow_methods).toEqual(
      expect.arrayContaining([...new Set(endpoints.map((e) => e.method))]),
    );
    expect(cors.allow_headers).toEqual(
      expect.arrayContaining(['Authorization', 'Content-Type', 'X-Request-Id']),
    );
  });

  it('When the client IP is taken from X-Forwarded-For, then only listed proxies are trusted', () => {
    const router = GATEWAY.extra_config.router;
    if (router.forwarded_by_client_ip) expect(router.trusted_proxies.length).toBeGreaterThan(0);
    expect(router.trusted_proxies ?? []).not.toContain('0.0.0.0/0');
  });

  it('When Prometheus scrapes the gateway, then the exporter port is the one compose and the chart use', () => {
    const [exporter] = GATEWAY.extra_config['telemetry/opentelemetry'].exporters.prometheus;
    const prometheus = parse(
      readFileSync(`${REPO}deploy/prometheus/prometheus.yml`, 'utf8'),
    ) as Json;
    const gatewayJob = prometheus.scrape_configs.find((j: Json) => j.job_name === 'gateway');
    expect(gatewayJob.static_configs[0].targets).toEqual([`gateway:${exporter.port}`]);
    const values = parse(readFileSync(`${CHART}/values.yaml`, 'utf8')) as Json;
    expect(values.gateway.metricsPort).toBe(exporter.port);
    expect(values.gateway.port).toBe(GATEWAY.port);
  });
});

describe('The gateway configuration of each deployment', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'gateway-test-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('When the chart reads its gateway configuration, then files/krakend.json is a link to gateway/krakend.json', () => {
    const file = `${CHART}/files/krakend.json`;
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    // relative, so that it holds in any clone
    expect(readlinkSync(file)).toBe('../../../gateway/krakend.json');
    expect(realpathSync(file)).toBe(realpathSync(`${REPO}gateway/krakend.json`));
  });

  it('When the chart is packaged, then the package holds the content of gateway/krakend.json', () => {
    const { status, output } = helm(['package', CHART, '--destination', tmp]);
    expect(status, output).toBe(0);
    const [archive] = readdirSync(tmp).filter((f) => f.endsWith('.tgz'));
    const packed = spawnSync(
      'tar',
      ['-xzOf', path.join(tmp, archive!), 'auth-user-platform/files/krakend.json'],
      { encoding: 'utf8' },
    );
    expect(packed.status, packed.stderr).toBe(0);
    expect(packed.stdout).toBe(readFileSync(`${REPO}gateway/krakend.json`, 'utf8'));
  });

  it('When gateway/krakend.json changes under tilt up, then Tilt renders the chart again', () => {
    // helm() watches the chart's folder only, and a link's target changes outside it.
    expect(readFileSync(`${REPO}Tiltfile`, 'utf8')).toContain("watch_file('gateway/krakend.json')");
  });

  it.each([
    ['default', [], REQUIRED_VALUES, ['http://localhost:3000'], undefined],
    ['production', [PRODUCTION_VALUES], [], ['https://app.example.com'], ['10.0.0.0/8']],
  ] as const)(
    'When the chart renders with the %s values, then the ConfigMap is the gateway file with in-cluster hosts',
    (_name, values, set, origins, proxies) => {
      const docs = renderChart({ values: [...values], set: [...set] });
      const rendered = JSON.parse(
        named(docs, 'ConfigMap', 'rel-auth-user-platform-gateway').data['krakend.json'],
      ) as Json;
      expect(schemaErrors(rendered)).toEqual([]);

      const expected = structuredClone(GATEWAY);
      const inCluster: Record<string, string> = {
        [HOSTS.auth]: 'http://rel-auth-user-platform-auth:8000',
        [HOSTS.user]: 'http://rel-auth-user-platform-user:8001',
      };
      for (const endpoint of expected.endpoints) {
        endpoint.backend[0].host = endpoint.backend[0].host.map((h: string) => inCluster[h]);
        const validator = endpoint.extra_config?.['auth/validator'];
        if (validator)
          validator.jwk_url = validator.jwk_url.replace(HOSTS.auth, inCluster[HOSTS.auth]);
      }
      expected.extra_config['security/cors'].allow_origins = origins;
      const router = expected.extra_config.router;
      router.forwarded_by_client_ip = proxies !== undefined;
      if (proxies) router.trusted_proxies = proxies;
      else {
        delete router.trusted_proxies;
        delete router.remote_ip_headers;
      }
      expect(rendered).toEqual(expected);
    },
  );

  it('When compose renders it, then the origins and proxies come from the environment', () => {
    const out = path.join(tmp, 'krakend.json');
    const run = (env: Record<string, string>) => {
      const result = spawnSync(
        process.execPath,
        [`${REPO}gateway/render-config.mjs`, `${REPO}gateway/krakend.json`, out],
        {
          env: { PATH: process.env.PATH, ...env },
          encoding: 'utf8',
        },
      );
      expect(result.status, result.stderr).toBe(0);
      return JSON.parse(readFileSync(out, 'utf8')) as Json;
    };
    const custom = run({
      GATEWAY_CORS_ORIGINS: 'https://a.example.com, https://b.example.com',
      GATEWAY_TRUSTED_PROXIES: '192.0.2.0/24',
    });
    expect(schemaErrors(custom)).toEqual([]);
    expect(custom.extra_config['security/cors'].allow_origins).toEqual([
      'https://a.example.com',
      'https://b.example.com',
    ]);
    expect(custom.extra_config.router.trusted_proxies).toEqual(['192.0.2.0/24']);

    const none = run({ GATEWAY_TRUSTED_PROXIES: 'none' });
    expect(schemaErrors(none)).toEqual([]);
    expect(none.extra_config.router).not.toHaveProperty('trusted_proxies');
    expect(none.extra_config.router.forwarded_by_client_ip).toBe(false);

    const { $schema: _, ...unchanged } = run({});
    const { $schema: __, ...original } = GATEWAY;
    expect(unchanged).toEqual(original);
  });
});
