import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envPairs, execForm, parseDockerfile, type Stage } from './dockerfile.js';
import {
  CHART,
  DEVELOPMENT_VALUES,
  REPO,
  renderChart,
  podSpecOf,
  SIGNING_KEYS_VALUE,
  MFA_KEYS_VALUE,
} from './helm.js';
// @ts-expect-error: plain ESM of the benchmark, without type declarations
import { RUNTIME_ENV } from '../../bench/lib/runtime-env.mjs';
import { SERVICE_DEFAULTS, SERVICE_ENV, type ServiceName } from './service-env.js';

type Json = Record<string, any>;
const read = (file: string) => readFileSync(`${REPO}${file}`, 'utf8');
const SERVICES = ['auth', 'user'] as const;

/** `node services/<name>/dist/<file>.js` has its source in services/<name>/src/<file>.ts. */
const sourceOf = (command: string[]): string | undefined => {
  const script = command.find((part) => /^services\/[^/]+\/dist\/.+\.js$/.test(part));
  return script?.replace('/dist/', '/src/').replace(/\.js$/, '.ts');
};

/** Variables named in an env file (NAME=value lines). */
const envFileNames = (file: string) =>
  read(file)
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);

/** The values of an env file (quotes removed, as compose does). */
const envFileValues = (file: string): Record<string, string> =>
  Object.fromEntries(
    read(file)
      .split('\n')
      .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!.replace(/^'(.*)'$/, '$1')]),
  );

const DOCKERFILE = read('Dockerfile');

