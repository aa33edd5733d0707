import { describe, expect, it } from 'vitest';
import {
  cleanText,
  parseDashboardCommand,
  parseStudentMessage,
  parseToStudent,
} from './classroom-protocol.ts';

describe('classroom messages', () => {
  it('ignores anything that is not a well-formed message (never throws)', () => {
    for (const bad of ['', 'null', '[]', '{', '"x"', '{"type":"nope"}', 'x'.repeat(10_000)]) {
      expect(parseStudentMessage(bad)).toBeUndefined();
      expect(parseDashboardCommand(bad)).toBeUndefined();
      expect(parseToStudent(bad)).toBeUndefined();
    }
  });

  it('accepts a progress report with counts in range and ids of word characters only', () => {
    const ok = {
      type: 'progress',
      lesson: 'masking',
      step: 1,
      steps: 4,
      passed: 0,
      tasks: 2,
      lessonsPassed: 3,
    };
    expect(parseStudentMessage(JSON.stringify(ok))).toEqual(ok);
    expect(parseStudentMessage(JSON.stringify({ ...ok, step: -1 }))).toBeUndefined();
    expect(parseStudentMessage(JSON.stringify({ ...ok, tasks: 1.5 }))).toBeUndefined();
    expect(parseStudentMessage(JSON.stringify({ ...ok, lesson: '<img src=x>' }))).toBeUndefined();
    expect(parseStudentMessage(JSON.stringify({ ...ok, failing: 'a b' }))).toBeUndefined();
  });

  it('cleans a name: control and bidi-override characters become spaces, at most 40 characters', () => {
    expect(parseStudentMessage('{"type":"hello","name":"  Ada\\u202Eevil\\u0007  "}')).toEqual({
      type: 'hello',
      name: 'Ada evil',
    });
    expect(cleanText('x'.repeat(100), 40)).toHaveLength(40);
  });

  it('checks every dashboard command: an empty announcement, step 0 or slow mode over 600 s are refused', () => {
    expect(parseDashboardCommand('{"type":"announce","text":"  "}')).toBeUndefined();
    expect(parseDashboardCommand('{"type":"goto","lesson":"masking","step":0}')).toBeUndefined();
    expect(parseDashboardCommand('{"type":"goto","lesson":"masking","step":2}')).toEqual({
      type: 'goto',
      lesson: 'masking',
      step: 2,
    });
    expect(parseDashboardCommand('{"type":"slow","seconds":601}')).toBeUndefined();
    expect(parseDashboardCommand('{"type":"mute","student":"s1","muted":"yes"}')).toBeUndefined();
    expect(parseDashboardCommand('{"type":"clear"}')).toEqual({ type: 'clear' });
  });
});
