import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initializeTestEnvironment, type RulesTestEnvironment } from '@firebase/rules-unit-testing';
import { localPorts, projectId, ROOT } from '../../scripts/lib/project.js';

/** A rules-unit-testing environment loaded with this repository's firestore.rules and storage.rules. */
export function projectRulesTestEnvironment(): Promise<RulesTestEnvironment> {
  const ports = localPorts();
  const service = (file: string, port: number) => ({
    rules: readFileSync(join(ROOT, file), 'utf8'),
    host: ports.host,
    port,
  });
  return initializeTestEnvironment({
    projectId: projectId(),
    firestore: service('firestore.rules', ports.firestore),
    storage: service('storage.rules', ports.storage),
  });
}
