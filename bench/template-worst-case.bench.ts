/**
 * The worst notification templates we could write within the sandbox's limits
 * (TEMPLATE_MAX_CHARS per part, the default limits of src/platform/config.ts), each saved
 * through the same validation as createNotificationTemplate and rendered against a
 * full ALERT view: how long validation, the first render (compile included) and a
 * cached render take, and how each ends. Run: `npm run build && node dist/bench/template-worst-case.bench.js`.
 */
import { loadConfig } from '../src/platform/config';
import { NotificationKind } from '../src/modules/notification-template/notification-kind';
import { assertCompiles, templateRules } from '../src/modules/notification-template/template-validation';
import { renderLimits, renderMessage } from '../src/modules/notification/notification-renderer';

const config = loadConfig({});
const limits = renderLimits(config);
const MAX = config.templateMaxChars;

const EXPRESSIONS = config.templateMaxExpressions;
const DEPTH = config.templateMaxDepth;

/** `open` repeated `depth` times around `inner`, closed again. */
function nested(open: string, close: string, inner: string, depth: number): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

/** `unit` (one expression) as often as the expression limit allows next to `used` other expressions. */
function fillExpressions(unit: string, used: number): string {
  return unit.repeat(EXPRESSIONS - used);
}

const view = {
  kind: NotificationKind.ALERT,
  now: '2026-12-02T09:00:00.000Z',
  customer: {
    id: 'cus_00000000-0000-4000-8000-000000000001',
    name: 'A customer name of some length, Ltd.'.repeat(5),
    company: 'Company',
    type: 'CUSTOMER',
    status: 'ACTIVE',
    terms: 'PREPAID',
    balance: '123456.7890000000',
    creditLimit: '0',
    availableCredit: '123456.789',
    accruedCharges: '0',
    lowBalanceThreshold: '10',
    mainEmail: 'main@customer.test',
    billingEmail: 'billing@customer.test',
    nocEmail: 'noc@customer.test',
  },
  alert: {
    id: 'evt_1',
    title: 'ASR below 30%',
    eventKind: 'TRIGGERED',
    area: 'ASR',
    operator: 'LT',
    value: '12.5',
    threshold: '30',
    subject: 'subject',
    message: 'message text '.repeat(20),
    penaltyUntil: null,
    at: '2026-12-02T09:00:00.000Z',
  },
  value: '12.5',
  threshold: '30',
};

const CASES: [string, string][] = [
  ['refused: 1 KB inline-partial recursion (the issue\'s template)', `{{#*inline "p"}}{{> p}}{{> p}}{{/inline}}{{> p}}`.padEnd(1024, ' ')],
  ['refused: log helper', '{{log "forged line\\n{\\"level\\":50}"}}'],
  ['refused: unknown helper', 'line one\n{{helperMissing customer}}'],
  ['refused: 1,500 nested subexpressions', `{{money ${nested('(lookup ', ' "balance")', 'customer', 1_500)}}}`],
  ['refused: expressions filling the size', '{{a}}'.repeat(Math.floor(MAX / 5))],
  [`loops ${DEPTH} deep over @root, then empty lookups`, nested('{{#each @root}}', '{{/each}}', fillExpressions('{{a}}', DEPTH), DEPTH)],
  ['loops 2 deep over @root, then if-blocks', nested('{{#each @root}}', '{{/each}}', fillExpressions('{{#if a}}{{/if}}', 2), 2)],
  ['one loop over customer around money calls', nested('{{#each @root.customer}}', '{{/each}}', fillExpressions('{{money @root.customer.balance 9}}', 1), 1)],
  ['one loop over customer around escaped lookups', nested('{{#each @root.customer}}', '{{/each}}', fillExpressions('{{@root.alert.title}}', 1), 1)],
  ['loops 2 deep over customer, output of every value', nested('{{#each @root.customer}}', '{{/each}}', fillExpressions('{{this}}{{@key}}'.slice(0, 8), 2), 2)],
  ['datetime helper calls', fillExpressions('{{datetime now "Europe/Berlin"}}', 0)],
  ['money helper calls', fillExpressions('{{money customer.balance 9}}', 0)],
  ['escaped long values', fillExpressions('{{alert.message}}', 0)],
  [`with-blocks ${DEPTH} deep around money calls`, nested('{{#with customer}}', '{{/with}}', fillExpressions('{{money balance 4}}', DEPTH), DEPTH)],
  [`subexpressions ${DEPTH - 1} deep, repeated`, fillExpressions(`{{money ${nested('(lookup ', ' "balance")', 'customer', DEPTH - 1)}}}`, 0).slice(0, 0) + `{{money ${nested('(lookup ', ' "balance")', 'customer', DEPTH - 1)}}}`.repeat(Math.floor(EXPRESSIONS / DEPTH))],
];

