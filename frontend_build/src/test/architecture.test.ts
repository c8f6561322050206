// bulletproof-react's rule: a feature never imports another feature; what two
// features share lives in src/lib/ or src/components/. Also: lib/ and components/
// import no feature, and only lib/api.ts calls fetch.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;

/** The file's imports, resolved to paths under src/ (packages left out). */
export function importsOf(file: string, text = readFileSync(file, 'utf8')): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2] ?? match[3];
    if (spec.startsWith('@/')) out.push(join(SRC, spec.slice(2)));
    else if (spec.startsWith('.')) out.push(resolve(dirname(file), spec));
  }
  return out;
}

function featureOf(path: string): string | null {
  const parts = relative(SRC, path).split(sep);
  return parts[0] === 'features' && parts.length > 1 ? parts[1] : null;
}

function area(path: string): string {
  return relative(SRC, path).split(sep)[0];
}

describe('the layout', () => {
  const files = sourceFiles(SRC).filter((file) => !file.includes(`${sep}test${sep}`));

  it('has features that import no other feature', () => {
    const violations = files.flatMap((file) => {
      const own = featureOf(file);
      if (!own) return [];
      return importsOf(file)
        .filter((target) => featureOf(target) !== null && featureOf(target) !== own)
        .map((target) => `${relative(SRC, file)} imports ${relative(SRC, target)}`);
    });
    expect(violations).toEqual([]);
  });

  it('keeps lib/ and components/ free of features', () => {
    const violations = files
      .filter((file) => ['lib', 'components', 'locales'].includes(area(file)))
      .flatMap((file) =>
        importsOf(file)
          .filter((target) => featureOf(target) !== null || area(target) === 'app')
          .map((target) => `${relative(SRC, file)} imports ${relative(SRC, target)}`),
      );
    expect(violations).toEqual([]);
  });

  it('calls fetch only in the one API client', () => {
    const callers = files.filter((file) => /\bfetch\(/.test(readFileSync(file, 'utf8'))).map((file) => relative(SRC, file));
    expect(callers).toEqual([join('lib', 'api.ts')]);
  });

  it('notices a cross-feature import (the rule itself works)', () => {
    const file = join(SRC, 'features', 'reports', 'components', 'X.tsx');
    const targets = importsOf(file, "import { StudiesPage } from '@/features/studies';\nimport { a } from '../../studies/api/studies';");
    expect(targets.map(featureOf)).toEqual(['studies', 'studies']);
  });
});
