import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { startTestDatabase } from './test-database.js';

/**
 * Once per run: compile the service (tests that run it as `npm start` does need dist/,
 * and building it in parallel test files would race), and start one database server;
 * each test file uses databases of its own on it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // `npm run build` itself, so the tests run the build an image holds (assets included).
  execFileSync('npm', ['run', '--silent', 'build'], {
    cwd: new URL('../../', import.meta.url),
    stdio: 'inherit',
  });
  const database = await startTestDatabase();
  console.log(`Test database: ${database.description}`);
  project.provide('mongodbUri', database.uri);
  return () => database.stop();
}
