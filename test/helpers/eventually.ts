import { waitFor } from './wait';

/**
 * Retries an assertion until it passes; on timeout the last assertion error (with its diff) is thrown.
 * For eventual consistency only: what must hold at once is asserted directly.
 */
export async function eventually(assertion: () => void | Promise<void>, options: { timeoutMs?: number; what?: string } = {}): Promise<void> {
  await waitFor(async () => {
    await assertion();
    return true;
  }, options);
}

/** `waitFor` for a value: polls until `check` gives something other than undefined, null or false, and returns it. */
export async function waitForValue<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  return (await waitFor(check, options)) as T;
}
