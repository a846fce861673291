# The image of one service; the build argument SERVICE (auth or user, required) names it. Build from
# the repository root (the context holds the workspace and openapi/):
#   docker build --build-arg SERVICE=auth -t auth-user-platform/auth .
#   docker build --build-arg SERVICE=user -t auth-user-platform/user .
# With podman (no Docker engine, or none that can pull), scripts/images/build.sh builds both.
# The last stage (runtime) runs the service's `node services/<name>/dist/main.js` as uid 10001 under
# tini, with only /app/data and /tmp writable, the API on PORT and /metrics and the probes on
# MANAGEMENT_PORT (9000); other commands of the images: node
# services/auth/dist/cli/migrate.js and node services/auth/dist/cli/cleanup.js (auth), node
# services/user/dist/cli/migrate.js and node services/user/dist/cli/dlq.js (user).
# The dev stage (used by the Tiltfile) keeps the TypeScript compiler for live updates.
ARG NODE_IMAGE=node:24-bookworm-slim
ARG SERVICE

# ---- base-<name>: Node.js and the service's port. A Dockerfile has no conditionals, and ENV and EXPOSE
# can only copy a variable; a stage per service, picked by `FROM base-${SERVICE}`, is how the service's
# name selects its port (a deployment test holds it to the service's own default).
FROM ${NODE_IMAGE} AS base-auth
ENV PORT=8000

FROM ${NODE_IMAGE} AS base-user
ENV PORT=8001

# ---- deps: every dependency of the workspace and the service; argon2 (auth) and better-sqlite3 are
# compiled here
FROM base-${SERVICE} AS deps
ARG SERVICE
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# node-gyp builds against the headers of the image's Node (in /usr/local/include/node), not ones it
# would download.
ENV npm_config_update_notifier=false npm_config_nodedir=/usr/local
# Manifests first, so this layer is rebuilt only when they change. Every workspace's manifest, because
# the lockfile names them all.
COPY package.json package-lock.json .npmrc tsconfig.base.json ./
COPY services/common/package.json services/common/
COPY services/auth/package.json services/auth/
COPY services/user/package.json services/user/
COPY services/embedded/package.json services/embedded/
COPY client/package.json client/
# NPM_CA_FILE: a CA bundle for reaching the registry through a TLS-inspecting proxy, mounted for the
# build (scripts/images/build.sh passes the host's); read by this step only, and not kept in the image.
ARG NPM_CA_FILE
RUN if [ -n "${NPM_CA_FILE}" ]; then export NODE_EXTRA_CA_CERTS="${NPM_CA_FILE}"; fi \
  && npm ci --workspace=@platform/common --workspace=@platform/${SERVICE} --include-workspace-root \
  --omit=peer --no-audit --no-fund
COPY openapi/ openapi/
COPY services/common/ services/common/
COPY services/${SERVICE}/ services/${SERVICE}/
RUN npx tsc -b services/${SERVICE}

# ---- dev: sources, compiler and compiled service, writable by the service's user; `node --watch`
# restarts the service when a live update recompiles it
FROM deps AS dev
ARG SERVICE
# main.js: see the runtime stage.
RUN groupadd --gid 10001 app \
  && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app \
  && mkdir -p /app/data \
  && chown -R 10001:10001 /app/openapi /app/services /app/data \
  && ln -s "services/${SERVICE}/dist/main.js" /app/main.js
ENV NODE_ENV=production HOST=0.0.0.0 DATA_DIR=/app/data
USER 10001:10001
EXPOSE ${PORT}
CMD ["node", "--watch", "main.js"]

# ---- build: production dependencies only, the native modules the service loads checked, and the
# runtime tree in /out, without what the service never loads (slim-runtime.mjs says what and why)
FROM deps AS build
ARG SERVICE
COPY scripts/images/slim-runtime.mjs /tmp/
# argon2 is checked where the service's manifest depends on it (auth), better-sqlite3 everywhere (common).
RUN npm prune --omit=dev --omit=peer --workspace=@platform/common --workspace=@platform/${SERVICE} \
  --include-workspace-root --no-audit --no-fund \
  && node --input-type=module -e "const { default: Db } = await import('better-sqlite3'); new Db(':memory:').close(); const { readFileSync } = await import('node:fs'); const { dependencies } = JSON.parse(readFileSync('services/${SERVICE}/package.json', 'utf8')); if ('argon2' in dependencies) await import('argon2');"
RUN mkdir -p /out/services \
  && cp -a package.json node_modules openapi /out/ \
  && for ws in common ${SERVICE}; do \
       mkdir -p /out/services/$ws \
       && cp -a services/$ws/package.json services/$ws/dist /out/services/$ws/ \
       && if [ -d services/$ws/node_modules ]; then cp -a services/$ws/node_modules /out/services/$ws/; fi; \
     done \
  && find /out/services -name '*.tsbuildinfo' -delete \
  && ln -s "services/${SERVICE}/dist/main.js" /out/main.js \
  && node /tmp/slim-runtime.mjs /out

# ---- runtime: Node.js, tini and the compiled service; no compiler, no package managers
FROM base-${SERVICE} AS runtime
ARG SERVICE
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/* \
  && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
     /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg \
  && groupadd --gid 10001 app \
  && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=build /out/ /app/
RUN mkdir -p /app/data && chown 10001:10001 /app/data && chmod 0700 /app/data
# Heap and malloc settings for a small, steady RSS (bench/lib/runtime-env.mjs says why). PORT comes
# from base-<name>; MANAGEMENT_PORT takes /metrics off it (the chart and compose scrape 9000).
ENV NODE_ENV=production \
  HOST=0.0.0.0 \
  MANAGEMENT_PORT=9000 \
  DATA_DIR=/app/data \
  NODE_OPTIONS="--max-semi-space-size=4 --max-old-space-size=128" \
  MALLOC_ARENA_MAX=2 \
  MALLOC_MMAP_THRESHOLD_=4194304 \
  GLIBC_TUNABLES="glibc.malloc.hugetlb=1"
LABEL org.opencontainers.image.title="auth-user-platform ${SERVICE} service" \
  org.opencontainers.image.licenses="MIT"
USER 10001:10001
EXPOSE ${PORT} ${MANAGEMENT_PORT}
# On the management port when there is one (set empty, everything is on PORT).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.MANAGEMENT_PORT || process.env.PORT) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# main.js links to services/<name>/dist/main.js. An exec-form CMD expands no variable, and a shell-form
# one would put sh between tini and node; a fixed path is one CMD for both services. Node loads the
# module from the link's target, so its imports and import.meta.url are those of the service's dist/.
CMD ["node", "main.js"]
