/**
 * A business rule said no. The code is the i18n key of the message the user sees, so a use case
 * never formats text and a handler never guesses what went wrong.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly params: Record<string, unknown> = {},
  ) {
    super(code);
    this.name = 'AppError';
  }
}
