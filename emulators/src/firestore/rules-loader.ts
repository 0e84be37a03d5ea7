/**
 * The Security Rules compiler of this package (emulators/src/rules), behind the emulator's own
 * `RulesCompiler` interface so tests can substitute it. Imported lazily: the engine takes tens of
 * milliseconds to load, which start-up overlaps with opening the port.
 */
import type { RulesCompiler } from './rules-gate.js';

export async function loadRulesCompiler(): Promise<RulesCompiler> {
  const { compileRules } = await import('../rules/index.js');
  return compileRules;
}
