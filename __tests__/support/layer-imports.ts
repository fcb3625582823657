/**
 * What each source file imports, read with TypeScript's own pre-processor
 * (static imports, re-exports, `import()` and `require()`), and the layer
 * rules of ../shared/STYLE.md (16) checked against it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

import { PROJECT_ROOT } from "./project-root";

export const ROOT = PROJECT_ROOT;

/** Every module a file names, as written. */
export function importsOf(text: string): string[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.map((file) => file.fileName);
}

/** Every .ts file below a folder of the project, relative to the project. */
export function sourceFiles(folder: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const relative = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith(".ts")) found.push(relative);
    }
  };
  walk(folder);
  return found.sort();
}

export interface LayerRule {
  /** Packages the layer may not load (a subpath such as `cdktf/lib/x` counts). */
  readonly forbiddenPackages: readonly string[];
  /** Project folders (or files) the layer may not import from. */
  readonly forbiddenFolders: readonly string[];
  /** Project files inside a forbidden folder that the layer may import nonetheless (tested against the path relative to the project). */
  readonly allowedFiles?: readonly RegExp[];
}

/** The imports of `file` (relative to the project) that break the rule, as `file -> import`. */
export function violations(file: string, text: string, rule: LayerRule): string[] {
  return importsOf(text)
    .filter((spec) => {
      if (spec.startsWith(".")) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
        if (rule.allowedFiles?.some((allowed) => allowed.test(target))) return false;
        return rule.forbiddenFolders.some((folder) => target === folder || target.startsWith(`${folder}/`));
      }
      return rule.forbiddenPackages.some((name) => spec === name || spec.startsWith(`${name}/`));
    })
    .map((spec) => `${file} -> ${spec}`);
}
