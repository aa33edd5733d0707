import { describe, expect, it } from 'vitest';
import type { Step, TaskResult } from '../../lessons/types.ts';
import { lessonReport } from './report.ts';

const step = (tasks: string[]): Step => ({
  id: 's',
  title: 'S',
  blocks: [{ kind: 'check', tasks } as Step['blocks'][number]],
});
const ok: TaskResult = { ok: true, observed: '' };
const no = { ok: false } as TaskResult;

describe('lessonReport', () => {
  it("reports the step's checks passed and the first failing one, in the step's order", () => {
    const r = lessonReport({
      lessonId: 'masking',
      stepIndex: 1,
      steps: [step([]), step(['a', 'b', 'c'])],
      step: step(['a', 'b', 'c']),
      results: new Map([
        ['a', ok],
        ['b', no],
        ['c', no],
      ]),
      passedCount: 2,
    });
    expect(r).toEqual({
      lesson: 'masking',
      step: 1,
      steps: 2,
      passed: 1,
      tasks: 3,
      failing: 'b',
      lessonsPassed: 2,
    });
  });

  it('reports the list of lessons (no lesson, step 0) when none is open', () => {
    const r = lessonReport({
      lessonId: undefined,
      stepIndex: 3,
      steps: [],
      step: undefined,
      results: new Map(),
      passedCount: 0,
    });
    expect(r).toEqual({ step: 0, steps: 0, passed: 0, tasks: 0, lessonsPassed: 0 });
  });
});
