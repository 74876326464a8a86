import type { TestProject } from 'vitest/node';
import { startTestDatabase } from './test-database.js';

/** One database server for the whole run; each test file uses databases of its own on it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const database = await startTestDatabase();
  console.log(`Test database: ${database.description}`);
  project.provide('mongodbUri', database.uri);
  project.provide('mongodbDescription', database.description);
  return () => database.stop();
}
