/**
 * The typed error for input the graph or the case book refuses at run time (an unknown case id, a
 * phone number that is not E.164, an empty identity). Nothing is written when it is thrown; the
 * destination reports it through `onReject` instead of retrying the event.
 */
export type CaseInputErrorCode = 'invalid_identity' | 'invalid_event' | 'unknown_case' | 'unknown_link';

export class CaseInputError extends Error {
  readonly code: CaseInputErrorCode;
  constructor(code: CaseInputErrorCode, message: string) {
    super(message);
    this.name = 'CaseInputError';
    this.code = code;
  }
}
