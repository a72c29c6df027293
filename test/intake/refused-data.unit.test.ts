import { describe, expect, it } from 'vitest';
import { isRefusedData } from '../../connector/intake/process-intake-batch.ts';

describe('isRefusedData', () => {
  it.each([
    ['23505', true], // unique_violation
    ['23514', true], // check_violation
    ['22P02', true], // invalid_text_representation
    ['54000', true], // program_limit_exceeded
    ['08006', false], // connection_failure: retry
    ['57014', false], // query_canceled (timeout): retry
    ['40P01', false], // deadlock_detected: retry
  ])('SQLSTATE %s -> %s', (code, refused) => {
    expect(isRefusedData(Object.assign(new Error('x'), { code }))).toBe(refused);
  });

  it('is false for errors without a SQLSTATE', () => {
    expect(isRefusedData(new Error('socket hang up'))).toBe(false);
    expect(isRefusedData(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isRefusedData(null)).toBe(false);
  });
});
