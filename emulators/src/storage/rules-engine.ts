/** The rules compiler the emulator uses by default: the shared engine in emulators/src/rules. */
import { compileRules } from '../rules/index.js';
import type { RulesCompiler } from './rules-gate.js';

export const defaultRulesCompiler: RulesCompiler = compileRules;
