/** Firebase Security Rules engine: one engine for firestore.rules and storage.rules. */
import { RulesCompileError } from './errors.js';
import { parseRules } from './parser.js';
import { type CompiledRuleset, Ruleset } from './ruleset.js';

export * from './api.js';
export { RulesCompileError } from './errors.js';
export type { CompiledRuleset } from './ruleset.js';

/** Parses and checks a rules file; throws RulesCompileError with line:column issues. */
export function compileRules(source: string): CompiledRuleset {
  try {
    return new Ruleset(parseRules(source));
  } catch (e) {
    if (e instanceof RulesCompileError) throw e;
    // Pathologically deep nesting exhausts the parser's stack; refuse it like any bad input.
    if (e instanceof RangeError) throw RulesCompileError.at(1, 1, 'Rules are too deeply nested.');
    throw e;
  }
}
