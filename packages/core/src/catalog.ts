/**
 * The typed touchpoint catalog: one place that says, for every touchpoint a shop records, which
 * journey stage and channel it belongs to, which team owns it, and what properties it carries.
 *
 * Types flow from the catalog into `track()`: with a catalog, an unknown touchpoint name or a
 * wrong property is a compile-time error. Property types come either from a runtime schema
 * (any Standard Schema, e.g. zod) or, at zero bytes of runtime cost, from `props<T>()`.
 */
import type { JsonObject } from './event.js';
import { type Channel, isChannel, isJourneyStage, JOURNEY_STAGES, type JourneyStage } from './stages.js';
import type { StandardSchemaV1 } from './standard-schema.js';

declare const propsBrand: unique symbol;
/** A type-only marker for a touchpoint's properties; it is `undefined` at runtime. */
export type PropsOf<P> = { readonly [propsBrand]?: P } | undefined;

/**
 * Declares a touchpoint's property types without any runtime cost.
 *
 * @example
 * defineTouchpoints({ 'cart.item_added': { stage: 'consideration', properties: props<{ sku: string }>() } });
 */
/* @__NO_SIDE_EFFECTS__ */
export function props<P extends object>(): PropsOf<P> {
  return undefined;
}

export interface TouchpointDefinition<P extends object = Record<string, unknown>> {
  stage: JourneyStage;
  /** Default channel for this touchpoint (an event may override it). */
  channel?: Channel;
  /** Team or person who owns this touchpoint; closed-loop alerts go to them. */
  owner?: string;
  description?: string;
  /** Runtime validation of the properties (any Standard Schema, e.g. zod). */
  schema?: StandardSchemaV1<unknown, P>;
  /** Type-only property declaration: `props<{ sku: string }>()`. */
  properties?: PropsOf<P>;
}

export type TouchpointDefinitions = Record<string, TouchpointDefinition<any>>;

declare const catalogBrand: unique symbol;
/** A validated catalog. It is the same plain object you passed in, typed. */
export type TouchpointCatalog<T extends TouchpointDefinitions = TouchpointDefinitions> = T & {
  readonly [catalogBrand]?: true;
};

/** Touchpoint names of a catalog; `string` when there is none. */
export type TouchpointName<C> = C extends TouchpointDefinitions ? keyof C & string : string;

/** Property type of touchpoint `N` in catalog `C`. */
export type TouchpointProperties<C, N extends string> = C extends TouchpointDefinitions
  ? C[N] extends { schema: StandardSchemaV1<any, infer P> }
    ? P
    : C[N] extends { properties: PropsOf<infer P> }
      ? unknown extends P
        ? Record<string, unknown>
        : P
      : Record<string, unknown>
  : Record<string, unknown>;

/** Argument tuple for properties: optional when every property is optional. */
export type PropertiesArg<P> = {} extends P ? [properties?: P] : [properties: P];

/** Thrown at definition time (never at tracking time) for an invalid catalog. */
export class TouchpointConfigError extends Error {
  override name = 'TouchpointConfigError';
  constructor(
    /** The configuration field that is wrong, e.g. `touchpoints["cart.add"].stage`. */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const NAME_RE = /^[A-Za-z0-9][\w.:/-]{0,127}$/;

/**
 * Defines a typed touchpoint catalog. Checks every entry once, at definition time.
 *
 * @example
 * const touchpoints = defineTouchpoints({
 *   'checkout.completed': { stage: 'purchase', owner: 'payments', properties: props<{ orderId: string; total: number }>() },
 * });
 * tracker.track('checkout.completed', { orderId: 'o-1', total: 42 }); // checked at compile time
 */
/* @__NO_SIDE_EFFECTS__ */
export function defineTouchpoints<const T extends TouchpointDefinitions>(definitions: T): TouchpointCatalog<T> {
  for (const name of Object.keys(definitions)) {
    const def = definitions[name]!;
    const at = `touchpoints[${JSON.stringify(name)}]`;
    if (!NAME_RE.test(name)) {
      throw new TouchpointConfigError(
        at,
        'a touchpoint name is 1-128 letters, digits and . _ : / - and starts with a letter or digit',
      );
    }
    if (!isJourneyStage(def.stage)) {
      throw new TouchpointConfigError(
        `${at}.stage`,
        `must be one of ${JOURNEY_STAGES.join(', ')}, got ${JSON.stringify(def.stage)}`,
      );
    }
    if (def.channel !== undefined && !isChannel(def.channel)) {
      throw new TouchpointConfigError(`${at}.channel`, 'must be a channel name of 1-64 characters');
    }
    if (def.schema !== undefined && typeof def.schema?.['~standard']?.validate !== 'function') {
      throw new TouchpointConfigError(`${at}.schema`, 'must be a Standard Schema (e.g. a zod schema)');
    }
  }
  return definitions as TouchpointCatalog<T>;
}

/** Looks up a touchpoint's definition; `undefined` for names outside the catalog. */
export function getTouchpoint(
  catalog: TouchpointDefinitions | undefined,
  name: string,
): TouchpointDefinition | undefined {
  if (!catalog || !Object.hasOwn(catalog, name)) return undefined;
  return catalog[name];
}

/**
 * Validates properties against the touchpoint's schema, if it has one. Async because Standard
 * Schemas may be; resolves to the issues found (empty when valid or when there is no schema).
 */
export async function checkTouchpointProperties(
  catalog: TouchpointDefinitions | undefined,
  name: string,
  properties: JsonObject | undefined,
): Promise<{ path: string; message: string }[]> {
  const schema = getTouchpoint(catalog, name)?.schema;
  if (!schema) return [];
  const result = await schema['~standard'].validate(properties ?? {});
  if (!result.issues) return [];
  return result.issues.map((issue) => ({
    path: ['properties', ...(issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p))].join('.'),
    message: issue.message,
  }));
}

/**
 * Prints a catalog as a Markdown touchpoint map, grouped by journey stage in journey order.
 *
 * @example
 * console.log(catalogToMarkdown(commerceTouchpoints));
 */
export function catalogToMarkdown(catalog: TouchpointDefinitions, options: { title?: string } = {}): string {
  const lines = [`# ${options.title ?? 'Touchpoint map'}`, ''];
  for (const stage of JOURNEY_STAGES) {
    const names = Object.keys(catalog).filter((n) => catalog[n]!.stage === stage);
    if (names.length === 0) continue;
    lines.push(
      `## ${stage[0]!.toUpperCase()}${stage.slice(1)}`,
      '',
      '| Touchpoint | Channel | Owner | Description |',
      '|---|---|---|---|',
    );
    for (const name of names) {
      const d = catalog[name]!;
      const cell = (s: string | undefined) => (s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
      lines.push(`| \`${name}\` | ${cell(d.channel)} | ${cell(d.owner)} | ${cell(d.description)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