/** Wall-clock ms and CPU ms (user + system: what the work cost, without the time a shared machine gave to others). */
function time<T>(fn: () => T): [number, T | Error, number] {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let r: T | Error;
  try {
    r = fn();
  } catch (err) {
    r = err as Error;
  }
  const c = process.cpuUsage(c0);
  return [performance.now() - t0, r, (c.user + c.system) / 1000];
}

function outcome(r: unknown): string {
  if (r instanceof Error) return `refused: ${r.message.slice(0, 110)}`;
  const m = r as { body: string };
  return `rendered ${m.body.length} chars`;
}

const ms = (wall: number, cpu: number) => `${wall.toFixed(1)} (${cpu.toFixed(1)})`;

export function main(): void {
  process.stdout.write(
    `limits: source ${MAX} chars, ${EXPRESSIONS} expressions, depth ${DEPTH} per part; output ${limits.maxOutputChars} chars, ${limits.maxIterations} {{#each}} turns, ${limits.maxSteps} steps, deadline ${limits.renderMs} ms per message\n`,
  );
  process.stdout.write('times: wall ms (CPU ms)\n');
  process.stdout.write('| template | source chars | validation | first render (compiles) | cached render, worst of 5 | outcome at save | outcome at render |\n|---|---|---|---|---|---|---|\n');
  const worst = { validation: [0, 0], first: [0, 0], render: [0, 0] };
  const keep = (slot: number[], wall: number, cpu: number) => {
    slot[0] = Math.max(slot[0], wall);
    slot[1] = Math.max(slot[1], cpu);
  };
  for (const [name, body] of CASES) {
    const [validMs, valid, validCpu] = time(() => assertCompiles(body, 'ALERT', 'body', templateRules(config)));
    const saved = valid instanceof Error ? `refused: ${valid.message.slice(0, 90)}` : 'accepted';
    // What is refused at save never reaches the renderer; the small ones are rendered anyway to show the renderer refuses them too.
    if (valid instanceof Error && body.length > 2_048) {
      process.stdout.write(`| ${name} | ${body.length} | ${ms(validMs, validCpu)} | - | - | ${saved} | - |\n`);
      continue;
    }
    const [firstMs, first, firstCpu] = time(() => renderMessage({ subject: 's', body, bcc: [] }, view, 'html', limits));
    let cached = [0, 0];
    for (let i = 0; i < 5; i++) {
      const [w, , c] = time(() => renderMessage({ subject: 's', body, bcc: [] }, view, 'html', limits));
      cached = [Math.max(cached[0], w), Math.max(cached[1], c)];
    }
    if (!(valid instanceof Error)) {
      keep(worst.validation, validMs, validCpu);
      keep(worst.first, firstMs, firstCpu);
      keep(worst.render, cached[0], cached[1]);
    }
    process.stdout.write(`| ${name} | ${body.length} | ${ms(validMs, validCpu)} | ${ms(firstMs, firstCpu)} | ${ms(cached[0], cached[1])} | ${saved} | ${outcome(first)} |\n`);
  }
  process.stdout.write(
    `worst of the accepted templates: validation ${ms(worst.validation[0], worst.validation[1])}, first render ${ms(worst.first[0], worst.first[1])}, render ${ms(worst.render[0], worst.render[1])}\n`,
  );
}

if (require.main === module) main();
