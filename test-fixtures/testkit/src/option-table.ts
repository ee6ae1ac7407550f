// The table-driven check every package runs on its factories: each option
// the factory knows, given values of the wrong type (or an unknown enum
// value), must throw a TypeError when the factory is called, naming the
// factory, the option, what it expects and what it got.
import { describe, expect, test } from 'vitest';

/** The part of an option check this needs: what `@tracehop/core/internal`'s `OptionCheck` has. */
interface CheckLike {
  readonly shape?: Readonly<Record<string, CheckLike>>;
}

/** One factory's row set. */
export interface OptionTable {
  /** The name its messages start with: `createClientInterceptor`. */
  readonly factory: string;
  /** Calls the factory with these options (and whatever else it needs). */
  readonly call: (options: Record<string, unknown>) => unknown;
  /**
   * The factory's schema, so the table is known to cover every option it
   * checks (nested options by dotted path).
   */
  readonly schema: Readonly<Record<string, CheckLike>>;
  /** Each option path with values it must refuse. */
  readonly wrong: Readonly<Record<string, readonly unknown[]>>;
  /** A misspelt option and the option its message must suggest, e.g. `['trustTracecontext', 'trust.trustTraceContext']`. */
  readonly typo?: readonly [misspelt: string, suggested: string];
}

/** Every option path of a schema, nested ones included (`trust`, `trust.acceptBaggage`). */
export function optionPaths(schema: Readonly<Record<string, CheckLike>>, prefix = ''): string[] {
  return Object.entries(schema).flatMap(([name, check]) => [prefix + name, ...(check.shape ? optionPaths(check.shape, `${prefix}${name}.`) : [])]);
}

/** `{ trust: { acceptBaggage: value } }` for `trust.acceptBaggage`. */
function nested(path: string, value: unknown): Record<string, unknown> {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

/** How the message names what it got: `number 50051`, `string "4096"`, `null`, `array […]`. */
function gotWord(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'function') return value.name ? `function ${value.name}` : 'a function';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'object') return 'object';
  return `${typeof value} ${String(value)}`;
}

export function describeOptionTables(tables: readonly OptionTable[]): void {
  for (const table of tables) {
    describe(table.factory, () => {
      test('the table has wrong values for every option the factory checks', () => {
        expect(Object.keys(table.wrong).sort()).toEqual(optionPaths(table.schema).sort());
        for (const [path, values] of Object.entries(table.wrong)) expect(values.length, path).toBeGreaterThan(0);
      });

      const rows = Object.entries(table.wrong).flatMap(([path, values]) => values.map((value) => [path, value] as const));
      test.each(rows)('%s: %o throws a TypeError naming the option, what it expects and what it got', (path, value) => {
        let thrown: unknown;
        try {
          table.call(nested(path, value));
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(TypeError);
        const message = (thrown as TypeError).message;
        expect(message.startsWith(`${table.factory}: option "${path}" must be `), message).toBe(true);
        expect(message, message).toContain(`, got ${gotWord(value)}`);
      });

      if (table.typo) {
        const [misspelt, suggested] = table.typo;
        test(`an unknown option (${misspelt}) throws, naming the closest known one`, () => {
          expect(() => table.call(nested(misspelt, true))).toThrow(
            new TypeError(`${table.factory}: unknown option "${misspelt}"; did you mean "${suggested}"?`),
          );
        });
      }
    });
  }
}
