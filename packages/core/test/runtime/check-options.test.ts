import assert from 'node:assert/strict';
import { Scheduler } from '@tickwise/core';
import { checkJobOptions } from '@tickwise/core/options';

describe('checkJobOptions (the registration checks, for tools that read source)', () => {
  it('accepts valid options, including metadata', () => {
    assert.equal(
      checkJobOptions({ overlap: 'buffer-one', retry: { retries: 3 }, timeout: '5m', owner: 'ops' }),
      undefined,
    );
  });

  it('reports what add() would throw, without the job prefix', () => {
    const options = { timeout: '40d' };
    const problem = checkJobOptions(options);
    assert.equal(problem?.code, 'INVALID_OPTION');
    assert.throws(
      () => new Scheduler({ env: {} }).add({ name: 'j', schedule: '* * * * *', run() {}, ...options }),
      (error: Error) => error.message === `Job 'j': ${problem?.message}`,
    );
  });

  it('names unknown options with a suggestion', () => {
    assert.deepEqual(checkJobOptions({ overlapp: 'skip' }), {
      code: 'UNKNOWN_OPTION',
      message: "unknown option 'overlapp' (did you mean 'overlap'?)",
      option: 'overlapp',
    });
  });
});
