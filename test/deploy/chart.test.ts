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
  type Manifest,
} from './helm.js';
import { validateManifest } from './k8s-validate.js';
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
      adminPassword: 'Admin-Password-123!',
      postgresPassword: 'postgres-password-123',
      rabbitmqPassword: 'rabbitmq-password-123',
    },
    auth: {
      signingKid: 'test-key',
      admin: { login: 'admin', email: 'admin@example.com' },
      autoscaling: { enabled: true },
    },
    user: { autoscaling: { enabled: true } },
    gateway: { autoscaling: { enabled: true }, trustedProxies: ['10.0.0.0/8'] },
    serviceMonitor: { enabled: true },
    prometheusRule: { enabled: true },
  }),
);

const RENDERS: Record<string, Manifest[]> = {
  default: renderChart(),
  everything: renderChart({ values: [EVERYTHING] }),
  production: renderChart({ values: [PRODUCTION_VALUES] }),
};
/** The renders every invariant must hold for (development values relax the read-only root). */
const CHECKED = ['default', 'everything', 'production'] as const;
const development = renderChart({ values: [DEVELOPMENT_VALUES] });

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

describe('The Helm chart, linted and rendered offline', () => {
  it.each([
    ['default values', []],
    ['the production values', ['--values', PRODUCTION_VALUES]],
    ['the development values', ['--values', DEVELOPMENT_VALUES]],
  ])('When linted strictly with %s, then helm reports no failure', (_name, args) => {
    const { status, output } = helm(['lint', '--strict', CHART, ...args]);
    expect(output).toContain('0 chart(s) failed');
    expect(status).toBe(0);
  });

  it.each([
    ['default values', [], true],
    ['the production values', ['--values', PRODUCTION_VALUES], false],
  ])(
    'When installed (client-side dry run) with %s, then the notes render',
    (_name, args, warns) => {
      const { status, output } = helm(['install', 'rel', CHART, '--dry-run=client', ...args]);
      expect(status, output).toBe(0);
      const notes = output.slice(output.indexOf('NOTES:'));
      expect(notes).toContain('helm test rel');
      expect(notes.includes('WARNING: no signing keys')).toBe(warns);
    },
  );

  it('When a value is misspelt, then values.schema.json rejects it', () => {
    const { status, output } = helm(['template', 'rel', CHART, '--set', 'auth.securityContxt=x']);
    expect(status).not.toBe(0);
    expect(output).toContain('securityContxt');
  });

  it('When external databases are chosen without URLs or a Secret, then rendering fails with the fix', () => {
    const { status, output } = helm([
      'template',
      'rel',
      CHART,
      '--set',
      'postgresql.enabled=false',
    ]);
    expect(status).not.toBe(0);
    expect(output).toContain('secrets.authDatabaseUrl is required');
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
    'When the %s service runs, then its probes hit /healthz and /readyz on its container port',
    (service) => {
      const [container, ...others] = deployment(service).spec.template.spec.containers;
      expect(others).toEqual([]);
      const port = container.ports.find((p: { name: string }) => p.name === 'http');
      expect(port.containerPort).toBe(SERVICE_DEFAULTS[service].port);
      expect(envValue(container, 'PORT')).toBe(String(port.containerPort));
      for (const [probe, path] of [
        ['livenessProbe', '/healthz'],
        ['readinessProbe', '/readyz'],
        ['startupProbe', '/healthz'],
      ] as const) {
        expect(container[probe].httpGet.path, probe).toBe(path);
        expect([port.name, port.containerPort], probe).toContain(container[probe].httpGet.port);
      }
      // The image's entrypoint (tini) and command run: nothing overrides them.
      expect(container.command).toBeUndefined();
      expect(container.args).toBeUndefined();
    },
  );

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
      expect(commandOf(containersOf(job)[0]!)).toBe(`node services/${service}/dist/cli/migrate.js`);
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
      const [fromPods] = policy(component).spec.ingress;
      const sources = fromPods.from.map(
        (f: any) => f.podSelector.matchLabels['app.kubernetes.io/component'],
      );
      expect(sources).toEqual(component === 'auth' ? ['gateway', 'user'] : ['gateway']);
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
          `${FULLNAME}-migrate-auth`,
          `${FULLNAME}-migrate-user`,
          `${FULLNAME}-user`,
        ].sort(),
      );
      expect(clients('auth-user-platform/broker-client')).toEqual([
        `${FULLNAME}-auth`,
        `${FULLNAME}-user`,
      ]);
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
    expect(expr('CleanupJobFailing')).toContain(
      `kube_job_status_failed{namespace="platform", job_name=~"${FULLNAME}-cleanup-.*"}`,
    );
    // The scrape jobs the rules filter on are the Services the ServiceMonitors select.
    expect(expr('AuthOutboxBacklog')).toContain(`job="${FULLNAME}-auth"`);
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
  });

  it('When the production values name an existing Secret, then the chart renders no Secret of its own', () => {
    expect(RENDERS.production!.filter((d) => d.kind === 'Secret')).toEqual([]);
  });
});
