import { describe, expect, it } from 'vitest';
import {
  UNLABELLED_REQUEST,
  labelErrors,
  mayHoldUnlabelledErrors,
  requestIdOf,
  serializeResult,
  withRequestId,
} from '../../src/errors/index.js';

const answer = (...requests: string[]) =>
  serializeResult({ errors: requests.map((request) => ({ message: 'no', extensions: { error: { request } } })) });

describe('the request ids of errors', () => {
  it('names an error labelled in its operation, and no other', () => {
    const labelled = new Error('labelled');
    labelErrors([labelled], 'req-1');
    expect(requestIdOf(labelled)).toBe('req-1');
    expect(requestIdOf(new Error('formatted outside an operation'))).toBe(UNLABELLED_REQUEST);
  });

  it('fills in only the errors formatted without their request', () => {
    const mixed = answer('req-1', UNLABELLED_REQUEST);
    expect(mayHoldUnlabelledErrors(mixed)).toBe(true);
    const rewritten = JSON.parse(withRequestId(mixed, 'req-2')) as { errors: { extensions: { error: object } }[] };
    expect(rewritten.errors.map((error) => error.extensions.error)).toEqual([
      { request: 'req-1' },
      { request: 'req-2' },
    ]);
  });

  it('leaves an answer of labelled errors unread', () => {
    expect(mayHoldUnlabelledErrors(answer('req-1', 'req-3'))).toBe(false);
    // A client's text that merely mentions the marker is escaped inside a JSON string.
    expect(mayHoldUnlabelledErrors(serializeResult({ data: { note: '"request":"unknown"' } }))).toBe(false);
  });
});