describe.each(SERVICES)('Dockerfile built with SERVICE=%s', (service) => {
  const { args, stages } = parseDockerfile(DOCKERFILE, { SERVICE: service });
  const runtime = stages.at(-1)!;
  const stage = (name: string) => stages.find((s) => s.name === name)!;
  const all = (stage: Stage, keyword: string) =>
    stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
  const one = (stage: Stage, keyword: string) => {
    const found = all(stage, keyword);
    expect(found, keyword).toHaveLength(1);
    return found[0]!;
  };
  /** Where each `ln -s TARGET LINK` of a stage's RUNs points. */
  const links = (stage: Stage) =>
    Object.fromEntries(
      [
        ...all(stage, 'RUN')
          .join('\n')
          .matchAll(/ln -s "?([^"\s]+)"? (\S+)/g),
      ].map((m) => [m[2]!, m[1]!]),
    );
  const runs = stages.flatMap((s) => all(s, 'RUN')).join('\n');
  const port = String(SERVICE_DEFAULTS[service].port);

  it('When built, then it is multi-stage on the Node 24 Debian slim image, pinned', () => {
    expect(args.NODE_IMAGE).toBe('node:24-bookworm-slim');
    expect(args.SERVICE).toBe(service);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const names = stages.map((s) => s.name);
    for (const stage of stages) {
      expect(stage.from === args.NODE_IMAGE || names.includes(stage.from), stage.from).toBe(true);
      expect(stage.from).not.toMatch(/:latest$/);
    }
    expect(runtime.name).toBe('runtime');
    // Tilt builds the dev stage.
    expect(names).toContain('dev');
  });

  it('When dependencies are installed, then npm ci is filtered to the workspace and dev dependencies are pruned', () => {
    expect(runs).toMatch(
      new RegExp(
        `npm ci [^\\n]*--workspace=@platform/common[^\\n]*--workspace=@platform/${service}`,
      ),
    );
    expect(runs).toMatch(
      new RegExp(`npm prune --omit=dev [^\\n]*--workspace=@platform/${service}`),
    );
    expect(runs).toContain(`tsc -b services/${service}`);
    expect(all(stage('deps'), 'COPY')).toContain(`services/${service}/ services/${service}/`);
    // The toolchain stays in the build stages.
    expect(all(runtime, 'RUN').join('\n')).not.toMatch(/g\+\+|python3|npm ci/);
  });

  it('When production dependencies are pruned, then the native modules the service loads are loaded', () => {
    const check = /node --input-type=module -e "([^"]+)"/.exec(runs)?.[1];
    expect(check).toContain('better-sqlite3');
    expect(check).toContain(`services/${service}/package.json`);
    // The auth service hashes with argon2: its manifest is what makes the check load it.
    const manifest = JSON.parse(read(`services/${service}/package.json`)) as Json;
    if (service === 'auth') expect(manifest.dependencies).toHaveProperty('argon2');
    expect(check).toContain("if ('argon2' in dependencies) await import('argon2')");
    // and the check itself runs (here, against the repository's modules).
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', check!], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
  });

  it('When the runtime stage is assembled, then it holds dist/, production modules and openapi/', () => {
    expect(all(runtime, 'COPY')).toEqual(['--from=build /out/ /app/']);
    const assemble = all(stage('build'), 'RUN').join('\n');
    expect(assemble).toContain('cp -a package.json node_modules openapi /out/');
    expect(assemble).toContain(`for ws in common ${service};`);
    expect(all(stage('deps'), 'COPY')).toContain('openapi/ openapi/');
  });

  it('When it runs, then it is a numeric non-root user under tini with the service entry point', () => {
    expect(one(runtime, 'USER')).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    expect(one(runtime, 'WORKDIR')).toBe('/app');
    expect(execForm(one(runtime, 'ENTRYPOINT'))).toEqual(['/usr/bin/tini', '--']);
    expect(all(runtime, 'RUN').join('\n')).toMatch(/apt-get install [^\n]*\btini\b/);
    // One CMD for both services: /app/main.js links to the service's entry point.
    expect(execForm(one(runtime, 'CMD'))).toEqual(['node', 'main.js']);
    const entry = links(stage('build'))['/out/main.js'];
    expect(entry).toBe(`services/${service}/dist/main.js`);
    expect(existsSync(`${REPO}${sourceOf([entry!])}`)).toBe(true);
    expect(one(runtime, 'EXPOSE')).toBe(`${port} 9000`);
    expect(runtime.env.PORT).toBe(port);
    // /metrics and the probes on a port of their own, the one compose and the chart scrape.
    expect(runtime.env.MANAGEMENT_PORT).toBe('9000');
    const values = parse(readFileSync(`${CHART}/values.yaml`, 'utf8')) as Json;
    expect(values[service].managementPort).toBe(9000);
    expect(runtime.env.DATA_DIR).toBe('/app/data');
    expect(one(runtime, 'LABEL')).toContain(
      `org.opencontainers.image.title="auth-user-platform ${service} service"`,
    );
    // Only /app/data belongs to the user; the rest of /app stays root's.
    expect(all(runtime, 'RUN').join('\n')).toContain('chown 10001:10001 /app/data');
  });

  it('When Tilt runs the dev stage, then it watches the same entry point on the same port', () => {
    const dev = stage('dev');
    expect(execForm(one(dev, 'CMD'))).toEqual(['node', '--watch', 'main.js']);
    expect(links(dev)['/app/main.js']).toBe(`services/${service}/dist/main.js`);
    expect(one(dev, 'EXPOSE')).toBe(port);
    expect(dev.env.PORT).toBe(port);
    expect(one(dev, 'USER')).toBe('10001:10001');
  });

  it('When the container is checked, then HEALTHCHECK asks /healthz with node (no curl in slim)', () => {
    const check = one(runtime, 'HEALTHCHECK');
    const cmd = execForm(check.replace(/^(--\S+\s+)*CMD\s+/, ''))!;
    expect(cmd[0]).toBe('node');
    expect(cmd.join(' ')).toContain('/healthz');
    expect(cmd.join(' ')).toContain('fetch(');
    // on the port the image sets (an exec-form check expands no build variable): the management
    // port, or PORT when MANAGEMENT_PORT is set empty.
    expect(cmd.join(' ')).toContain('(process.env.MANAGEMENT_PORT || process.env.PORT)');
  });

  it('When it is built without a registry, then nothing names a frontend image, native modules build against local headers, and the CA bundle is read by npm ci alone', () => {
    // A `# syntax=` line makes BuildKit pull its frontend image even when everything else is local.
    expect(DOCKERFILE).not.toMatch(/^#\s*syntax=/im);
    expect(stage('deps').env.npm_config_nodedir).toBe('/usr/local');
    // As scripts/images/build.sh passes it.
    const caFile = '/run/host-ssl-certs/ca-certificates.crt';
    const built = parseDockerfile(DOCKERFILE, { SERVICE: service, NPM_CA_FILE: caFile }).stages;
    const withCa = built.flatMap((s) => all(s, 'RUN')).filter((run) => run.includes(caFile));
    expect(withCa).toHaveLength(1);
    expect(withCa[0]).toContain(`export NODE_EXTRA_CA_CERTS="${caFile}"; fi && npm ci `);
    expect(read('scripts/images/build.sh')).toContain(`NPM_CA_FILE=${caFile}`);
    expect(runtime.env).not.toHaveProperty('NODE_EXTRA_CA_CERTS');
  });

  it('When the runtime tree is assembled, then the build stage slims it with the script the context lets in', () => {
    const build = stage('build');
    expect(all(build, 'COPY')).toContain('scripts/images/slim-runtime.mjs /tmp/');
    expect(all(build, 'RUN').join('\n')).toMatch(/&& node \/tmp\/slim-runtime\.mjs \/out$/m);
    expect(existsSync(`${REPO}scripts/images/slim-runtime.mjs`)).toBe(true);
  });

  it('When packages are installed, then the lints hadolint would apply hold', () => {
    for (const stage of stages) {
      expect(all(stage, 'ADD'), 'COPY, not ADD (DL3020)').toEqual([]);
      for (const workdir of all(stage, 'WORKDIR'))
        expect(workdir, 'absolute WORKDIR (DL3000)').toMatch(/^\//);
      for (const run of all(stage, 'RUN')) {
        expect(run, 'no sudo (DL3004)').not.toMatch(/\bsudo\b/);
        if (!/apt-get install/.test(run)) continue;
        expect(run, 'apt-get -y (DL3014)').toMatch(/apt-get install -y/);
        expect(run, '--no-install-recommends (DL3015)').toContain('--no-install-recommends');
        expect(run, 'apt lists removed (DL3009)').toContain('rm -rf /var/lib/apt/lists/*');
        expect(run, 'apt-get update in the same RUN (DL3059)').toContain('apt-get update');
      }
    }
  });

  it('When the image sets environment variables, then each is one the service reads', () => {
    const names = stages
      .flatMap((s) => all(s, 'ENV'))
      .flatMap((line) => envPairs(line).map(([name]) => name))
      .filter((name) => !name.startsWith('npm_config_') && !(name in RUNTIME_ENV));
    expect(names.filter((name) => !SERVICE_ENV[service].has(name))).toEqual([]);
  });

  it('When the runtime is tuned (heap, malloc), then the image sets what the benchmark measured', () => {
    for (const [name, value] of Object.entries(RUNTIME_ENV)) {
      expect(runtime.env[name], name).toBe(value);
    }
  });
});

