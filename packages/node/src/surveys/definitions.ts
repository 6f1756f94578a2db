/**
 * Surveys defined in code, typed like the touchpoint catalog: one object says, for every survey a
 * shop runs, what it asks (in English and Vietnamese at least), what triggers it (a browser
 * touchpoint or a server event), who is in its sample, and the exceptions to the caps (the
 * payment step, an open case). `defineSurveys` checks every entry once, at definition time, and
 * throws a `TouchpointConfigError` naming the bad field; it returns the same plain object, typed.
 *
 * A definition is plain data (no functions), so the same object can be handed to the browser's
 * `startSurveys` from `@touchpoint/browser/surveys` and sent in an ingest answer.
 */
import { TouchpointConfigError } from '@touchpoint/core';

/** The survey kinds: the four scored prompts, a choice among reasons, and free text. */
export const SURVEY_KINDS = ['nps', 'csat', 'ces', 'rating', 'single', 'multiple', 'text'] as const;
export type SurveyKind = (typeof SURVEY_KINDS)[number];

/** Text in every language the shop speaks; English and Vietnamese at least. */
export type LocalizedText = { en: string; vi: string } & { [locale: string]: string };

/** One answer of a `single` or `multiple` survey: `id` is what is recorded and counted. */
export interface SurveyOption {
  id: string;
  label: LocalizedText;
}

/** What makes a survey due: a touchpoint the browser records, or an event only the server sees. */
export type SurveyTrigger = { touchpoint: string } | { serverEvent: string };

export interface SurveyDefinition {
  kind: SurveyKind;
  question: LocalizedText;
  /** The answers of a `single` or `multiple` survey (2-20). */
  options?: readonly SurveyOption[];
  /** For `rating`: the number of stars (2-10, default 5). */
  scale?: number;
  /** Offer a free-text comment (default true; `text` surveys are only a comment). */
  comment?: boolean;
  /** The touchpoint the answers are about (default: the trigger's touchpoint or server event). */
  about?: string;
  trigger: SurveyTrigger;
  /** Who may be asked: only signed-in customers, only some languages (default: everyone). */
  audience?: SurveyAudience;
  /** Share of customers in the sample, 0-1 (default 1). Sticky: see `inSurveySample`. */
  sample?: number;
  /** Made for the payment step: may show there (default false: never on the payment step). */
  paymentStep?: boolean;
  /** The case topic this survey touches; a customer with an open case on it is not asked. */
  topic?: string;
  /** About the case itself (an after-case CSAT): an open case does not hold it back. */
  aboutCase?: boolean;
  /** A "why?" follow-up (cancellation, abandonment): its answers count as negative in the ranking. */
  followUp?: boolean;
}

/** Who a survey is for. Every condition given must hold. */
export interface SurveyAudience {
  /** Only customers with a `userId` (signed in). */
  identified?: boolean;
  /** Only these languages, e.g. `['vi']` (matched on the page's locale; `vi` covers `vi-VN`). */
  locales?: readonly string[];
}

export type SurveyDefinitions = Record<string, SurveyDefinition>;

declare const surveysBrand: unique symbol;
/** A checked set of surveys: the same plain object you passed in. */
export type SurveyCatalog<T extends SurveyDefinitions = SurveyDefinitions> = T & { readonly [surveysBrand]?: true };

/** Survey ids of a catalog. */
export type SurveyId<C> = C extends SurveyDefinitions ? keyof C & string : string;

const ID_RE = /^[A-Za-z0-9][\w.:-]{0,63}$/;

function checkText(value: unknown, at: string): void {
  const text = value as Record<string, unknown> | undefined;
  if (typeof text !== 'object' || text === null) {
    throw new TouchpointConfigError(at, 'must be an object of texts per locale, with en and vi at least');
  }
  for (const locale of ['en', 'vi']) {
    if (typeof text[locale] !== 'string' || (text[locale] as string).trim() === '') {
      throw new TouchpointConfigError(`${at}.${locale}`, 'must be a non-empty string');
    }
  }
}

/**
 * Defines a shop's surveys. Checks every entry once; throws a `TouchpointConfigError` naming the
 * field, e.g. `surveys["after-order"].sample`.
 *
 * @example
 * const surveys = defineSurveys({
 *   'after-order': {
 *     kind: 'csat',
 *     question: { en: 'How was your order?', vi: 'Đơn hàng của bạn thế nào?' },
 *     trigger: { serverEvent: 'order.delivered' },
 *     sample: 0.5,
 *   },
 * });
 */
