// The runtime settings of the service images (the Dockerfile sets the same; a deployment test
// checks it), so the benchmark measures the services as they run in production:
// - V8's young generation at 4 MiB per semi-space and the old generation at 128 MiB: the services
//   keep little state, and a smaller heap is collected sooner instead of growing under load;
// - malloc: two arenas, and every block of 4 MiB or more mapped on its own and unmapped when freed.
//   argon2 allocates ARGON2_MEMORY_KIB (19 MiB) per hash; by default glibc raises its mapping threshold
//   after the first such block is freed and from then on keeps the blocks in its arenas, 40-60 MB that
//   stay resident once a few logins have run. Mapping each block afresh costs page faults, which
//   transparent huge pages (glibc.malloc.hugetlb=1: malloc asks for them with madvise; the kernel's
//   setting must be `madvise` or `always`) bring down to a few per hash: measured on two cores, 105
//   verifies/s with or without these settings, 52 instead of 88 MB RSS (bench/README.md).
export const RUNTIME_ENV = {
  NODE_OPTIONS: '--max-semi-space-size=4 --max-old-space-size=128',
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '4194304',
  GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1',
};
