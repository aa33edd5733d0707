import { describe, expect, test } from 'vitest';
import { LessonSyntaxError, parseArgs, parseLesson, slug } from './markdown.ts';

const FRONT = `---
id: demo
title: A demo
goal: Try the parser.
rfc: ['5.2', 'RFC 7692 7.1']
minutes: 5
needs:
  endpoint: /echo
  panels: [lab, inspector]
---
`;

const parse = (body: string, front = FRONT) => parseLesson(front + body, '03-demo');

describe('parseLesson', () => {
  test('reads the frontmatter, the order from the folder, the intro and one step per ## heading', () => {
    const lesson = parse('Intro *text*.\n\n## First step\n\nHello.\n\n## Second step\n\nBye.\n');
    expect(lesson.meta).toEqual({
      id: 'demo',
      order: 3,
      title: 'A demo',
      goal: 'Try the parser.',
      rfc: ['5.2', 'RFC 7692 7.1'],
      minutes: 5,
      needs: { endpoint: '/echo', panels: ['lab', 'inspector'] },
    });
    expect(lesson.intro).toBe('<p>Intro <em>text</em>.</p>');
    expect(lesson.steps.map((s) => s.id)).toEqual(['first-step', 'second-step']);
    expect(lesson.steps[0]!.blocks).toEqual([{ kind: 'html', html: '<p>Hello.</p>' }]);
  });

  test('turns directives into blocks, in order, with their arguments', () => {
    const lesson = parse(`## Go

::: predict method
Which **method**?
- GET
- \`POST\`
:::

:: lab /echo protocols=chat,json label="Open it"
:: check opened sent
:: inspector task=opened
:: handshake
:: decode hex="81 00" input=built
:: editor server.js

::: hint
One.
:::

::: explain predict=method task=opened
Because.
:::

:::: weird Broken server
:: lab /misbehave?do=masked-frame
::: note
Inside.
:::
::::
`);
    expect(lesson.steps[0]!.blocks).toEqual([
      {
        kind: 'predict',
        id: 'method',
        question: '<p>Which <strong>method</strong>?</p>',
        options: ['GET', '<code>POST</code>'],
      },
      { kind: 'lab', endpoint: '/echo', protocols: ['chat', 'json'], label: 'Open it' },
      { kind: 'check', tasks: ['opened', 'sent'] },
      { kind: 'inspector', task: 'opened', label: 'Show it in the inspector' },
      { kind: 'handshake', label: 'Show the handshake' },
      { kind: 'decode', hex: '81 00', input: 'built', label: 'Build it in Paste & decode' },
      { kind: 'editor', file: 'server.js', label: 'Open server.js in the editor' },
      { kind: 'hint', html: '<p>One.</p>' },
      { kind: 'explain', predict: 'method', task: 'opened', html: '<p>Because.</p>' },
      {
        kind: 'weird',
        title: 'Broken server',
        blocks: [
          {
            kind: 'lab',
            endpoint: '/misbehave?do=masked-frame',
            protocols: [],
            label: 'Open /misbehave?do=masked-frame in the lab',
          },
          { kind: 'note', html: '<p>Inside.</p>' },
        ],
      },
    ]);
  });

  test('links rfc:5.2 to the section, and refuses unknown sections', () => {
    const lesson = parse('## S\n\nSee [the framing](rfc:5.2) and [7692](rfc:7692/7.1).\n');
    const html = (lesson.steps[0]!.blocks[0] as { html: string }).html;
    expect(html).toContain('href="https://www.rfc-editor.org/rfc/rfc6455#section-5.2"');
    expect(html).toContain('href="https://www.rfc-editor.org/rfc/rfc7692#section-7.1"');
    expect(() => parse('## S\n\nSee [x](rfc:5.99).\n')).toThrow(/unknown RFC section in link "rfc:5.99"/);
  });

  test('raw HTML in a lesson is shown as text, not inserted', () => {
    const lesson = parse('## S\n\n<img src=x onerror=alert(1)>\n');
    expect((lesson.steps[0]!.blocks[0] as { html: string }).html).toContain('&lt;img');
  });

  test.each([
    ['no frontmatter', 'hello', /starts with a line "---"/],
    [
      'a missing field',
      FRONT.replace('goal: Try the parser.\n', '') + '## S\n',
      /"goal" must be a non-empty string/,
    ],
    ['an unknown RFC section', FRONT.replace("'5.2'", "'5.99'") + '## S\n', /unknown RFC section "5.99"/],
    ['an unknown panel', FRONT.replace('[lab, inspector]', '[lab, radar]') + '## S\n', /needs.panels/],
    ['no step', FRONT + 'Only an intro.\n', /at least one step/],
    ['an unclosed container', FRONT + '## S\n::: hint\nx\n', /:::11: "::: hint" is not closed|is not closed/],
    ['an unknown directive', FRONT + '## S\n:: radar now\n', /unknown directive ":: radar"/],
    ['a prediction without id', FRONT + '## S\n::: predict\nQ?\n:::\n', /needs an id/],
    ['two steps with one id', FRONT + '## Same\n## Same\n', /two steps have the id "same"/],
    ['a step whose id is the one-page link', FRONT + '## Page\n', /kept for the one-page view/],
  ])('refuses %s, naming the file and line', (_name, source, message) => {
    expect(() => parseLesson(source, '03-demo')).toThrow(LessonSyntaxError);
    expect(() => parseLesson(source, '03-demo')).toThrow(message);
  });

  test('an error names the line it is on', () => {
    expect(() => parse('## S\n\n:: radar\n')).toThrow(/^lessons\/03-demo\/index\.md:13: /);
  });
});

test('":: compare" places the polling widget: every column by default, or the ones named, and a poll period', () => {
  const blocks = (line: string) => parse(`## Go\n\n${line}\n`).steps[0]!.blocks;
  expect(blocks(':: compare')).toEqual([
    { kind: 'compare', columns: ['poll', 'long-poll', 'websocket'], every: 1000 },
  ]);
  expect(blocks(':: compare show=websocket,poll every=500')).toEqual([
    { kind: 'compare', columns: ['poll', 'websocket'], every: 500 },
  ]);
  expect(() => blocks(':: compare show=sse')).toThrow(
    '":: compare show=" takes poll, long-poll, websocket (comma-separated), not "sse"',
  );
  expect(() => blocks(':: compare every=10')).toThrow('poll period in ms, 250 to 10000');
});

test('parseArgs reads words, key=value and quoted values', () => {
  expect(parseArgs('a b=c d="e f" "g h"')).toEqual({ words: ['a', 'g h'], named: { b: 'c', d: 'e f' } });
});

test('slug makes stable step ids', () => {
  expect(slug("What's in a `101`?")).toBe('whats-in-a-101');
});
