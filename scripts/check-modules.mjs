// The module graph, checked (npm test runs it): every import between the top-level folders of src/ (type
// imports and dynamic imports included; specs left out, they may reach anywhere) goes down the layers
// declared below, or sideways within a layer without closing a loop. Issue 17 found 14 of 19 folders in one
// loop, made by four imports that each looked harmless (config importing the renderer, common importing
// api-keys...); this keeps the next one from landing unnoticed.
// Usage: npm run check:modules [-- --graph] [-- --src DIR]
//   --graph  print every folder's imports and stop; --src  check another tree (the check's own test)
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ts from 'typescript';

/**
 * Bottom first. A folder may import its own layer (without a cycle) and those below, never one above.
 * Files directly in src/ are nodes of their own, named without `.ts`.
 */
const LAYERS = [
  // Plumbing: knows no feature.
  ['paths', 'logging', 'config', 'common', 'metrics'],
  // Infrastructure: tables, queues, encryption.
  ['database', 'crypto', 'queue'],
  // What every feature records through or is called with: the audit log, API keys (and the auth guard).
  ['audit', 'api-keys'],
  // The domain: incidents, the directory, the law, scoping, what a notice says and the channels it goes by.
  ['incidents', 'subjects', 'jurisdictions', 'scoping', 'templates', 'channels'],
  // What sends, hears back and reports, over all of the above; nothing below may import them.
  // public-notices: the public Security Notice; notice-pages: each person's page behind a notice's link.
  ['notifications', 'webhooks', 'reports', 'health', 'public-notices', 'notice-pages'],
  // The composition root.
  ['app.module', 'bootstrap', 'cli', 'main'],
];

/**
 * Edges that break the rules today and are being removed by work in flight, each with why it may stay
 * meanwhile. An entry whose edge is gone fails the check, so the list is emptied as the work lands.
 */
const ALLOWED = [];

const { values: options } = parseArgs({
  options: { graph: { type: 'boolean', default: false }, src: { type: 'string' } },
});
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = resolve(options.src ?? join(root, 'src'));

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'migrations') yield* files(path);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) yield path;
  }
}

/** The node a file of src/ belongs to: its top-level folder, or its own name for a file in src/. */
function nodeOf(file) {
  const parts = relative(src, file).split(sep);
  return parts.length === 1 ? parts[0].replace(/\.ts$/, '') : parts[0];
}

/** Edges between nodes, each with the imports that make it: from -> to -> [file, imported file][]. */
function collectEdges() {
  const edges = new Map();
  for (const file of files(src)) {
    const from = nodeOf(file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolve(dirname(file), fileName.replace(/\.js$/, '.ts'));
      if (!target.startsWith(src + sep)) continue;
      const to = nodeOf(target);
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      const byTarget = edges.get(from);
      if (!byTarget.has(to)) byTarget.set(to, []);
      byTarget.get(to).push([relative(root, file), relative(root, target)]);
    }
  }
  return edges;
}

/** Strongly connected components of more than one node (Tarjan): each holds at least one cycle. */
function components(nodes, next) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const found = [];
  const visit = (v) => {
    index.set(v, index.size);
    low.set(v, index.get(v));
    stack.push(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = stack.splice(stack.indexOf(v));
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return found;
}

/** One shortest cycle through the component's first node (breadth-first, inside the component). */
function shortestCycle(component, next) {
  const members = new Set(component);
  const start = component[0];
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of next(v).filter((n) => members.has(n))) {
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0]));
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

const edges = collectEdges();
if (options.graph) {
  for (const [from, byTarget] of [...edges].sort())
    console.log(`${from} -> ${[...byTarget.keys()].sort().join(', ')}`);
  process.exit(0);
}

const describe = (from, to) =>
  `  ${from} -> ${to}\n` +
  edges
    .get(from)
    .get(to)
    .map(([file, target]) => `      ${file} imports ${target}\n`)
    .join('');
const layerOf = new Map(LAYERS.flatMap((names, i) => names.map((name) => [name, i])));
const problems = [];

const allowed = new Set();
for (const { from, to, reason } of ALLOWED) {
  if (!edges.get(from)?.has(to))
    problems.push(`allowed edge ${from} -> ${to} is gone (${reason}): remove it from ALLOWED\n`);
  allowed.add(`${from} ${to}`);
}
const next = (v) => [...(edges.get(v)?.keys() ?? [])].filter((w) => !allowed.has(`${v} ${w}`));

const nodes = [...new Set([...edges.keys(), ...[...edges.values()].flatMap((t) => [...t.keys()])])].sort();
for (const node of nodes)
  if (!layerOf.has(node))
    problems.push(`${node} is in no layer: add it to LAYERS in scripts/check-modules.mjs\n`);

for (const from of nodes)
  for (const to of next(from).sort()) {
    if (!layerOf.has(from) || !layerOf.has(to) || layerOf.get(to) <= layerOf.get(from)) continue;
    problems.push(
      `${from} (layer ${layerOf.get(from)}) imports ${to} (layer ${layerOf.get(to)}), a layer above it:\n` +
        describe(from, to),
    );
  }

for (const component of components(nodes, next)) {
  const cycle = shortestCycle(component, next);
  const steps = cycle.slice(1).map((to, i) => describe(cycle[i], to));
  problems.push(
    `import cycle between ${component.join(', ')}; one loop: ${cycle.join(' -> ')}\n${steps.join('')}`,
  );
}

if (problems.length > 0) {
  console.error(
    `Module graph (scripts/check-modules.mjs): ${problems.length} problem(s). A folder imports its own ` +
      `layer without a cycle, or those below it; the layers are LAYERS in the script.\n`,
  );
  for (const problem of problems) console.error(problem);
  process.exit(1);
}
const count = nodes.reduce((sum, v) => sum + next(v).length, 0);
console.log(
  `Module graph: ${nodes.length} folders and files of src/, ${count} edges between them, every one down ` +
    `or sideways, no cycle` +
    (ALLOWED.length > 0 ? ` (${ALLOWED.length} edge(s) allowed meanwhile, see ALLOWED)` : ''),
);