describe('Dockerfile without a service', () => {
  it('When SERVICE is missing or names no service, then the build has no stage to start from', () => {
    const names = (parsed: ReturnType<typeof parseDockerfile>) => parsed.stages.map((s) => s.name);
    const perService = names(parseDockerfile(DOCKERFILE)).filter((n) => n?.startsWith('base-'));
    expect(perService.sort()).toEqual(SERVICES.map((s) => `base-${s}`));
    for (const SERVICE of [undefined, 'embedded']) {
      const parsed = parseDockerfile(DOCKERFILE, SERVICE === undefined ? {} : { SERVICE });
      const { from } = parsed.stages.at(-1)!;
      expect(from, String(SERVICE)).not.toBe(parsed.args.NODE_IMAGE);
      expect(names(parsed), String(SERVICE)).not.toContain(from);
    }
  });
});

describe('.dockerignore', () => {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('When the build context is sent, then local builds, secrets and data stay out but sources and contracts go in', () => {
    expect(patterns).toEqual(
      expect.arrayContaining(['**/node_modules', '**/dist', '.env', 'data', '.git']),
    );
    // scripts/ stays out, except what the build stage runs.
    expect(patterns).toContain('scripts');
    expect(patterns).toContain('!scripts/images/slim-runtime.mjs');
    for (const needed of [
      'openapi',
      'services',
      'package.json',
      'package-lock.json',
      'tsconfig.base.json',
    ]) {
      expect(patterns, needed).not.toContain(needed);
    }
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as Json;
  const services = compose.services as Record<string, Json>;
  const envOf = (name: string): Record<string, string> => services[name]!.environment ?? {};
  const appServices: [string, ServiceName][] = [
    ['auth', 'auth'],
    ['user', 'user'],
    ['auth-migrate', 'auth'],
    ['user-migrate', 'user'],
  ];

  it('When the stack starts, then it has the databases, both services with migrations first, Mailpit, the gateway and Prometheus', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'auth',
        'auth-migrate',
        'gateway',
        'gateway-config',
        'mailpit',
        'postgres',
        'prometheus',
        'rabbitmq',
        'user',
        'user-migrate',
      ].sort(),
    );
    expect(services.postgres!.image).toMatch(/^postgres:16\b/);
    expect(services.rabbitmq!.image).toMatch(/^rabbitmq:(3\.13|4)[\w.-]*-management$/);
    expect(services.gateway!.image).toBe('devopsfaith/krakend:2.13');
    expect(services.prometheus!.profiles).toEqual(['monitoring']);
    for (const name of ['postgres', 'rabbitmq']) {
      expect(services[name]!.healthcheck?.test, name).toBeDefined();
      expect(services[name]!.volumes?.length, name).toBeGreaterThan(0);
    }
  });

  it('When an image is pulled, then it is pinned to a tag other than latest', () => {
    for (const [name, svc] of Object.entries(services)) {
      expect(svc.image, name).toMatch(/^[\w./-]+:[\w][\w.-]*$/);
      expect(svc.image, name).not.toMatch(/:latest$/);
    }
  });

  it('When the services start, then each waits for its migration, and the migrations for Postgres', () => {
    for (const service of SERVICES) {
      expect(services[service]!.depends_on[`${service}-migrate`]).toEqual({
        condition: 'service_completed_successfully',
      });
      expect(services[service]!.depends_on.rabbitmq).toEqual({ condition: 'service_healthy' });
      expect(services[`${service}-migrate`]!.depends_on.postgres).toEqual({
        condition: 'service_healthy',
      });
      expect(services[`${service}-migrate`]!.command).toEqual([
        'node',
        `services/${service}/dist/cli/migrate.js`,
      ]);
      expect(existsSync(`${REPO}${sourceOf(services[`${service}-migrate`]!.command)}`)).toBe(true);
      // Both images from the one Dockerfile, which SERVICE tells which service to build.
      expect(services[service]!.build.dockerfile).toBe('Dockerfile');
      expect(services[service]!.build.args).toEqual({ SERVICE: service });
      expect(services[service]!.build.context).toBe('.');
    }
    expect(services.gateway!.depends_on['gateway-config']).toEqual({
      condition: 'service_completed_successfully',
    });
  });

  it('When the services are published, then auth is on 8000, user on 8001 and the gateway on 8080, as configured', () => {
    const published = (name: string) =>
      services[name]!.ports.map((p: string) => p.split(':').slice(-2).join(':'));
    expect(published('auth')).toEqual(['8000:8000']);
    expect(published('user')).toEqual(['8001:8001']);
    expect(published('gateway')).toEqual(['8080:8080']);
    expect(envOf('auth').PORT).toBe(String(SERVICE_DEFAULTS.auth.port));
    expect(envOf('user').PORT).toBe(String(SERVICE_DEFAULTS.user.port));
    expect(envOf('user').AUTH_JWKS_URL).toBe('http://auth:8000/.well-known/jwks.json');
  });

  it('When a service is configured, then every variable it gets is one that service reads', () => {
    for (const [name, service] of appServices) {
      const unread = Object.keys(envOf(name)).filter((v) => !SERVICE_ENV[service].has(v));
      expect(unread, name).toEqual([]);
      expect(services[name]!.env_file.map((f: Json) => f.path)).toEqual([
        'compose.env.example',
        'compose.env',
      ]);
    }
    const shared = envFileNames('compose.env.example');
    expect(shared.filter((v) => !SERVICE_ENV.auth.has(v) && !SERVICE_ENV.user.has(v))).toEqual([]);
    // and each is documented where every setting is.
    const documented = new Set(envFileNames('.env.example'));
    expect(shared.filter((v) => !documented.has(v))).toEqual([]);
  });

  it('When the auth service sends a mail, then it delivers it itself to Mailpit inside the network, whose web UI is published on localhost only', () => {
    const settings = envFileValues('compose.env.example');
    expect(services.mailpit!.image).toMatch(/^axllent\/mailpit:v\d+\.\d+\.\d+$/);
    const smtp = new URL(settings.SMTP_URL!);
    expect(`${smtp.protocol}//${smtp.host}`).toBe('smtp://mailpit:1025');
    // SMTP stays inside the network; the UI is for this machine only.
    expect(services.mailpit!.ports).toEqual(['127.0.0.1:8025:8025']);
    expect(services.auth!.depends_on.mailpit).toEqual({ condition: 'service_started' });
    // One process fewer: the auth service's own courier delivers (the chart runs a separate one).
    expect(settings.COURIER_IN_PROCESS).toBe('true');
    expect(settings.MAIL_FROM).toMatch(/^[^<>]+ <[^@\s]+@[^>\s]+>$/);
    expect(new URL(settings.APP_BASE_URL!).origin).toBe('http://localhost:3000');
    expect(services.mailpit).toMatchObject({
      read_only: true,
      cap_drop: ['ALL'],
      security_opt: ['no-new-privileges:true'],
      user: '10001:10001',
    });
  });

  it('When the services connect, then their URLs name the compose services and databases', () => {
    for (const service of SERVICES) {
      for (const name of [service, `${service}-migrate`]) {
        const url = new URL(envOf(name).DATABASE_URL!.replace(/\$\{[^}]+\}/g, 'x'));
        expect(`${url.protocol}//${url.host}`, name).toBe('postgres://postgres:5432');
        expect(url.pathname, name).toBe(service === 'auth' ? '/auth' : '/users');
      }
      expect(new URL(envOf(service).AMQP_URL!.replace(/\$\{[^}]+\}/g, 'x')).host).toBe(
        'rabbitmq:5672',
      );
    }
    expect(services.postgres!.environment.POSTGRES_DB).toBe('auth');
    expect(read('deploy/postgres/initdb/10-user-database.sql')).toContain('CREATE DATABASE users;');
  });

  it("When the gateway starts, then its config is gateway/krakend.json rendered with compose's origins, aimed at compose's services", () => {
    const renderer = services['gateway-config']!;
    expect(renderer.command.slice(0, 4)).toEqual([
      'node',
      '/gateway/render-config.mjs',
      '/gateway/krakend.json',
      '/etc/krakend/krakend.json',
    ]);
    const script = read('gateway/render-config.mjs');
    for (const name of Object.keys(renderer.environment))
      expect(script).toContain(`process.env.${name}`);
    const gateway = JSON.parse(read('gateway/krakend.json')) as Json;
    const hosts = new Set(
      gateway.endpoints.flatMap((e: Json) => e.backend.flatMap((b: Json) => b.host)),
    );
    const composeHosts = [...hosts]
      .map((h) => new URL(h as string))
      .map((u) => `${u.hostname}:${u.port}`);
    for (const host of composeHosts) {
      const [name, port] = host.split(':');
      expect(envOf(name!).PORT, host).toBe(port);
    }
  });

  it('When Prometheus runs, then it scrapes /metrics of both services (on their management port) and the gateway by their compose names', () => {
    expect(services.prometheus!.volumes).toContain(
      './deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
    );
    const config = parse(read('deploy/prometheus/prometheus.yml')) as Json;
    const targets = Object.fromEntries(
      config.scrape_configs.map((job: Json) => [
        job.job_name,
        [job.metrics_path, job.static_configs[0].targets],
      ]),
    );
    for (const name of ['auth', 'user']) expect(envOf(name).MANAGEMENT_PORT, name).toBe('9000');
    expect(targets).toEqual({
      auth: ['/metrics', ['auth:9000']],
      user: ['/metrics', ['user:9000']],
      gateway: ['/metrics', ['gateway:9091']],
    });
  });
});

