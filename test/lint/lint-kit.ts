/** Lint one real file of the project as if `extra` were appended to it (the file on disk is not touched). */
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/** `ruleId: message` of every problem ESLint finds in `file` (relative to the root) with `extra` appended. */
export async function lintWith(file: string, extra: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const absolute = path.join(root, file);
  const [result] = await eslint.lintText(`${readFileSync(absolute, 'utf8')}\n${extra}\n`, { filePath: absolute });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}
