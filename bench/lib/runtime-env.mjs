// The runtime settings of the service images (services/*/Dockerfile sets the same; a deployment test
// checks it), so the benchmark measures the services as they run in production:
// - V8's young generation at 4 MiB per semi-space and the old generation at 128 MiB: the services
//   keep little state, and a smaller heap is collected sooner instead of growing under load;
// - two malloc arenas: argon2 hashes on four libuv threads, and with an arena per thread each keeps
//   its 19 MiB blocks after they are freed.
export const RUNTIME_ENV = {
  NODE_OPTIONS: '--max-semi-space-size=4 --max-old-space-size=128',
  MALLOC_ARENA_MAX: '2',
};
