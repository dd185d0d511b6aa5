import { startWorkers, type PeriodicJob } from './jobs';
import { createLogger } from './logger';

describe('startWorkers', () => {
  it('asks a job whether it is due before each pass and skips the ticks it is not', async () => {
    let asked = 0;
    let ran = 0;
    const job: PeriodicJob = {
      name: 'paced',
      // Due on every third tick only.
      due: async () => ++asked % 3 === 0,
      run: async () => void ran++,
    };
    const workers = startWorkers([job], 10, createLogger('silent'));
    await new Promise((r) => setTimeout(r, 400));
    await workers.stop();
    expect(asked).toBeGreaterThanOrEqual(9);
    expect(ran).toBe(Math.floor(asked / 3));
  });

  it('runs a job without a gate on every tick, and a failing gate skips the pass without stopping the job', async () => {
    let plain = 0;
    let gated = 0;
    let gates = 0;
    const jobs: PeriodicJob[] = [
      { name: 'plain', run: async () => void plain++ },
      {
        name: 'gate fails once',
        due: async () => {
          if (gates++ === 0) throw new Error('database unreachable');
          return true;
        },
        run: async () => void gated++,
      },
    ];
    const workers = startWorkers(jobs, 10, createLogger('silent'));
    await new Promise((r) => setTimeout(r, 300));
    await workers.stop();
    expect(plain).toBeGreaterThanOrEqual(5);
    expect(gated).toBe(gates - 1);
    expect(gated).toBeGreaterThanOrEqual(4);
  });
});