/* @__NO_SIDE_EFFECTS__ */
export function defineSurveys<const T extends SurveyDefinitions>(definitions: T): SurveyCatalog<T> {
  if (typeof definitions !== 'object' || definitions === null) {
    throw new TouchpointConfigError('surveys', 'must be an object of survey definitions keyed by id');
  }
  for (const id of Object.keys(definitions)) {
    const def = definitions[id]!;
    const at = `surveys[${JSON.stringify(id)}]`;
    if (!ID_RE.test(id)) {
      throw new TouchpointConfigError(
        at,
        'a survey id is 1-64 letters, digits and . _ : - and starts with one of them',
      );
    }
    if (!(SURVEY_KINDS as readonly string[]).includes(def?.kind)) {
      throw new TouchpointConfigError(`${at}.kind`, `must be one of ${SURVEY_KINDS.join(', ')}`);
    }
    checkText(def.question, `${at}.question`);
    const choice = def.kind === 'single' || def.kind === 'multiple';
    if (choice) {
      const options = def.options;
      if (!Array.isArray(options) || options.length < 2 || options.length > 20) {
        throw new TouchpointConfigError(`${at}.options`, `a ${def.kind} survey needs 2-20 options`);
      }
      const seen = new Set<string>();
      options.forEach((option: SurveyOption, i: number) => {
        if (typeof option?.id !== 'string' || !/^[\w.:-]{1,64}$/.test(option.id) || seen.has(option.id)) {
          throw new TouchpointConfigError(
            `${at}.options[${i}].id`,
            'must be a unique id of 1-64 letters, digits and . _ : -',
          );
        }
        seen.add(option.id);
        checkText(option.label, `${at}.options[${i}].label`);
      });
    } else if (def.options !== undefined) {
      throw new TouchpointConfigError(`${at}.options`, 'only single and multiple surveys have options');
    }
    if (
      def.scale !== undefined &&
      (def.kind !== 'rating' || !Number.isInteger(def.scale) || def.scale < 2 || def.scale > 10)
    ) {
      throw new TouchpointConfigError(`${at}.scale`, 'only a rating has a scale, an integer from 2 to 10');
    }
    const trigger = def.trigger as Partial<{ touchpoint: unknown; serverEvent: unknown }> | undefined;
    const name = trigger?.touchpoint ?? trigger?.serverEvent;
    if (typeof name !== 'string' || name === '' || name.length > 128 || (trigger!.touchpoint && trigger!.serverEvent)) {
      throw new TouchpointConfigError(
        `${at}.trigger`,
        'must be { touchpoint: "<name>" } (a browser touchpoint) or { serverEvent: "<name>" }',
      );
    }
    if (def.sample !== undefined && !(typeof def.sample === 'number' && def.sample >= 0 && def.sample <= 1)) {
      throw new TouchpointConfigError(`${at}.sample`, `must be a share from 0 to 1, got ${String(def.sample)}`);
    }
    const audience = def.audience as SurveyAudience | undefined;
    if (
      audience !== undefined &&
      (typeof audience !== 'object' ||
        audience === null ||
        (audience.identified !== undefined && typeof audience.identified !== 'boolean') ||
        (audience.locales !== undefined &&
          !(Array.isArray(audience.locales) && audience.locales.every((l) => typeof l === 'string' && l !== ''))))
    ) {
      throw new TouchpointConfigError(`${at}.audience`, 'must be { identified?: boolean, locales?: string[] }');
    }
    if (def.about !== undefined && (typeof def.about !== 'string' || def.about === '' || def.about.length > 128)) {
      throw new TouchpointConfigError(`${at}.about`, 'must be a touchpoint name of 1-128 characters');
    }
    if (def.topic !== undefined && (typeof def.topic !== 'string' || def.topic === '')) {
      throw new TouchpointConfigError(`${at}.topic`, 'must be a non-empty case topic');
    }
  }
  return definitions as SurveyCatalog<T>;
}

/** The touchpoint a survey's answers are about. */
export function surveyAbout(def: SurveyDefinition): string {
  if (def.about) return def.about;
  return 'touchpoint' in def.trigger ? def.trigger.touchpoint : def.trigger.serverEvent;
}

/** Whether a customer (signed in or not, in `locale`) is in a survey's audience. */
export function inAudience(
  def: Pick<SurveyDefinition, 'audience'>,
  customer: { identified: boolean; locale?: string },
): boolean {
  const audience = def.audience;
  if (!audience) return true;
  if (audience.identified && !customer.identified) return false;
  if (audience.locales) {
    const locale = customer.locale?.toLowerCase() ?? '';
    return audience.locales.some((l) => locale === l.toLowerCase() || locale.startsWith(`${l.toLowerCase()}-`));
  }
  return true;
}

/** The text for `locale` (`vi-VN` uses `vi`), else English. */
export function localize(text: LocalizedText, locale: string | undefined): string {
  if (locale) {
    const exact = text[locale];
    if (exact) return exact;
    const base = text[locale.toLowerCase().split(/[-_]/)[0]!];
    if (base) return base;
  }
  return text.en;
}
