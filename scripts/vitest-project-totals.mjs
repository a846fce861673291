// A vitest reporter for scripts/test.mjs: the totals of each project (embedded, infra), written as
// JSON to the file given as `outputFile`, and why a project was left out when vitest.config.ts left
// one out (it sets VITEST_SKIPPED_PROJECTS).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export default class ProjectTotals {
  constructor(options = {}) {
    this.outputFile = options.outputFile ?? 'test-results/projects.json';
  }

  onInit(vitest) {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules) {
    const projects = {};
    const entry = (name) => (projects[name] ??= { files: 0, passed: 0, failed: 0, skipped: 0 });
    for (const project of this.vitest.projects) entry(project.name);
    for (const module of testModules) {
      const totals = entry(module.project.name);
      totals.files++;
      let failedTests = 0;
      for (const test of module.children.allTests()) {
        const { state } = test.result();
        if (state === 'passed') totals.passed++;
        else if (state === 'failed') failedTests++;
        else totals.skipped++;
      }
      // A file that failed outside its tests (an import, a hook) counts as one failure.
      totals.failed += failedTests || (module.state() === 'failed' ? 1 : 0);
    }
    const skipped = JSON.parse(process.env.VITEST_SKIPPED_PROJECTS ?? '{}');
    const file = path.resolve(this.vitest.config.root, this.outputFile);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ projects, skipped }, null, 2));
  }
}