describe('Tiltfile', () => {
  const tiltfile = read('Tiltfile');
  const values = parse(readFileSync(`${CHART}/values.yaml`, 'utf8')) as Json;

  it('When tilt up runs, then it builds both images from the Dockerfile under the names the chart uses', () => {
    expect(tiltfile).toContain("'auth-user-platform/' + name");
    expect(tiltfile).toContain("dockerfile='Dockerfile'");
    expect(tiltfile).toContain("build_args={'SERVICE': name}");
    expect(tiltfile).toContain("target='dev'");
    expect(values.auth.image.repository).toBe('auth-user-platform/auth');
    expect(values.user.image.repository).toBe('auth-user-platform/user');
    expect(tiltfile).toMatch(/sync\('services\/%s\/src' % name/);
    expect(tiltfile).toContain("run('node node_modules/typescript/bin/tsc -b services/' + name)");
    expect(tiltfile).toMatch(
      /local_resource\(\s*'generate',\s*cmd='npm run generate',\s*deps=\['openapi'/,
    );
  });

  it('When tilt up runs on a host, then the deployment doc names every tool the Tiltfile needs there', () => {
    const doc = read('docs/deployment.md');
    const tilt = doc.slice(
      doc.indexOf('\n## Tilt'),
      doc.indexOf('\n## ', doc.indexOf('\n## Tilt') + 1),
    );
    const prerequisites = tilt.slice(tilt.indexOf('Prerequisites'), tilt.indexOf('tilt up'));
    // What the Tiltfile runs on the host, and what the doc must say for it.
    const needs: [RegExp, RegExp][] = [
      [/\bhelm\(/, /`helm`/], // Tilt's helm() runs the helm binary on PATH
      [/npm run/, /Node(\.js)? 24/], // keygen and generate run on the host's Node
      [/npm run/, /`npm (ci|install)`/], // ... from the repository's node_modules
      [/docker_build\(/, /Docker/], // the images are built on the host
      [/k8s_yaml\(/, /`kubectl`/],
    ];
    for (const [used, named] of needs) {
      expect(tiltfile).toMatch(used);
      expect(prerequisites, String(named)).toMatch(named);
    }
  });

  it('When the chart is deployed by Tilt, then every resource it names exists and the ports are forwarded', () => {
    expect(tiltfile).toContain("values=['charts/auth-user-platform/ci/development-values.yaml'");
    const docs = renderChart({
      release: 'dev',
      values: [DEVELOPMENT_VALUES],
      // The signing keys come from .tilt/secret-values.yaml.
      set: ['fullnameOverride=platform', 'tests.enabled=false', SIGNING_KEYS_VALUE, MFA_KEYS_VALUE],
    });
    const workloads = docs.filter((d) => podSpecOf(d) !== undefined).map((d) => d.metadata.name);
    const named = [...tiltfile.matchAll(/k8s_resource\(\s*'([^']+)'/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((name) => !workloads.includes(name!))).toEqual([]);
    for (const forward of [
      '8080:8080',
      '8000:8000',
      '8001:8001',
      '9000:9000',
      '9001:9000',
      '8002:8002',
      '8025:8025',
    ])
      expect(tiltfile).toContain(`'${forward}'`);
    // The courier and Mailpit run under Tilt as they do in the chart.
    expect(named).toEqual(expect.arrayContaining(['platform-courier', 'platform-mailpit']));
  });
});
