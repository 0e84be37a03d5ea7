import type { RulesCompileIssue } from './api.js';

/** Thrown by `compileRules`; `message` shows the first issue as `L3:5: Unexpected '}'.`. */
export class RulesCompileError extends Error {
  readonly issues: RulesCompileIssue[];
  constructor(issues: RulesCompileIssue[]) {
    const first = issues[0];
    super(first ? `L${first.line}:${first.column}: ${first.message}` : 'Invalid rules.');
    this.name = 'RulesCompileError';
    this.issues = issues;
  }
  static at(line: number, column: number, message: string): RulesCompileError {
    return new RulesCompileError([{ line, column, message }]);
  }
}
