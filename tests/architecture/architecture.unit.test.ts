/**
 * Architecture rules (modular monolith) — enforced with dependency-cruiser, using the very rule set of
 * `npm run lint:arch` (`.dependency-cruiser.cjs`):
 *  (a) the real `src` tree has no violation;
 *  (b) every rule bites: one fixture tree per rule (tests/architecture/fixtures/<rule>/src/…, mirroring the real
 *      layout) produces exactly the expected violations;
 *  (c) a fixture made of allowed imports (cross-module contracts, composition root importing index.ts, …) produces none.
 *
 * The fixtures are excluded from tsconfig.json and are not *.test.ts files, so neither tsc nor vitest pick them up.
 */
import { resolve } from 'node:path';
import { cruise, type ICruiseOptions, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CONFIG_FILE = resolve(ROOT, '.dependency-cruiser.cjs');
const TSCONFIG_FILE = resolve(ROOT, 'tsconfig.json');
const FIXTURES = 'tests/architecture/fixtures';

let options: ICruiseOptions;
let tsConfig: ReturnType<typeof extractTSConfig>;

beforeAll(async () => {
  const fromFile = await extractDepcruiseOptions(CONFIG_FILE);
  options = { ...fromFile, baseDir: ROOT, tsConfig: { fileName: TSCONFIG_FILE }, validate: true };
  tsConfig = extractTSConfig(TSCONFIG_FILE);
});

async function cruiseTree(directory: string): Promise<ICruiseResult> {
  const { output } = await cruise([directory], options, {}, { tsConfig });
  if (typeof output === 'string') throw new Error(`unexpected string output from dependency-cruiser: ${output}`);
  return output;
}

/** `tests/architecture/fixtures/<name>/src/x.ts` → `src/x.ts`; `node_modules/@scope/pkg/…` → `@scope/pkg`. */
function normalizePath(path: string): string {
  const npm = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (npm?.[1]) return npm[1];
  return path.replace(/^tests\/architecture\/fixtures\/[^/]+\//, '');
}

/** One line per violation: `rule: from → to`, cycles spelled out. */
function describeViolation(violation: IViolation): string {
  const cycle = violation.cycle ? ` (cycle: ${[violation.from, ...violation.cycle.map((step) => step.name)].map(normalizePath).join(' → ')})` : '';
  return `${violation.rule.name}: ${normalizePath(violation.from)} → ${normalizePath(violation.to)}${cycle}`;
}

function violationsOf(result: ICruiseResult): string[] {
  return result.summary.violations.map(describeViolation).sort();
}

type RuleFixture = {
  readonly rule: string;
  readonly fixture: string;
  readonly expected: readonly string[];
};

const RULE_FIXTURES: readonly RuleFixture[] = [
  {
    rule: 'no-cross-module-internals',
    fixture: 'r1-cross-module-internals',
    expected: [
      'no-cross-module-internals: src/modules/orientation/application/orient.ts → src/modules/availability/availability.tokens.ts',
      'no-cross-module-internals: src/modules/orientation/application/orient.ts → src/modules/availability/domain/slot.ts',
    ],
  },
  {
    rule: 'domain-purity',
    fixture: 'r2-domain-purity',
    expected: [
      'domain-purity: src/modules/availability/domain/slot.decider.ts → src/modules/availability/application/handler.ts',
      'domain-purity: src/modules/availability/domain/slot.decider.ts → src/modules/availability/infrastructure/repository.ts',
    ],
  },
  {
    rule: 'domain-no-external-packages',
    fixture: 'r2-domain-packages',
    expected: [
      'domain-no-external-packages: src/modules/availability/domain/slot.decider.ts → crypto',
      'domain-no-external-packages: src/modules/availability/domain/slot.decider.ts → zod',
    ],
  },
  {
    rule: 'no-circular',
    fixture: 'r3-circular',
    expected: [
      'no-circular: src/shared-kernel/a.ts → src/shared-kernel/b.ts (cycle: src/shared-kernel/a.ts → src/shared-kernel/b.ts → src/shared-kernel/a.ts)',
    ],
  },
  {
    rule: 'shared-kernel-independence',
    fixture: 'r4-shared-kernel-independence',
    expected: [
      'shared-kernel-independence: src/shared-kernel/kernel.ts → src/app/platform.ts',
      'shared-kernel-independence: src/shared-kernel/kernel.ts → src/modules/availability/domain/slot.ts',
    ],
  },
  {
    rule: 'contracts-only-shared-kernel',
    fixture: 'r5-contracts-only-shared-kernel',
    expected: [
      'contracts-only-shared-kernel: src/modules/availability/contracts/availability.events.ts → src/modules/availability/domain/slot.ts',
      'contracts-only-shared-kernel: src/modules/availability/contracts/availability.events.ts → src/modules/orientation/contracts/orientation.events.ts',
      'contracts-only-shared-kernel: src/modules/availability/contracts/availability.events.ts → zod',
    ],
  },
  {
    rule: 'no-composition-bypass',
    fixture: 'r6-composition-bypass',
    expected: [
      'no-composition-bypass: src/jobs/worker.ts → src/modules/availability/index.ts',
      'no-composition-bypass: src/modules/orientation/application/orient.ts → src/modules/availability/index.ts',
      'no-composition-bypass: src/modules/orientation/application/orient.ts → src/modules/availability/infrastructure/free-slots.projection.ts',
    ],
  },
  {
    rule: 'not-to-unresolvable',
    fixture: 'r7-unresolvable',
    expected: [
      'not-to-unresolvable: src/shared-kernel/kernel.ts → ./missing.ts',
      'not-to-unresolvable: src/shared-kernel/kernel.ts → @sas-fixture/not-installed',
    ],
  },
];

describe('architecture rules (.dependency-cruiser.cjs)', () => {
  it('the src tree has no violation', async () => {
    const result = await cruiseTree('src');
    // guard against a vacuous pass (wrong base directory, nothing resolved, …)
    expect(result.summary.totalCruised).toBeGreaterThan(20);
    const violations = violationsOf(result);
    expect(violations, `architecture violations in src:\n  ${violations.join('\n  ')}\n`).toEqual([]);
  });

  it('every forbidden rule of the configuration has a fixture proving it bites', async () => {
    const configured = (options.ruleSet?.forbidden ?? []).map((rule) => rule.name).sort();
    expect(configured.length).toBeGreaterThan(0);
    expect(RULE_FIXTURES.map((fixture) => fixture.rule).sort()).toEqual(configured);
  });

  it.each(RULE_FIXTURES)('$rule bites on fixtures/$fixture', async ({ rule, fixture, expected }) => {
    const result = await cruiseTree(`${FIXTURES}/${fixture}/src`);
    expect(result.summary.totalCruised).toBeGreaterThan(0);
    const violations = violationsOf(result);
    expect(violations, `fixture ${fixture}:\n  ${violations.join('\n  ')}\n`).toEqual([...expected].sort());
    expect(new Set(result.summary.violations.map((violation) => violation.rule.name))).toEqual(new Set([rule]));
  });

  it('allowed imports produce no violation (cross-module contracts, composition root → index.ts, CLI → infrastructure)', async () => {
    const result = await cruiseTree(`${FIXTURES}/allowed/src`);
    expect(result.summary.totalCruised).toBeGreaterThan(10);
    const violations = violationsOf(result);
    expect(violations, `fixture allowed:\n  ${violations.join('\n  ')}\n`).toEqual([]);
  });
});
