import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  CHART,
  DEVELOPMENT_VALUES,
  helm,
  named,
  PRODUCTION_VALUES,
  podLabelsOf,
  podSpecOf,
  renderChart,
  REQUIRED_ARGS,
  REQUIRED_VALUES,
  SIGNING_KEYS_VALUE,
  MFA_KEYS_VALUE,
  type Manifest,
} from './helm.js';
import { validateManifest } from './k8s-validate.js';

const REPO_ROOT = path.resolve(CHART, '../..') + '/';
import { SERVICE_DEFAULTS, SERVICE_ENV } from './service-env.js';

const FULLNAME = 'rel-auth-user-platform';
const tmp = mkdtempSync(path.join(tmpdir(), 'chart-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Values that set every secret and turn every optional resource on. */
const EVERYTHING = path.join(tmp, 'everything.yaml');
writeFileSync(
  EVERYTHING,
  stringify({
    secrets: {
      jwtPrivateKeys:
        '[{"kty":"OKP","crv":"Ed25519","kid":"test-key","x":"xxxxxxxx","d":"dddddddd"}]',
      mfaEncryptionKeys:
        '{"current":"k1","keys":{"k1":"a2V5LWZvci10aGUtY2hhcnQtdGVzdHMtb25seS0xMjM="}}',
      adminPassword: 'Admin-Password-123!',
      postgresPassword: 'postgres-password-123',
      rabbitmqPassword: 'rabbitmq-password-123',
    },
    auth: {
      signingKid: 'test-key',
      admin: { login: 'admin', email: 'admin@example.com' },
      autoscaling: { enabled: true },
      recovery: {
        appBaseUrl: 'https://app.example.com',
        emailVerification: 'required',
        resetPasswordPath: '/account/reset?token={token}',
        verifyEmailPath: '/account/verify?token={token}',
        resetTokenTtlMinutes: 20,
        verifyTokenTtlHours: 48,
        forgotPasswordRatePerIp: 5,
        mailTokenRatePerIp: 20,
        mailRatePerAddress: 3,
      },
      webauthn: {
        rpId: 'example.com',
        rpName: 'Example',
        origins: ['https://app.example.com', 'https://example.com'],
        challengeTtlSeconds: 120,
        passkeyLoginRatePerIp: 10,
      },
    },
    courier: { replicaCount: 2 },
    mail: {
      from: 'Example <no-reply@example.com>',
      maxAttempts: 5,
      pollMs: 500,
      smtp: {
        url: 'smtps://mailer:smtp-password-123@smtp.example.com:465',
        caSecret: 'smtp-ca',
      },
    },
    mailpit: { enabled: true },
    user: { autoscaling: { enabled: true } },
    gateway: { autoscaling: { enabled: true }, trustedProxies: ['10.0.0.0/8'] },
    serviceMonitor: { enabled: true },
    prometheusRule: { enabled: true },
  }),
);

const RENDERS: Record<string, Manifest[]> = {
  default: renderChart({ set: REQUIRED_VALUES }),
  everything: renderChart({ values: [EVERYTHING] }),
  production: renderChart({ values: [PRODUCTION_VALUES] }),
};
/** The renders every invariant must hold for (development values relax the read-only root). */
const CHECKED = ['default', 'everything', 'production'] as const;
// Tilt adds the signing keys and the MFA keyring to the development values (.tilt/secret-values.yaml).
const development = renderChart({
  values: [DEVELOPMENT_VALUES],
  set: [SIGNING_KEYS_VALUE, MFA_KEYS_VALUE],
});

type Container = Record<string, any>;
const containersOf = (doc: Manifest): Container[] => {
  const spec = podSpecOf(doc);
  return spec ? [...(spec.initContainers ?? []), ...spec.containers] : [];
};
const workloads = (docs: Manifest[]) => docs.filter((d) => podSpecOf(d) !== undefined);
const envNames = (c: Container): string[] => (c.env ?? []).map((e: { name: string }) => e.name);
const commandOf = (c: Container): string => [...(c.command ?? []), ...(c.args ?? [])].join(' ');
const envValue = (c: Container, name: string): string | undefined =>
  c.env?.find((e: { name: string }) => e.name === name)?.value;
const envVar = (c: Container, name: string): Record<string, any> | undefined =>
  c.env?.find((e: { name: string }) => e.name === name);
/** `helm template` that is expected to fail: its output. */
const failedRender = (args: string[]) => {
  const { status, output } = helm(['template', 'rel', CHART, ...args]);
  expect(status, output).not.toBe(0);
  return output;
};

describe('The Helm chart, linted and rendered offline', () => {
  it.each([
    ['default values and the required ones', REQUIRED_ARGS],
    ['the production values', ['--values', PRODUCTION_VALUES]],
    [
      'the development values',
      ['--values', DEVELOPMENT_VALUES, '--set', SIGNING_KEYS_VALUE, '--set', MFA_KEYS_VALUE],
    ],
  ])('When linted strictly with %s, then helm reports no failure', (_name, args) => {
    const { status, output } = helm(['lint', '--strict', CHART, ...args]);
    expect(output).toContain('0 chart(s) failed');
    expect(status).toBe(0);
  });

  it.each([
    ['default values and the required ones', REQUIRED_ARGS],
    ['the production values', ['--values', PRODUCTION_VALUES]],
  ])('When installed (client-side dry run) with %s, then the notes render', (_name, args) => {
    const { status, output } = helm(['install', 'rel', CHART, '--dry-run=client', ...args]);
    expect(status, output).toBe(0);
    const notes = output.slice(output.indexOf('NOTES:'));
    expect(notes).toContain('helm test rel');
  });

  it('When a value is misspelt, then values.schema.json rejects it', () => {
    const { status, output } = helm(['template', 'rel', CHART, '--set', 'auth.securityContxt=x']);
    expect(status).not.toBe(0);
    expect(output).toContain('securityContxt');
  });

  it('When external databases are chosen without URLs or a Secret, then rendering fails with the fix', () => {
    const output = failedRender([...REQUIRED_ARGS, '--set', 'postgresql.enabled=false']);
    expect(output).toContain('secrets.authDatabaseUrl is required');
  });

  it.each([
    ['auth.recovery.appBaseUrl', 'auth.recovery.appBaseUrl is required: the public origin'],
    ['mail.from', 'mail.from is required when config.nodeEnv is production'],
    ['mail.smtp.url', 'mail.smtp.url is required when config.nodeEnv is production'],
    [
      'secrets.jwtPrivateKeys',
      'secrets.jwtPrivateKeys is required when config.nodeEnv is production',
    ],
    [
      'secrets.mfaEncryptionKeys',
      'secrets.mfaEncryptionKeys is required when config.nodeEnv is production',
    ],
  ])('When %s is left empty, then rendering fails and says what it is for', (value, message) => {
    const args = REQUIRED_VALUES.filter((v) => !v.startsWith(`${value}=`)).flatMap((v) => [
      '--set',
      v,
    ]);
    expect(args).toHaveLength(REQUIRED_ARGS.length - 2);
    expect(failedRender(args)).toContain(message);
  });

  it('When the SMTP URL is given as a value but the chart renders no Secret, then rendering fails with the fix', () => {
    const output = failedRender([
      '--values',
      PRODUCTION_VALUES,
      '--set',
      'mail.smtp.url=smtp://smtp.example.com:587',
    ]);
    expect(output).toContain('put SMTP_URL into that Secret, or name a Secret of its own');
  });

  it('When a cron schedule, a quantity or a CIDR is malformed, then values.schema.json rejects it', () => {
    for (const bad of [
      'auth.cleanup.schedule=every hour',
      'auth.cleanup.schedule=0 * * *',
      'auth.cleanup.schedule=61 * * * *',
      'auth.cleanup.schedule=0 24 * * *',
      'auth.resources.requests.memory=128MB',
      'user.resources.limits.cpu=-1',
      'migrations.resources.requests.cpu=lots',
      'postgresql.persistence.size=2 GB',
      'gateway.trustedProxies[0]=10.0.0.0/33',
      'gateway.trustedProxies[0]=proxy.example.com',
      'gateway.trustedProxies[0]=300.1.2.3',
      'networkPolicy.courierEgress.smtpTo[0].ipBlock.cidr=10.30.0.10',
    ]) {
      const output = failedRender([...REQUIRED_ARGS, '--set', bad]);
      expect(output, bad).toContain(
        bad
          .split('=')[0]!
          .split('.')
          .at(-1)!
          .replace(/\[\d+\]$/, ''),
      );
    }
    // What they must accept.
    renderChart({
      set: [
        ...REQUIRED_VALUES,
        'auth.cleanup.schedule=*/15 2-5\\,7 1 jan-jun mon-fri',
        'user.resources.requests.cpu=0.5',
        'user.resources.requests.memory=1e9',
        'gateway.resources.limits.memory=1Gi',
        'gateway.trustedProxies[0]=10.0.0.0/8',
        'gateway.trustedProxies[1]=192.168.1.7',
        'gateway.trustedProxies[2]=fd00::/8',
      ],
    });
    renderChart({ set: [...REQUIRED_VALUES, 'auth.cleanup.schedule=@hourly'] });
  });

  it.each(['auth', 'user', 'gateway'])(
    'When %s.autoscaling.minReplicas is above maxReplicas, then rendering fails and says so',
    (component) => {
      const output = failedRender([
        ...REQUIRED_ARGS,
        '--set',
        `${component}.autoscaling.minReplicas=7`,
        '--set',
        `${component}.autoscaling.maxReplicas=3`,
      ]);
      expect(output).toContain(
        `${component}.autoscaling.minReplicas (7) is above ${component}.autoscaling.maxReplicas (3)`,
      );
    },
  );

  it.each([
    ['not JSON', 'secrets.jwtPrivateKeys=not-json', 'secrets.jwtPrivateKeys is not JSON'],
    [
      'JSON but no private key',
      'secrets.jwtPrivateKeys=[{"kty":"OKP"\\,"crv":"Ed25519"\\,"kid":"k1"\\,"x":"xxxx"}]',
      'secrets.jwtPrivateKeys must be a JSON array of private Ed25519 JWKs, each with a kid',
    ],
    ['an empty array', 'secrets.jwtPrivateKeys=[]', 'secrets.jwtPrivateKeys must be a JSON array'],
  ])(
    'When the signing keys are %s, then rendering fails and says what they must be',
    (_n, keys, message) => {
      const args = REQUIRED_VALUES.filter((v) => v !== SIGNING_KEYS_VALUE).flatMap((v) => [
        '--set',
        v,
      ]);
      expect(failedRender([...args, '--set', keys])).toContain(message);
    },
  );

  it('When auth.signingKid names no configured key, then rendering fails and names the kids', () => {
    const output = failedRender([...REQUIRED_ARGS, '--set', 'auth.signingKid=other-key']);
    expect(output).toContain(
      'auth.signingKid "other-key" is not the kid of any key in secrets.jwtPrivateKeys (test-key)',
    );
  });

  it('When the mail values are out of range, then values.schema.json rejects them', () => {
    for (const bad of [
      'auth.recovery.emailVerification=sometimes',
      'auth.recovery.appBaseUrl=app.example.com',
      'auth.recovery.resetPasswordPath=/reset',
      'auth.recovery.resetTokenTtlMinutes=0',
      'auth.webauthn.origins={http://app.example.com}',
      'auth.webauthn.rpId=https://example.com',
      'auth.webauthn.challengeTtlSeconds=5',
      'mail.smtp.url=http://smtp.example.com',
      'mail.smtp.usr=x',
    ]) {
      const output = failedRender([...REQUIRED_ARGS, '--set', bad]);
      expect(output, bad).toContain(bad.split('=')[0]!.split('.').at(-1));
    }
  });
});

describe('Every rendered manifest against the Kubernetes schemas (unknown fields rejected)', () => {
  it.each([...Object.keys(RENDERS), 'development'])(
    'When the chart is rendered with the %s values, then every document is valid',
    (name) => {
      const docs = name === 'development' ? development : RENDERS[name]!;
      expect(docs.length).toBeGreaterThan(10);
      expect(docs.flatMap(validateManifest)).toEqual([]);
    },
  );

  it('When a container field is misspelt, then the strict check names it', () => {
    const doc = structuredClone(named(RENDERS.default!, 'Deployment', `${FULLNAME}-auth`));
    doc.spec.template.spec.containers[0].securityContxt = { runAsNonRoot: true };
    doc.spec.template.spec.securityContext.runAsUsr = 1;
    expect(validateManifest(doc)).toEqual([
      `${FULLNAME}-auth.spec.template.spec.securityContext.runAsUsr is not a field of apps/v1/Deployment`,
      `${FULLNAME}-auth.spec.template.spec.containers[0].securityContxt is not a field of apps/v1/Deployment`,
    ]);
  });

  it('When a field has the wrong type, then the schema check fails', () => {
    const doc = structuredClone(named(RENDERS.default!, 'Deployment', `${FULLNAME}-user`));
    doc.spec.replicas = 'two';
    expect(validateManifest(doc).join('\n')).toContain('replicas must be integer');
  });

  it('When a ServiceMonitor or PrometheusRule field is misspelt, then the strict check names it', () => {
    const monitor = structuredClone(
      named(RENDERS.everything!, 'ServiceMonitor', `${FULLNAME}-auth`),
    );
    monitor.spec.endpoints[0].scrapeTimout = '10s';
    const rule = structuredClone(named(RENDERS.everything!, 'PrometheusRule', FULLNAME));
    rule.spec.groups[0].rules[0].expresion = 'up';
    expect([...validateManifest(monitor), ...validateManifest(rule)]).toEqual([
      `${FULLNAME}-auth.spec.endpoints[0].scrapeTimout is not a field of monitoring.coreos.com/v1/ServiceMonitor`,
      `${FULLNAME}.spec.groups[0].rules[0].expresion is not a field of monitoring.coreos.com/v1/PrometheusRule`,
    ]);
  });

  it('When a kind has no model, then it is reported rather than passed', () => {
    expect(
      validateManifest({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: {} }),
    ).toEqual(['example.com/v1/Widget: no model to validate this kind against']);
  });
});

describe.each(CHECKED)('Chart invariants with the %s values', (name) => {
  const docs = RENDERS[name]!;
  const deployment = (component: string) => named(docs, 'Deployment', `${FULLNAME}-${component}`);

  it.each(['auth', 'user'] as const)(
    'When the %s service runs, then its probes hit /healthz and /readyz on its management port, apart from the API port',
    (service) => {
      const [container, ...others] = deployment(service).spec.template.spec.containers;
      expect(others).toEqual([]);
      const port = container.ports.find((p: { name: string }) => p.name === 'http');
      expect(port.containerPort).toBe(SERVICE_DEFAULTS[service].port);
      expect(envValue(container, 'PORT')).toBe(String(port.containerPort));
      // /metrics and the probes are served on a listener of their own (MANAGEMENT_PORT).
      const management = container.ports.find((p: { name: string }) => p.name === 'management');
      expect(management.containerPort).toBe(9000);
      expect(management.containerPort).not.toBe(port.containerPort);
      expect(envValue(container, 'MANAGEMENT_PORT')).toBe(String(management.containerPort));
      for (const [probe, path] of [
        ['livenessProbe', '/healthz'],
        ['readinessProbe', '/readyz'],
        ['startupProbe', '/healthz'],
      ] as const) {
        expect(container[probe].httpGet.path, probe).toBe(path);
        expect(container[probe].httpGet.port, probe).toBe('management');
      }
      const svc = named(docs, 'Service', `${FULLNAME}-${service}`);
      expect(
        svc.spec.ports.map(
          (p: { name: string; targetPort: string }) => `${p.name}:${p.targetPort}`,
        ),
      ).toEqual(['http:http', 'management:management']);
      // The image's entrypoint (tini) and command run: nothing overrides them.
      expect(container.command).toBeUndefined();
      expect(container.args).toBeUndefined();
    },
  );

  it('When the courier runs, then the auth image runs the courier command, probed on /healthz and /readyz at COURIER_PORT', () => {
    const pod = deployment('courier').spec.template.spec;
    const [container, ...others] = pod.containers;
    expect(others).toEqual([]);
    const auth = deployment('auth').spec.template.spec.containers[0];
    expect(container.image).toBe(auth.image);
    // args, not command: the image's entrypoint (tini) stays PID 1.
    expect(container.command).toBeUndefined();
    expect(container.args).toEqual(['node', 'services/auth/dist/cli/courier.js']);
    const port = container.ports.find((p: { name: string }) => p.name === 'http');
    expect(port.containerPort).toBe(8002);
    expect(envValue(container, 'COURIER_PORT')).toBe(String(port.containerPort));
    for (const [probe, path] of [
      ['livenessProbe', '/healthz'],
      ['readinessProbe', '/readyz'],
      ['startupProbe', '/healthz'],
    ] as const) {
      expect(container[probe].httpGet.path, probe).toBe(path);
      expect(container[probe].httpGet.port, probe).toBe('http');
    }
    // The database of the auth service and the mail settings; no signing keys, no broker.
    expect(envVar(container, 'DATABASE_URL')).toEqual(envVar(auth, 'DATABASE_URL'));
    for (const name of ['SMTP_URL', 'MAIL_FROM']) {
      expect(envVar(container, name), name).toEqual(envVar(auth, name));
    }
    expect(envValue(container, 'NODE_ENV')).toBe('production');
    expect(envNames(container)).not.toContain('JWT_PRIVATE_KEYS');
    expect(envNames(container)).not.toContain('AMQP_URL');
    // The auth service leaves the delivery to it.
    expect(envValue(auth, 'COURIER_IN_PROCESS')).toBe('false');
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(
      Number(envValue(container, 'SHUTDOWN_GRACE_MS')) / 1000,
    );
    expect(named(docs, 'PodDisruptionBudget', `${FULLNAME}-courier`).spec.maxUnavailable).toBe(1);
  });

  it('When the cleanup is scheduled, then one run at a time executes the cleanup command', () => {
    const cron = named(docs, 'CronJob', `${FULLNAME}-cleanup`);
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    const [container, ...others] = containersOf(cron);
    expect(others).toEqual([]);
    expect(container!.command).toBeUndefined();
    expect(commandOf(container!)).toBe('node services/auth/dist/cli/cleanup.js');
    // It needs the database only: no signing keys.
    expect(envNames(container!)).toContain('DATABASE_URL');
    expect(envNames(container!)).not.toContain('JWT_PRIVATE_KEYS');
    // The service leaves the cleanup to the CronJob.
    const auth = named(docs, 'Deployment', `${FULLNAME}-auth`).spec.template.spec.containers[0];
    expect(envValue(auth, 'CLEANUP_INTERVAL_MINUTES')).toBe('0');
  });

  it('When the release is installed or upgraded, then hook Jobs migrate both databases first', () => {
    const inCluster = name !== 'production';
    for (const service of ['auth', 'user']) {
      const job = named(docs, 'Job', `${FULLNAME}-migrate-${service}`);
      const hooks = job.metadata.annotations['helm.sh/hook'].split(',');
      expect(hooks).toEqual([inCluster ? 'post-install' : 'pre-install', 'pre-upgrade']);
      const container = podSpecOf(job)!.containers[0];
      expect(commandOf(container)).toBe(`node services/${service}/dist/cli/migrate.js`);
      // The database and nothing else: no signing keys, no SMTP, no broker.
      expect(envNames(container)).toContain('DATABASE_URL');
      for (const secret of ['JWT_PRIVATE_KEYS', 'SMTP_URL', 'AMQP_URL', 'ADMIN_PASSWORD'])
        expect(envNames(container), `${service} ${secret}`).not.toContain(secret);
    }
    const secret = docs.find((d) => d.kind === 'Secret');
    if (name === 'production') {
      expect(secret).toBeUndefined();
    } else {
      // The chart's Secret exists before the Jobs that read it.
      expect(secret!.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      expect(Number(secret!.metadata.annotations['helm.sh/hook-weight'])).toBeLessThan(
        Number(
          named(docs, 'Job', `${FULLNAME}-migrate-auth`).metadata.annotations[
            'helm.sh/hook-weight'
          ],
        ),
      );
    }
  });

  it.each([
    ['auth', 'services/auth/src/data/data-source.ts', 'authDataSource'],
    ['user', 'services/user/src/data/store.ts', 'userDataSource'],
  ])(
    'When the %s service starts before its migrations ran, then an init container waits for the schema instead of a crash loop',
    (service, source, factory) => {
      const pod = deployment(service).spec.template.spec;
      const [wait, ...others] = pod.initContainers;
      expect(others).toEqual([]);
      expect(wait.name).toBe('wait-for-schema');
      expect(wait.image).toBe(pod.containers[0].image);
      const script = readFileSync(`${CHART}/files/wait-for-database.mjs`, 'utf8');
      const module = source.replace('/src/', '/dist/').replace(/\.ts$/, '.js');
      expect(wait.args).toEqual([
        'node',
        '--input-type=module',
        '-e',
        script,
        'schema',
        `/app/${module}`,
        factory,
      ]);
      // The image holds that module, and it exports that factory.
      expect(readFileSync(`${REPO_ROOT}${source}`, 'utf8')).toContain(
        `export function ${factory}(`,
      );
      expect(envVar(wait, 'DATABASE_URL')).toEqual(envVar(pod.containers[0], 'DATABASE_URL'));
      // The migration Job waits for the database the same way, then migrates.
      const job = podSpecOf(named(docs, 'Job', `${FULLNAME}-migrate-${service}`))!;
      expect(job.initContainers.map((c: Container) => c.args.slice(4))).toEqual([
        ['database', `/app/${module}`, factory],
      ]);
    },
  );

  it('When a Secret holds a value, then no ConfigMap and no plain env value contains it', () => {
    const secretValues = docs
      .filter((d) => d.kind === 'Secret')
      .flatMap((d) => [
        ...Object.values<string>(d.stringData ?? {}),
        ...Object.values<string>(d.data ?? {}).map((v) => Buffer.from(v, 'base64').toString()),
      ])
      .filter((value) => value.length >= 8);
    if (name !== 'production') expect(secretValues.length).toBeGreaterThan(2);
    const exposed = [
      ...docs
        .filter((d) => d.kind === 'ConfigMap')
        .flatMap((d) => Object.values<string>(d.data ?? {})),
      ...workloads(docs).flatMap((d) =>
        containersOf(d).flatMap((c) => (c.env ?? []).map((e: { value?: string }) => e.value ?? '')),
      ),
    ];
    for (const secret of secretValues) {
      expect(exposed.filter((text) => text.includes(secret))).toEqual([]);
    }
  });

  it('When any pod runs, then it and each container have the restricted security context', () => {
    for (const doc of workloads(docs)) {
      const where = `${doc.kind} ${doc.metadata.name}`;
      const pod = podSpecOf(doc)!;
      expect(pod.securityContext?.runAsNonRoot, where).toBe(true);
      expect(pod.securityContext?.runAsUser, where).toBeGreaterThan(0);
      expect(pod.securityContext?.seccompProfile?.type, where).toBe('RuntimeDefault');
      expect(pod.automountServiceAccountToken, where).toBe(false);
      for (const c of containersOf(doc)) {
        const at = `${where} container ${c.name}`;
        expect(c.securityContext?.allowPrivilegeEscalation, at).toBe(false);
        expect(c.securityContext?.readOnlyRootFilesystem, at).toBe(true);
        expect(c.securityContext?.runAsNonRoot, at).toBe(true);
        expect(
          Number.isInteger(c.securityContext?.runAsUser) && c.securityContext.runAsUser > 0,
          at,
        ).toBe(true);
        expect(c.securityContext?.capabilities?.drop, at).toContain('ALL');
        expect(c.securityContext?.capabilities?.add ?? [], at).toEqual([]);
        expect(c.securityContext?.seccompProfile?.type, at).toBe('RuntimeDefault');
        // A read-only root: /tmp is a volume of its own.
        expect(
          c.volumeMounts?.map((m: { mountPath: string }) => m.mountPath),
          at,
        ).toContain('/tmp');
      }
    }
  });

  it('When a service pod stops, then the grace period covers the preStop sleep and SHUTDOWN_GRACE_MS', () => {
    for (const component of ['auth', 'user', 'gateway']) {
      const pod = deployment(component).spec.template.spec;
      const [container] = pod.containers;
      const sleep = container.lifecycle.preStop.exec.command;
      expect(sleep[0]).toBe('sleep');
      expect(Number(sleep[1])).toBeGreaterThan(0);
      const graceMs = Number(
        envValue(deployment('auth').spec.template.spec.containers[0], 'SHUTDOWN_GRACE_MS'),
      );
      if (component !== 'gateway')
        expect(Number(envValue(container, 'SHUTDOWN_GRACE_MS'))).toBe(graceMs);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(graceMs / 1000);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(graceMs / 1000 + Number(sleep[1]));
    }
  });

  it('When a container of a service is configured, then every variable it gets is one the service reads', () => {
    for (const doc of workloads(docs)) {
      for (const c of containersOf(doc)) {
        const image: string = c.image;
        const service =
          doc.kind === 'CronJob'
            ? 'cleanup'
            : doc.kind === 'Job' && doc.metadata.name.startsWith(`${FULLNAME}-migrate-`)
              ? 'migrate'
              : doc.metadata.name === `${FULLNAME}-courier`
                ? 'courier'
                : /\/auth:/.test(image)
                  ? 'auth'
                  : /\/user:/.test(image)
                    ? 'user'
                    : undefined;
        if (!service || doc.kind === 'Pod') continue;
        const unread = envNames(c).filter((n) => !SERVICE_ENV[service].has(n));
        expect(unread, `${doc.kind} ${doc.metadata.name}`).toEqual([]);
      }
    }
  });

  it('When a container reads a secret, then the key exists in the Secret the chart renders or names', () => {
    const secret = docs.find((d) => d.kind === 'Secret');
    const expectedName = name === 'production' ? 'auth-user-platform-secrets' : FULLNAME;
    for (const doc of workloads(docs)) {
      for (const c of containersOf(doc)) {
        for (const env of c.env ?? []) {
          const ref = env.valueFrom?.secretKeyRef;
          if (!ref) continue;
          expect(ref.name, `${doc.metadata.name} ${env.name}`).toBe(expectedName);
          if (secret && !ref.optional) {
            expect(
              Object.keys(secret.stringData ?? {}),
              `${doc.metadata.name} ${env.name}`,
            ).toContain(ref.key);
          }
        }
      }
    }
  });

  it('When a Service or ServiceMonitor selects pods, then it finds the workload and its named port', () => {
    for (const svc of docs.filter((d) => d.kind === 'Service')) {
      const target = workloads(docs).find((w) =>
        Object.entries(svc.spec.selector).every(([k, v]) => podLabelsOf(w)[k] === v),
      );
      expect(target, `Service ${svc.metadata.name}`).toBeDefined();
      const ports = containersOf(target!).flatMap((c) =>
        (c.ports ?? []).map((p: { name: string }) => p.name),
      );
      for (const port of svc.spec.ports)
        expect(ports, svc.metadata.name).toContain(port.targetPort);
    }
    for (const monitor of docs.filter((d) => d.kind === 'ServiceMonitor')) {
      const svc = docs.find(
        (d) =>
          d.kind === 'Service' &&
          Object.entries(monitor.spec.selector.matchLabels).every(
            ([k, v]) => d.metadata.labels[k] === v,
          ),
      );
      expect(svc, monitor.metadata.name).toBeDefined();
      const endpoint = monitor.spec.endpoints[0];
      expect(svc!.spec.ports.map((p: { name: string }) => p.name)).toContain(endpoint.port);
      expect(endpoint.path).toBe('/metrics');
      // The services' metrics are on their management port, never on the API port.
      const component = monitor.spec.selector.matchLabels['app.kubernetes.io/component'];
      const expected = { auth: 'management', user: 'management', courier: 'http' }[
        component as string
      ];
      expect(endpoint.port, monitor.metadata.name).toBe(expected ?? 'metrics');
    }
  });

  it('When network policies are on, then only the gateway is open and only clients reach the data stores', () => {
    const policies = docs.filter((d) => d.kind === 'NetworkPolicy');
    expect(policies.length).toBeGreaterThan(0);
    const policy = (suffix: string) => named(docs, 'NetworkPolicy', `${FULLNAME}-${suffix}`);
    expect(policy('default-deny').spec).toMatchObject({ policyTypes: ['Ingress'] });
    expect(policy('default-deny').spec.ingress).toBeUndefined();
    // The gateway's http port takes traffic from anywhere; every other rule names its sources.
    const open = policies.flatMap((p) =>
      (p.spec.ingress ?? [])
        .filter((rule: { from?: unknown }) => !rule.from)
        .map(() => p.metadata.name),
    );
    expect(open).toEqual([`${FULLNAME}-gateway`]);
    for (const component of ['auth', 'user']) {
      const [fromPods, fromScrapers, ...others] = policy(component).spec.ingress;
      expect(others).toEqual([]);
      const sources = fromPods.from.map(
        (f: any) => f.podSelector.matchLabels['app.kubernetes.io/component'],
      );
      expect(sources).toEqual(component === 'auth' ? ['gateway', 'user'] : ['gateway']);
      // The API port for the gateway (and the user service), the management port for the scrapers.
      expect(fromPods.ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
      expect(fromScrapers.ports).toEqual([{ port: 'management', protocol: 'TCP' }]);
      expect(fromScrapers.from).toEqual(
        name === 'production'
          ? [
              {
                namespaceSelector: {
                  matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
                },
                podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
              },
            ]
          : [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
              },
            ],
      );
    }
    if (name !== 'production') {
      const clients = (label: string) =>
        workloads(docs)
          .filter((w) => podLabelsOf(w)[label] === 'true')
          .map((w) => w.metadata.name)
          .sort();
      expect(policy('postgresql').spec.ingress[0].from[0].podSelector.matchLabels).toHaveProperty(
        'auth-user-platform/database-client',
        'true',
      );
      expect(clients('auth-user-platform/database-client')).toEqual(
        [
          `${FULLNAME}-auth`,
          `${FULLNAME}-cleanup`,
          `${FULLNAME}-courier`,
          `${FULLNAME}-migrate-auth`,
          `${FULLNAME}-migrate-user`,
          `${FULLNAME}-user`,
        ].sort(),
      );
      expect(clients('auth-user-platform/broker-client')).toEqual([
        `${FULLNAME}-auth`,
        `${FULLNAME}-user`,
      ]);
      expect(clients('auth-user-platform/mail-client')).toEqual([
        `${FULLNAME}-auth`,
        `${FULLNAME}-courier`,
      ]);
    }
    // The courier takes scrapes only, and reaches DNS, its database and the SMTP server only.
    const courier = policy('courier').spec;
    expect(courier.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(courier.ingress).toEqual([
      { from: expect.any(Array), ports: [{ port: 'http', protocol: 'TCP' }] },
    ]);
    const egressPorts = courier.egress.map((rule: any) =>
      rule.ports.map((p: any) => `${p.port}/${p.protocol}`).join(','),
    );
    const smtp = name === 'production' ? '465/TCP' : '587/TCP';
    expect(egressPorts).toEqual(['53/UDP,53/TCP', '5432/TCP', smtp]);
    if (name !== 'production') {
      expect(courier.egress[1].to[0].podSelector.matchLabels).toHaveProperty(
        'app.kubernetes.io/component',
        'postgresql',
      );
    } else {
      expect(courier.egress[1].to).toEqual([{ ipBlock: { cidr: '10.20.0.0/16' } }]);
    }
  });

  it('When an image is referenced, then it is pinned to a tag other than latest', () => {
    for (const c of workloads(docs).flatMap(containersOf)) {
      expect(c.image).toMatch(/^[^:]+(:\d+)?\/?[^:]*:[\w][\w.-]*$/);
      expect(c.image).not.toMatch(/:latest$/);
    }
  });
});

describe('Chart options', () => {
  it('When production values are used, then the databases are external, images come from the registry and the Prometheus resources exist', () => {
    const docs = RENDERS.production!;
    expect(docs.filter((d) => d.kind === 'StatefulSet')).toEqual([]);
    expect(
      named(docs, 'Deployment', `${FULLNAME}-auth`).spec.template.spec.containers[0].image,
    ).toBe('registry.example.com/platform/auth:0.1.0');
    for (const component of ['auth', 'user', 'gateway']) {
      const hpa = named(docs, 'HorizontalPodAutoscaler', `${FULLNAME}-${component}`);
      expect(hpa.spec.scaleTargetRef.name).toBe(`${FULLNAME}-${component}`);
      // The autoscaler owns the replica count.
      expect(named(docs, 'Deployment', `${FULLNAME}-${component}`).spec.replicas).toBeUndefined();
      named(docs, 'PodDisruptionBudget', `${FULLNAME}-${component}`);
      named(docs, 'ServiceMonitor', `${FULLNAME}-${component}`);
    }
  });

  it('When the alerts are rendered, then they watch the metrics the services and kube-state-metrics export', () => {
    const rules = named(RENDERS.production!, 'PrometheusRule', FULLNAME).spec.groups[0].rules;
    const expr = (alert: string): string =>
      rules.find((r: { alert: string }) => r.alert === alert).expr;
    expect(expr('AuthLoginFailureSpike')).toMatch(/auth_logins_total\{[^}]*result="failure"/);
    expect(expr('AuthOutboxBacklog')).toContain('auth_outbox_pending_events{');
    expect(expr('UserDeadLetterQueueGrowing')).toContain('user_events_dead_lettered_total{');
    // The newest Job that failed for good against the newest complete one (promtool tests it).
    for (const series of ['kube_job_status_start_time', 'kube_job_failed', 'kube_job_complete'])
      expect(expr('CleanupJobFailing')).toContain(
        `${series}{namespace="platform", job_name=~"${FULLNAME}-cleanup-.*"`,
      );
    // The mail queue, whether the courier or the auth service itself delivers it.
    expect(expr('MailsStuck')).toBe(
      `max(auth_mail_queue_oldest_age_seconds{namespace="platform", job=~"${FULLNAME}-(auth|courier)"}) > 600`,
    );
    expect(expr('MailsFailing')).toMatch(
      /^sum\(increase\(auth_mails_total\{[^}]*outcome="failed"\}\[15m\]\)\) > 0$/,
    );
    expect(rules.find((r: { alert: string }) => r.alert === 'MailsStuck').for).toBe('10m');
    expect(expr('PlatformTargetDown')).toContain('(auth|user|courier|gateway-metrics)');
    // The scrape jobs the rules filter on are the Services the ServiceMonitors select.
    expect(expr('AuthOutboxBacklog')).toContain(`job="${FULLNAME}-auth"`);
    named(RENDERS.production!, 'ServiceMonitor', `${FULLNAME}-courier`);
    named(RENDERS.production!, 'Service', `${FULLNAME}-courier`);
  });

  it('When helm test runs, then its pod registers and logs in through the gateway', () => {
    const pod = named(RENDERS.default!, 'Pod', `${FULLNAME}-smoke-test`);
    expect(pod.metadata.annotations['helm.sh/hook']).toBe('test');
    const [container] = pod.spec.containers;
    expect(envValue(container, 'GATEWAY_URL')).toBe(`http://${FULLNAME}-gateway:8080/api`);
    const script = container.args.at(-1);
    expect(script).toBe(readFileSync(`${CHART}/files/smoke-test.mjs`, 'utf8'));
    expect(script).toContain("'/register'");
    expect(script).toContain("'/login'");
    // It retries while the platform starts, up to a deadline that ends before the pod's.
    expect(envValue(container, 'SMOKE_TEST_DEADLINE_SECONDS')).toBe('240');
    expect(pod.spec.activeDeadlineSeconds).toBe(300);
  });

  it('When the passkey values are set, then the auth service gets them, and left empty the service defaults stand', () => {
    const env = (docs: Manifest[]) => {
      const [container] = named(docs, 'Deployment', `${FULLNAME}-auth`).spec.template.spec
        .containers;
      return Object.fromEntries(
        [
          'WEBAUTHN_RP_ID',
          'WEBAUTHN_RP_NAME',
          'WEBAUTHN_ORIGINS',
          'WEBAUTHN_CHALLENGE_TTL_SECONDS',
          'PASSKEY_LOGIN_RATE_PER_IP',
        ].map((name) => [name, envValue(container, name)]),
      );
    };
    expect(env(RENDERS.everything!)).toEqual({
      WEBAUTHN_RP_ID: 'example.com',
      WEBAUTHN_RP_NAME: 'Example',
      WEBAUTHN_ORIGINS: 'https://app.example.com,https://example.com',
      WEBAUTHN_CHALLENGE_TTL_SECONDS: '120',
      PASSKEY_LOGIN_RATE_PER_IP: '10',
    });
    expect(Object.values(env(RENDERS.default!))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('When the recovery and mail values are set, then the auth service and the courier get them, and the CA file is mounted where SMTP_CA_FILE points', () => {
    const docs = RENDERS.everything!;
    const auth = named(docs, 'Deployment', `${FULLNAME}-auth`).spec.template.spec;
    const courier = named(docs, 'Deployment', `${FULLNAME}-courier`).spec.template.spec;
    expect(
      Object.fromEntries(
        [
          'APP_BASE_URL',
          'EMAIL_VERIFICATION',
          'RESET_PASSWORD_PATH',
          'VERIFY_EMAIL_PATH',
          'RESET_TOKEN_TTL_MINUTES',
          'VERIFY_TOKEN_TTL_HOURS',
          'FORGOT_PASSWORD_RATE_PER_IP',
          'MAIL_TOKEN_RATE_PER_IP',
          'MAIL_RATE_PER_ADDRESS',
        ].map((name) => [name, envValue(auth.containers[0], name)]),
      ),
    ).toEqual({
      APP_BASE_URL: 'https://app.example.com',
      EMAIL_VERIFICATION: 'required',
      RESET_PASSWORD_PATH: '/account/reset?token={token}',
      VERIFY_EMAIL_PATH: '/account/verify?token={token}',
      RESET_TOKEN_TTL_MINUTES: '20',
      VERIFY_TOKEN_TTL_HOURS: '48',
      FORGOT_PASSWORD_RATE_PER_IP: '5',
      MAIL_TOKEN_RATE_PER_IP: '20',
      MAIL_RATE_PER_ADDRESS: '3',
    });
    for (const pod of [auth, courier]) {
      const [container] = pod.containers;
      expect(envValue(container, 'MAIL_MAX_ATTEMPTS')).toBe('5');
      expect(envValue(container, 'COURIER_POLL_MS')).toBe('500');
      expect(envVar(container, 'SMTP_URL')!.valueFrom.secretKeyRef).toEqual({
        name: FULLNAME,
        key: 'SMTP_URL',
      });
      const caFile = envValue(container, 'SMTP_CA_FILE')!;
      const mount = container.volumeMounts.find((m: { name: string }) => m.name === 'smtp-ca');
      expect(mount.readOnly).toBe(true);
      expect(path.posix.dirname(caFile)).toBe(mount.mountPath);
      const volume = pod.volumes.find((v: { name: string }) => v.name === 'smtp-ca');
      expect(volume.secret).toEqual({
        secretName: 'smtp-ca',
        items: [{ key: 'ca.crt', path: path.posix.basename(caFile) }],
      });
    }
    const secret = docs.find((d) => d.kind === 'Secret')!;
    expect(secret.stringData.SMTP_URL).toBe(
      'smtps://mailer:smtp-password-123@smtp.example.com:465',
    );
    // Without recovery values, the service's defaults hold: nothing but the required origin is set.
    const plain = named(RENDERS.default!, 'Deployment', `${FULLNAME}-auth`).spec.template.spec
      .containers[0];
    expect(envNames(plain).filter((n) => /TTL|_PATH$|RATE_PER|MAIL_MAX|POLL_MS/.test(n))).toEqual(
      [],
    );
    expect(envValue(plain, 'EMAIL_VERIFICATION')).toBe('optional');
  });

  it('When the SMTP URL lives in a Secret of its own, then both senders read it there and the chart stores none', () => {
    const docs = renderChart({
      set: [
        ...REQUIRED_VALUES.filter((v) => !v.startsWith('mail.smtp.url=')),
        'mail.smtp.existingSecret=smtp-credentials',
        'mail.smtp.existingSecretKey=url',
      ],
    });
    for (const name of ['auth', 'courier']) {
      const [container] = podSpecOf(named(docs, 'Deployment', `${FULLNAME}-${name}`))!.containers;
      expect(envVar(container!, 'SMTP_URL')!.valueFrom.secretKeyRef, name).toEqual({
        name: 'smtp-credentials',
        key: 'url',
      });
    }
    expect(docs.find((d) => d.kind === 'Secret')!.stringData).not.toHaveProperty('SMTP_URL');
    // The migration needs the database alone.
    const [migrate] = podSpecOf(named(docs, 'Job', `${FULLNAME}-migrate-auth`))!.containers;
    expect(envVar(migrate!, 'SMTP_URL')).toBeUndefined();
  });

  it('When the courier is disabled, then the auth service delivers the mails itself and no courier resource is rendered', () => {
    const docs = renderChart({
      set: [
        ...REQUIRED_VALUES,
        'courier.enabled=false',
        'serviceMonitor.enabled=true',
        'prometheusRule.enabled=true',
      ],
    });
    expect(docs.filter((d) => d.metadata.name === `${FULLNAME}-courier`)).toEqual([]);
    const auth = named(docs, 'Deployment', `${FULLNAME}-auth`).spec.template.spec.containers[0];
    expect(envValue(auth, 'COURIER_IN_PROCESS')).toBe('true');
    expect(envVar(auth, 'SMTP_URL')).toBeDefined();
    expect(docs.flatMap(validateManifest)).toEqual([]);
  });

  it('When Mailpit runs in the cluster, then the mails go to it and only the senders reach its SMTP port', () => {
    const docs = renderChart({
      set: [
        ...REQUIRED_VALUES.filter((v) => !v.startsWith('mail.smtp.url=')),
        'mailpit.enabled=true',
      ],
    });
    expect(docs.flatMap(validateManifest)).toEqual([]);
    const url = `smtp://${FULLNAME}-mailpit:1025`;
    for (const name of ['auth', 'courier']) {
      const [container] = podSpecOf(named(docs, 'Deployment', `${FULLNAME}-${name}`))!.containers;
      expect(envValue(container!, 'SMTP_URL'), name).toBe(url);
    }
    const service = named(docs, 'Service', `${FULLNAME}-mailpit`);
    expect(
      service.spec.ports.map((p: { name: string; port: number }) => `${p.name}:${p.port}`),
    ).toEqual(['smtp:1025', 'http:8025']);
    const [mailpit] = containersOf(named(docs, 'Deployment', `${FULLNAME}-mailpit`));
    expect(mailpit!.image).toMatch(/^axllent\/mailpit:v\d+\.\d+\.\d+$/);
    const policy = named(docs, 'NetworkPolicy', `${FULLNAME}-mailpit`).spec;
    expect(policy.ingress).toEqual([
      {
        from: [
          {
            podSelector: {
              matchLabels: {
                'app.kubernetes.io/instance': 'rel',
                'auth-user-platform/mail-client': 'true',
              },
            },
          },
        ],
        ports: [{ port: 'smtp', protocol: 'TCP' }],
      },
    ]);
    const courierSmtp = named(docs, 'NetworkPolicy', `${FULLNAME}-courier`).spec.egress.at(-1);
    expect(courierSmtp.ports).toEqual([{ port: 1025, protocol: 'TCP' }]);
    expect(courierSmtp.to[0].podSelector.matchLabels).toHaveProperty(
      'app.kubernetes.io/component',
      'mailpit',
    );
  });

  it.each(['registry.example.com/mirror', 'registry.example.com/mirror/'])(
    'When imageRegistry is %s, then every image of the chart comes from it, named once',
    (registry) => {
      const docs = renderChart({
        set: [...REQUIRED_VALUES, `imageRegistry=${registry}`, 'mailpit.enabled=true'],
      });
      const images = new Map(
        workloads(docs).flatMap((doc) =>
          containersOf(doc).map((c) => [`${doc.metadata.name}/${c.name}`, c.image as string]),
        ),
      );
      expect(images.get(`${FULLNAME}-auth/auth`)).toBe(
        'registry.example.com/mirror/auth-user-platform/auth:0.1.0',
      );
      expect(images.get(`${FULLNAME}-gateway/krakend`)).toBe(
        'registry.example.com/mirror/devopsfaith/krakend:2.13',
      );
      expect(images.get(`${FULLNAME}-postgresql/postgresql`)).toBe(
        'registry.example.com/mirror/postgres:16-bookworm',
      );
      for (const [where, image] of images) {
        expect(image, where).toMatch(/^registry\.example\.com\/mirror\/[a-z]/);
        expect(image, where).not.toContain('//');
      }
      expect(images.size).toBeGreaterThan(8);
    },
  );

  it('When the gateway is exposed by a load balancer, then it keeps the client addresses (externalTrafficPolicy Local)', () => {
    const service = (docs: Manifest[]) => named(docs, 'Service', `${FULLNAME}-gateway`).spec;
    // The production values: a LoadBalancer that must not rewrite every client into one address.
    expect(service(RENDERS.production!)).toMatchObject({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
    });
    // A ClusterIP Service has no external traffic to keep.
    expect(service(RENDERS.default!).externalTrafficPolicy).toBeUndefined();
    const nodePort = renderChart({
      set: [
        ...REQUIRED_VALUES,
        'gateway.service.type=NodePort',
        'gateway.service.externalTrafficPolicy=Cluster',
        'gateway.service.loadBalancerSourceRanges[0]=203.0.113.0/24',
      ],
    });
    expect(service(nodePort).externalTrafficPolicy).toBe('Cluster');
    expect(
      failedRender([...REQUIRED_ARGS, '--set', 'gateway.service.externalTrafficPolicy=local']),
    ).toContain('externalTrafficPolicy');
    const lb = renderChart({
      values: [PRODUCTION_VALUES],
      set: ['gateway.service.loadBalancerSourceRanges[0]=203.0.113.0/24'],
    });
    expect(service(lb).loadBalancerSourceRanges).toEqual(['203.0.113.0/24']);
  });

  it('When the production values are used, then the gateway believes X-Forwarded-For only from the load balancer network', () => {
    const config = JSON.parse(
      named(RENDERS.production!, 'ConfigMap', `${FULLNAME}-gateway`).data['krakend.json'],
    );
    expect(config.extra_config.router).toMatchObject({
      forwarded_by_client_ip: true,
      trusted_proxies: ['10.0.0.0/8'],
    });
  });

  it('When the production values name an existing Secret, then the chart renders no Secret of its own', () => {
    expect(RENDERS.production!.filter((d) => d.kind === 'Secret')).toEqual([]);
  });
});
