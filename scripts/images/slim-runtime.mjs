#!/usr/bin/env node
// Deletes from an image's runtime tree (the build stage's /out: package.json, node_modules, services/)
// what the service can never load, and prints what it took out. Run by the Dockerfile after the
// production dependencies are pruned and the native modules checked; the image tests run the result.
//   node slim-runtime.mjs /out
// Each rule deletes only what Node cannot reach:
// - the docs packages (swagger-ui-dist, redoc) are read only for the files the docs pages serve
//   (DOCS_PACKAGE_FILES in services/common/src/http/docs-assets.ts) and their package.json, so the
//   rest of them goes, and so do their dependencies, which nothing else depends on;
// - a package that no package the service can load declares as a dependency (dangling workspace
//   links, the docs packages' dependencies) cannot be imported;
// - a native module keeps the one addon its loader picked here and its JavaScript: better-sqlite3
//   and argon2 carry prebuilds for other systems, the C/C++ sources and node-gyp's build folder;
// - TypeORM's browser build (the "node" export condition never resolves into browser/);
// - node-addon-api: C++ headers for compiling addons, which nothing requires at run time;
// - TypeScript sources and declarations, source maps (NODE_OPTIONS has no --enable-source-maps, and
//   Node does not strip types under node_modules) and Markdown files of the packages.
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = realpathSync(path.resolve(process.argv[2] ?? '.'));
const require = createRequire(path.join(root, 'package.json'));
const modules = path.join(root, 'node_modules');
/** Packages with a run-time use of no file at all. */
const BUILD_ONLY = new Set(['node-addon-api']);
/** Kept in every package that is kept, whatever the rules say. */
const LEGAL = /^(licen[cs]e|copying|notice|authors)([.-].*)?$/i;
const NATIVE_SOURCES = /\.(c|cc|cpp|cxx|h|hh|hpp|gyp|gypi|mk|o|a|stamp|patch)$|^Makefile$/;
/** A native module's build folders: node-gyp's output and (better-sqlite3) the SQLite sources. */
const NATIVE_BUILD_DIRS = ['build', 'deps'];
const DEAD_FILES = /\.([cm]?ts|([cm]?js|css|[cm]?ts)\.map|md|markdown)$/;

const before = sizeOf(modules);
const removed = new Map();
const remove = (rule, target) => {
  removed.set(rule, (removed.get(rule) ?? 0) + sizeOf(target));
  rmSync(target, { recursive: true, force: true });
};

// The native addons the service loads, before anything is deleted.
const addons = await loadedAddons();

const { DOCS_PACKAGE_FILES } = await import(
  pathToFileURL(path.join(root, 'services/common/dist/http/docs-assets.js')).href
);
const docsPackages = new Map(
  Object.entries(DOCS_PACKAGE_FILES).map(([name, files]) => [
    packageDir(name, root),
    new Set(['package.json', ...Object.keys(files)]),
  ]),
);

// Every package reachable from the workspace's manifests through dependencies (the docs packages'
// own dependencies excepted, since none of their code runs).
const reachable = new Set();
const queue = [
  root,
  ...readdirSync(path.join(root, 'services')).map((ws) => path.join(root, 'services', ws)),
];
while (queue.length > 0) {
  const dir = queue.pop();
  if (reachable.has(dir)) continue;
  reachable.add(dir);
  if (docsPackages.has(dir)) continue;
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const name of Object.keys({
    ...manifest.dependencies,
    ...manifest.optionalDependencies,
    ...manifest.peerDependencies,
  })) {
    const found = packageDir(name, dir);
    if (found !== undefined && !BUILD_ONLY.has(name)) queue.push(found);
  }
}

