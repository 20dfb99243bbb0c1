// @ts-check
/**
 * Architecture rules of the SAS platform (modular monolith), enforced by dependency-cruiser.
 *
 * Run: `npm run lint:arch` (CLI) — and `tests/architecture/architecture.unit.test.ts` runs the very same rule set
 * against `src` and against one fixture tree per rule, so every rule is proven to bite.
 *
 * Every path pattern is written *relative to a `src` root* — `^(src|.*?/src)/…` — so that a rule matches both the
 * real tree (`src/modules/…`) and the fixture trees (`tests/architecture/fixtures/<rule>/src/modules/…`).
 * Rules that speak of "the same module" capture, in `from.path`, group 1 = the src root and group 2 = the module,
 * and reuse them as `$1` / `$2` in `to.path` / `to.pathNot` (dependency-cruiser group matching).
 * Caveat: dependency-cruiser drops groups that did not participate in the match (which shifts `$n`), so the
 * patterns below never use optional capturing groups.
 */

/** Root of a source tree: `src` itself or any `…/src` (fixtures). Capturing: always group 1 where used. */
const SRC = '(src|.*?/src)';
/** Same, non-capturing, for patterns that need no back-reference. */
const ANY_SRC = '(?:src|.*?/src)';

/** npm packages the domain layer may import (pure, side-effect-free libraries only). Keep it short. */
const DOMAIN_ALLOWED_PACKAGES = /** @type {string[]} */ ([]);
/** Node.js built-in modules the domain layer may import (e.g. 'node:crypto'). Keep it short. */
const DOMAIN_ALLOWED_BUILTINS = /** @type {string[]} */ ([]);

const escapeRe = (/** @type {string} */ s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** @type {import('dependency-cruiser').DependencyType[]} */
const EXTERNAL_DEPENDENCY_TYPES = [
  'core',
  'npm',
  'npm-dev',
  'npm-optional',
  'npm-peer',
  'npm-bundled',
  'npm-no-pkg',
  'npm-unknown',
];

const domainExternalAllowList = [
  ...DOMAIN_ALLOWED_PACKAGES.map((pkg) => `(^|/)node_modules/${escapeRe(pkg)}/`),
  ...DOMAIN_ALLOWED_BUILTINS.map((mod) => `^(node:)?${escapeRe(mod.replace(/^node:/, ''))}$`),
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cross-module-internals',
      comment:
        'R1: a module may use another module only through its public contracts/ (events, DTOs); its domain, application, tokens and other internals are private.',
      severity: 'error',
      from: { path: `^${SRC}/modules/([^/]+)/` },
      to: {
        path: `^${ANY_SRC}/modules/[^/]+/`,
        pathNot: [
          // same module: anything goes (layering inside a module is checked by the domain rules)
          '^$1/modules/$2/',
          // another module's public contracts
          `^${ANY_SRC}/modules/[^/]+/contracts/`,
          // another module's index.ts / infrastructure/ are reported by no-composition-bypass (R6)
          `^${ANY_SRC}/modules/[^/]+/(index\\.ts$|infrastructure/)`,
        ],
      },
    },
    {
      name: 'domain-purity',
      comment:
        "R2: a module's domain/ may only import its own domain/ and contracts/ and the shared kernel, so business rules stay free of application, infrastructure and other modules.",
      severity: 'error',
      from: { path: `^${SRC}/modules/([^/]+)/domain/` },
      to: {
        dependencyTypesNot: EXTERNAL_DEPENDENCY_TYPES,
        pathNot: ['^$1/modules/$2/(domain|contracts)/', '^$1/shared-kernel/'],
      },
    },
    {
      name: 'domain-no-external-packages',
      comment:
        'R2: a module\'s domain/ must not import npm packages or Node.js built-ins (except the explicit allow-list in .dependency-cruiser.cjs), so it stays pure and framework-free.',
      severity: 'error',
      from: { path: `^${ANY_SRC}/modules/[^/]+/domain/` },
      to: {
        dependencyTypes: EXTERNAL_DEPENDENCY_TYPES,
        ...(domainExternalAllowList.length > 0 ? { pathNot: domainExternalAllowList } : {}),
      },
    },
    {
      name: 'no-circular',
      comment:
        'R3: circular dependencies (including type-only ones) are forbidden anywhere in src, because they blur layering and make module load order fragile.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shared-kernel-independence',
      comment:
        'R4: the shared kernel must not import modules, the composition root (app/), the CLI or main.ts, because everything else depends on it and not the other way round.',
      severity: 'error',
      from: { path: `^${SRC}/shared-kernel/` },
      to: { path: '^$1/(modules/|app/|cli/|main\\.ts$)' },
    },
    {
      name: 'contracts-only-shared-kernel',
      comment:
        "R5: a module's contracts/ may only import its own contracts/ and the shared kernel (no npm package, built-in or other code), because they are the stable public language of the module.",
      severity: 'error',
      from: { path: `^${SRC}/modules/([^/]+)/contracts/` },
      to: { pathNot: ['^$1/modules/$2/contracts/', '^$1/shared-kernel/'] },
    },
    {
      name: 'no-composition-bypass',
      comment:
        "R6: only the composition root (src/app/, src/cli/, src/main.ts) may import a module's index.ts or infrastructure/ from outside that module; everyone else goes through contracts or the container.",
      severity: 'error',
      from: {
        // group 2 = the unit the file belongs to: "modules/<name>/", "<top-level folder>/" or a top-level file
        path: `^${SRC}/(modules/[^/]+/|[^/]+/|[^/]+$)`,
        pathNot: `^${ANY_SRC}/(app/|cli/|main\\.ts$)`,
      },
      to: {
        path: `^${ANY_SRC}/modules/[^/]+/(index\\.ts$|infrastructure/)`,
        pathNot: '^$1/$2',
      },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'R7: every import must resolve to an existing file or installed package (relative imports spell out the .ts extension).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
