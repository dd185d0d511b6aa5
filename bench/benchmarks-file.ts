/**
 * BENCHMARKS.md is shared by the benches: each one replaces its own sections (a `## `
 * heading and what follows it, up to the next one) and keeps every other bench's. The
 * CDR bench also writes the preamble (title and machine); the others keep it.
 */
import fs from 'node:fs';
import path from 'node:path';

interface Parsed {
  preamble: string;
  sections: { heading: string; body: string }[];
}

function parse(text: string): Parsed {
  const [preamble, ...rest] = text.split(/^(?=## )/m);
  const sections = rest.map((s) => {
    const end = s.indexOf('\n');
    return { heading: end < 0 ? s : s.slice(0, end), body: s };
  });
  // A text that starts with a section has no preamble of its own.
  if (preamble.startsWith('## ')) return { preamble: '', sections: [{ heading: preamble.split('\n')[0], body: preamble }, ...sections] };
  return { preamble, sections };
}

/** Writes `text`'s sections into BENCHMARKS.md in place of the same headings, keeping the rest. */
export function writeBenchmarkSections(text: string, file = path.resolve('BENCHMARKS.md')): void {
  const existing = parse(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n\n');
  const incoming = parse(text);
  const byHeading = new Map(incoming.sections.map((s) => [s.heading.trim(), s.body]));
  const out = existing.sections.map((s) => {
    const replaced = byHeading.get(s.heading.trim());
    byHeading.delete(s.heading.trim());
    return replaced ?? s.body;
  });
  const parts = [incoming.preamble.trim() ? incoming.preamble : existing.preamble, ...out, ...byHeading.values()];
  fs.writeFileSync(file, parts.map((p) => p.trimEnd()).join('\n\n') + '\n');
}
