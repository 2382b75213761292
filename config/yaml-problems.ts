import type { YAMLError } from 'yaml'
import type { ConfigProblem } from '../base/errors.js'

const FIX = 'fix the YAML syntax (indentation, a missing colon or quote)'

/**
 * A line indented deeper than the key above it makes the yaml parser read it as the continuation
 * of that key's value, and it reports the error at the value on the line *above* (codes
 * MULTILINE_IMPLICIT_KEY and BLOCK_AS_IMPLICIT_KEY, both at the same offset). The line to fix is
 * where that multi-line key ends: the MULTILINE_IMPLICIT_KEY error's end position.
 */
function overIndented(errors: readonly YAMLError[], text: string): Map<number, ConfigProblem> {
  const byStart = new Map<number, ConfigProblem>()
  for (const e of errors) {
    if (e.code !== 'MULTILINE_IMPLICIT_KEY' || !e.linePos?.[1]) continue
    const line = e.linePos[1].line
    const lineText = text.split(/\r?\n/)[line - 1] ?? ''
    const col = lineText.length - lineText.trimStart().length + 1
    byStart.set(e.pos[0], {
      path: `line ${line}, column ${col}`,
      message: `this line is indented deeper than the line above it (line ${e.linePos[0].line})`,
      fix: 'indent it like the other keys of its mapping; a value on the next line goes after a key that has nothing after its colon',
    })
  }
  return byStart
}

/** Every YAML syntax error, at the line and column to fix, without the parser's repeated position. */
export function yamlProblems(errors: readonly YAMLError[], text: string): ConfigProblem[] {
  const indent = overIndented(errors, text)
  const out: ConfigProblem[] = [...indent.values()]
  for (const e of errors) {
    if (indent.has(e.pos[0]) && (e.code === 'MULTILINE_IMPLICIT_KEY' || e.code === 'BLOCK_AS_IMPLICIT_KEY')) continue
    // prettyErrors appends " at line L, column C:" and a snippet; the path already says where.
    const message = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '')
    out.push({ path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(yaml)', message, fix: FIX })
  }
  return out
}