const browser = path.join(modules, 'typeorm', 'browser');
if (existsSync(browser)) remove("TypeORM's browser build", browser);
const packages = [...packageDirs(root)];
for (const dir of packages) {
  if (!existsSync(dir) || !reachable.has(realpathSync(dir))) {
    remove('packages nothing loads', dir);
    continue;
  }
  const real = realpathSync(dir);
  if (real !== dir) continue; // a workspace link; its target is the workspace, not a package
  const keep = docsPackages.get(dir);
  if (keep !== undefined) {
    for (const file of filesOf(dir)) {
      const relative = path.relative(dir, file);
      if (!keep.has(relative) && !LEGAL.test(path.basename(file))) remove('docs packages', file);
    }
    continue;
  }
  const addon = addons.find((file) => file.startsWith(`${dir}${path.sep}`));
  for (const file of filesOf(dir)) {
    const base = path.basename(file);
    if (LEGAL.test(base) || file.startsWith(path.join(dir, 'node_modules') + path.sep)) continue;
    const buildDir = NATIVE_BUILD_DIRS.some((d) => file.startsWith(path.join(dir, d) + path.sep));
    if (
      addon !== undefined &&
      file !== addon &&
      (base.endsWith('.node') || NATIVE_SOURCES.test(base) || buildDir)
    )
      remove('native modules: other prebuilds, sources, build files', file);
    else if (DEAD_FILES.test(base)) remove('TypeScript, source maps, Markdown', file);
  }
}
for (const dir of packages.reverse()) removeEmptyDirs(dir);
rmSync(path.join(modules, '.bin'), { recursive: true, force: true });
rmSync(path.join(modules, '.package-lock.json'), { force: true });

const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
for (const [rule, bytes] of removed) console.log(`slim-runtime: ${rule}: ${mb(bytes)}`);
console.log(`slim-runtime: node_modules ${mb(before)} -> ${mb(sizeOf(modules))}`);

/** Loads the service's native modules and returns the addon files Node loaded for them. */
async function loadedAddons() {
  const { default: Database } = await import(pathToFileURL(require.resolve('better-sqlite3')).href);
  new Database(':memory:').close();
  const manifests = readdirSync(path.join(root, 'services')).map((ws) =>
    JSON.parse(readFileSync(path.join(root, 'services', ws, 'package.json'), 'utf8')),
  );
  if (manifests.some((m) => 'argon2' in (m.dependencies ?? {}))) {
    const argon2 = createRequire(path.join(root, 'services/auth/package.json')).resolve('argon2');
    await import(pathToFileURL(argon2).href);
  }
  return Object.keys(createRequire(import.meta.url).cache).filter((file) => file.endsWith('.node'));
}

/** Where Node finds package `name` from a module in `from` (the nearest node_modules up). */
function packageDir(name, from) {
  for (let dir = from; dir.startsWith(root); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dir === root) break;
  }
  return undefined;
}

/** Every package folder (or link) in the node_modules folders of the tree, nested ones included. */
function* packageDirs(dir) {
  for (const base of [
    dir,
    ...readdirSync(path.join(dir, 'services')).map((ws) => path.join(dir, 'services', ws)),
  ]) {
    yield* packagesIn(path.join(base, 'node_modules'));
  }
}

function* packagesIn(nodeModules) {
  if (!existsSync(nodeModules)) return;
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue;
    const full = path.join(nodeModules, entry);
    if (entry.startsWith('@')) {
      for (const scoped of readdirSync(full)) yield* packageAndNested(path.join(full, scoped));
    } else {
      yield* packageAndNested(full);
    }
  }
}

function* packageAndNested(dir) {
  yield dir;
  if (!lstatSync(dir).isSymbolicLink()) yield* packagesIn(path.join(dir, 'node_modules'));
}

/** The files under `dir` (links not followed). */
function filesOf(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

function removeEmptyDirs(dir) {
  if (!existsSync(dir) || lstatSync(dir).isSymbolicLink()) return;
  for (const entry of readdirSync(dir, { withFileTypes: true }))
    if (entry.isDirectory()) removeEmptyDirs(path.join(dir, entry.name));
  if (readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
}

function sizeOf(target) {
  if (!existsSync(target)) return 0;
  const stat = lstatSync(target);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(target, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + lstatSync(path.join(entry.parentPath, entry.name)).size, 0);
}
