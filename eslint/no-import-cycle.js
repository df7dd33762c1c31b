import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { coreModuleOf, importGraph, resolveRelative } from './import-graph.js';

/** The repository root: this file's folder's parent, whatever directory ESLint runs from. */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Reports an import whose target can reach the importing file again (type-only imports count), and an import
 * from one core module into another when the two modules depend on each other through any of their files.
 */
export const noImportCycle = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Forbid import cycles between files and between core modules, type-only ones included.',
    },
    schema: [],
    messages: {
      file: 'Import cycle: {{target}} leads back to this file (type-only imports included).',
      module:
        'Module cycle: {{from}} and {{to}} depend on each other; move the shared piece into a lower module.',
    },
  },
  create(context) {
    const file = context.physicalFilename;
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) return {};
    const { fileCycle, moduleCycle } = importGraph(root);
    const check = (node) => {
      const specifier = node.source?.value;
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
      const target = resolveRelative(file, specifier);
      if (!target) return;
      if (fileCycle.has(file) && fileCycle.get(file) === fileCycle.get(target)) {
        context.report({
          node: node.source,
          messageId: 'file',
          data: { target: path.relative(root, target) },
        });
        return;
      }
      const from = coreModuleOf(root, file);
      const to = coreModuleOf(root, target);
      if (
        from &&
        to &&
        from !== to &&
        moduleCycle.has(from) &&
        moduleCycle.get(from) === moduleCycle.get(to)
      ) {
        context.report({ node: node.source, messageId: 'module', data: { from, to } });
      }
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};
