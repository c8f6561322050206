// Prints the gzipped size of every JavaScript chunk at the end of `npm run build`, and
// of what the first screen loads (the entry chunk and everything it imports
// statically), and fails the build when that exceeds the budget. It writes nothing
// into dist/, so the build stays byte-identical wherever it runs.
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

export const FIRST_SCREEN_BUDGET_BYTES = 500 * 1000;

type Chunk = { fileName: string; code: string; isEntry: boolean; imports: string[]; dynamicImports: string[] };

function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

export function sizeReport(): Plugin {
  return {
    name: 'imaging-desk-size-report',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = new Map<string, Chunk>();
      for (const item of Object.values(bundle)) {
        if (item.type === 'chunk') chunks.set(item.fileName, item as unknown as Chunk);
      }
      const gz = new Map<string, number>();
      for (const [name, chunk] of chunks) gz.set(name, gzipSync(chunk.code, { level: 9 }).length);

      const initial = new Set<string>();
      const visit = (name: string) => {
        if (initial.has(name) || !chunks.has(name)) return;
        initial.add(name);
        for (const next of chunks.get(name)!.imports) visit(next);
      };
      for (const chunk of chunks.values()) if (chunk.isEntry) visit(chunk.fileName);

      const firstScreen = [...initial].reduce((sum, name) => sum + (gz.get(name) ?? 0), 0);
      const lines = [...chunks.keys()]
        .sort()
        .map((name) => `  ${initial.has(name) ? 'first screen' : 'lazy        '}  ${kb(gz.get(name)!).padStart(10)}  ${name}`);
      const summary =
        `First screen JavaScript: ${kb(firstScreen)} gzipped ` +
        `(budget ${kb(FIRST_SCREEN_BUDGET_BYTES)}), in ${initial.size} file(s)`;
      console.log(`\nJavaScript sizes, gzipped (level 9):\n${lines.join('\n')}\n${summary}\n`);
      if (firstScreen > FIRST_SCREEN_BUDGET_BYTES) {
        this.error(`${summary}: over the budget. Load the new code lazily (React.lazy) or trim it.`);
      }
    },
  };
}
