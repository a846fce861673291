// Init containers of the chart: wait until a service's database answers ("database"), or until its
// schema has every migration of the image applied ("schema"), then exit 0. Run from the service's own
// image as `node --input-type=module -e <this file> <mode> <data source module> <its factory>
// [interval ms]`, with DATABASE_URL and DATABASE_TIMEOUT_MS. It only reads: the migration Job alone
// changes the schema, so the services wait for it instead of restarting into a crash-loop backoff.
const [mode, modulePath, factoryName, interval] = process.argv.slice(1);
const intervalMs = Number(interval ?? 2000);
const url = process.env.DATABASE_URL;
const timeoutMs = Number(process.env.DATABASE_TIMEOUT_MS ?? 5000);
if (!['database', 'schema'].includes(mode) || !modulePath || !factoryName || !url) {
  console.error(
    'usage: <database|schema> <data source module> <factory> [interval ms]; DATABASE_URL',
  );
  process.exit(2);
}
const factory = (await import(modulePath))[factoryName];

/** The names of the image's migrations the database has not recorded. */
async function pendingMigrations(dataSource) {
  const all = dataSource.migrations.map((m) => m.name || m.constructor.name);
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  const runner = dataSource.createQueryRunner();
  try {
    if (!(await runner.hasTable(table))) return all;
    const done = new Set((await runner.query(`SELECT name FROM "${table}"`)).map((r) => r.name));
    return all.filter((name) => !done.has(name));
  } finally {
    await runner.release();
  }
}

let reported;
for (;;) {
  const dataSource = factory(url, { poolSize: 1, timeoutMs });
  let waitingFor;
  try {
    await dataSource.initialize();
    if (mode === 'schema') {
      const pending = await pendingMigrations(dataSource);
      if (pending.length > 0) waitingFor = `the migrations ${pending.join(', ')}`;
    }
  } catch (err) {
    waitingFor = `the database (${err instanceof Error ? err.message : err})`;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => {});
  }
  if (!waitingFor) {
    console.log(mode === 'schema' ? 'the schema is up to date' : 'the database answers');
    process.exit(0);
  }
  if (waitingFor !== reported) console.log(`waiting for ${waitingFor}`);
  reported = waitingFor;
  await new Promise((resolve) => setTimeout(resolve, intervalMs));
}
