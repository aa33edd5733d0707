/**
 * index.md -> LessonContent, at build time (Node; the page never loads markdown-it).
 *
 * The text between directives is Markdown rendered by markdown-it (raw HTML off: a lesson is
 * prose, not markup). Directives (lessons/README.md) become typed blocks the player renders as
 * live parts. Links written `rfc:5.2` (or `rfc:7692/7.1`) become links to the RFC's section and
 * are checked. Every problem is a LessonSyntaxError naming the file and line.
 */
import MarkdownIt from 'markdown-it';
import { parse as parseYaml } from 'yaml';
import { FEED_CLIENTS, PAGE_STEP, type Block, type LessonMeta, type PanelName, type Step } from '../types.ts';
import { resolveRfc } from '../rfc.ts';

export class LessonSyntaxError extends Error {
  override name = 'LessonSyntaxError';
}

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });

/** Links `rfc:5.2` and `rfc:7692/7.1` become links to the section; unknown sections are refused. */
const defaultLink =
  md.renderer.rules.link_open ?? ((tokens, i, options, _env, self) => self.renderToken(tokens, i, options));
md.renderer.rules.link_open = (tokens, i, options, env: { file?: string }, self) => {
  const token = tokens[i]!;
  const href = token.attrGet('href') ?? '';
  if (href.startsWith('rfc:')) {
    const [doc, section] = href.slice(4).includes('/') ? href.slice(4).split('/') : ['6455', href.slice(4)];
    const ref = resolveRfc(`RFC ${doc} ${section}`);
    if (!ref) throw new LessonSyntaxError(`${env.file ?? 'lesson'}: unknown RFC section in link "${href}"`);
    token.attrSet('href', ref.href);
    token.attrSet('class', 'rfc');
  }
  if (/^https?:/.test(token.attrGet('href') ?? '')) {
    token.attrSet('target', '_blank');
    token.attrSet('rel', 'noopener');
  }
  return defaultLink(tokens, i, options, env, self);
};
md.validateLink = (url) => /^(https?:|rfc:|#)/.test(url);

const PANELS: readonly PanelName[] = ['lab', 'inspector', 'handshake', 'decode', 'code'];
const CONTAINERS = new Set(['predict', 'hint', 'explain', 'weird', 'note']);
const LEAVES = new Set(['lab', 'check', 'inspector', 'handshake', 'decode', 'editor', 'compare']);

/** `a b key=value key="with spaces"` -> positional words and named values. */
export function parseArgs(text: string): { words: string[]; named: Record<string, string> } {
  const words: string[] = [];
  const named: Record<string, string> = {};
  const re = /(\w[\w-]*)=(?:"([^"]*)"|(\S+))|"([^"]*)"|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] !== undefined) named[m[1]] = m[2] ?? m[3] ?? '';
    else words.push(m[4] ?? m[5] ?? '');
  }
  return { words, named };
}

export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[`'’"]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'step'
  );
}

interface Line {
  text: string;
  no: number;
}

export interface ParsedLesson {
  meta: LessonMeta;
  intro: string;
  steps: Step[];
}

/** Parses one index.md. `folder` is its directory name, e.g. '01-handshake' (gives the order). */
export function parseLesson(source: string, folder: string): ParsedLesson {
  const file = `lessons/${folder}/index.md`;
  const fail = (no: number, message: string): never => {
    throw new LessonSyntaxError(`${file}:${no}: ${message}`);
  };
  const lines = source.replace(/\r\n/g, '\n').split('\n');
  if (lines[0] !== '---') fail(1, 'expected frontmatter: the file starts with a line "---"');
  const end = lines.indexOf('---', 1);
  if (end === -1) fail(1, 'the frontmatter is not closed by a line "---"');
  const meta = readMeta(lines.slice(1, end).join('\n'), folder, (m) => fail(1, m));
  const body = lines.slice(end + 1).map((text, i): Line => ({ text, no: end + 2 + i }));

  const render = (chunk: Line[]): string => md.render(chunk.map((l) => l.text).join('\n'), { file });
  let intro = '';
  const steps: Step[] = [];
  let current: Line[] = [];
  let title = '';
  let titleLine = 0;
  const flush = () => {
    if (!title) {
      intro = render(current).trim();
    } else {
      const id = slug(title);
      if (steps.some((s) => s.id === id)) fail(titleLine, `two steps have the id "${id}"`);
      if (id === PAGE_STEP)
        fail(titleLine, `"${title}" is kept for the one-page view's link: rename the step`);
      steps.push({ id, title, blocks: parseBlocks(current, render, fail) });
    }
  };
  for (const line of body) {
    const h = /^## (.+)$/.exec(line.text);
    if (h) {
      flush();
      title = h[1]!.trim();
      titleLine = line.no;
      current = [];
    } else current.push(line);
  }
  flush();
  if (steps.length === 0) fail(end + 2, 'a lesson needs at least one step (a "## " heading)');
  return { meta, intro, steps };
}

function readMeta(text: string, folder: string, fail: (m: string) => never): LessonMeta {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    fail(`frontmatter is not YAML: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null) return fail('frontmatter must be a mapping');
  const r = raw as Record<string, unknown>;
  const str = (k: string): string => {
    const v = r[k];
    if (typeof v !== 'string' || v.trim() === '') fail(`frontmatter: "${k}" must be a non-empty string`);
    return (v as string).trim();
  };
  const order = Number(/^(\d+)-/.exec(folder)?.[1]);
  if (!Number.isInteger(order)) fail(`the folder "${folder}" must start with its number, e.g. 01-`);
  const id = str('id');
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) fail(`frontmatter: "id" must be lower-case words joined by "-"`);
  const rfcList = r.rfc;
  if (!Array.isArray(rfcList) || rfcList.length === 0)
    fail('frontmatter: "rfc" must list at least one section');
  const rfc = (rfcList as unknown[]).map((s) => String(s));
  for (const s of rfc) if (!resolveRfc(s)) fail(`frontmatter: unknown RFC section "${s}"`);
  const minutes = r.minutes;
  if (typeof minutes !== 'number' || minutes <= 0) fail('frontmatter: "minutes" must be a positive number');
  const needs = r.needs as Record<string, unknown> | undefined;
  if (typeof needs !== 'object' || needs === null) return fail('frontmatter: "needs" is missing');
  const panels = needs.panels;
  if (!Array.isArray(panels) || panels.some((p) => !PANELS.includes(p as PanelName)))
    fail(`frontmatter: "needs.panels" must list some of ${PANELS.join(', ')}`);
  const code = needs.code;
  if (code !== undefined && code !== 'client' && code !== 'server' && code !== 'both')
    fail('frontmatter: "needs.code" must be client, server or both');
  const endpoint = needs.endpoint;
  if (endpoint !== undefined && (typeof endpoint !== 'string' || !endpoint.startsWith('/')))
    fail('frontmatter: "needs.endpoint" must be a path such as /echo');
  return {
    id,
    order,
    title: str('title'),
    goal: str('goal'),
    rfc,
    minutes: minutes as number,
    needs: {
      panels: panels as PanelName[],
      ...(typeof endpoint === 'string' ? { endpoint } : {}),
      ...(code ? { code: code as 'client' | 'server' | 'both' } : {}),
    },
  };
}

function parseBlocks(
  lines: Line[],
  render: (chunk: Line[]) => string,
  fail: (no: number, m: string) => never,
): Block[] {
  const blocks: Block[] = [];
  let prose: Line[] = [];
  const flushProse = () => {
    const html = render(prose).trim();
    if (html) blocks.push({ kind: 'html', html });
    prose = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const container = /^(:{3,})\s*([a-z]+)\s*(.*)$/.exec(line.text);
    const leaf = /^::\s+([a-z]+)\s*(.*)$/.exec(line.text);
    if (container) {
      flushProse();
      const fence = container[1]!;
      const name = container[2]!;
      if (!CONTAINERS.has(name))
        fail(line.no, `unknown directive "${fence} ${name}" (known: ${[...CONTAINERS].join(', ')})`);
      const inner: Line[] = [];
      let j = i + 1;
      for (; j < lines.length && lines[j]!.text.trim() !== fence; j++) inner.push(lines[j]!);
      if (j === lines.length) fail(line.no, `"${fence} ${name}" is not closed by a line "${fence}"`);
      blocks.push(containerBlock(name, container[3] ?? '', inner, line.no, render, fail));
      i = j;
    } else if (leaf) {
      flushProse();
      blocks.push(leafBlock(leaf[1]!, leaf[2] ?? '', line.no, fail));
    } else if (/^:::?$/.test(line.text.trim())) {
      fail(line.no, 'a closing ":::" without an opening directive');
    } else prose.push(line);
  }
  flushProse();
  return blocks;
}

function containerBlock(
  name: string,
  argText: string,
  inner: Line[],
  no: number,
  render: (chunk: Line[]) => string,
  fail: (no: number, m: string) => never,
): Block {
  const { words, named } = parseArgs(argText);
  switch (name) {
    case 'predict': {
      const id = words[0];
      if (!id) return fail(no, '"::: predict" needs an id: "::: predict method"');
      const question: Line[] = [];
      const options: string[] = [];
      for (const l of inner) {
        const item = /^\s*[-*] (.+)$/.exec(l.text);
        if (item) options.push(item[1]!.trim());
        else if (options.length === 0) question.push(l);
        else if (l.text.trim()) fail(l.no, 'text after the choices of a prediction');
      }
      const html = render(question).trim();
      if (!html) fail(no, `prediction "${id}" has no question`);
      return { kind: 'predict', id, question: html, options: options.map((o) => md.renderInline(o)) };
    }
    case 'hint':
      return { kind: 'hint', html: render(inner).trim() };
    case 'note':
      return { kind: 'note', html: render(inner).trim() };
    case 'explain':
      return {
        kind: 'explain',
        ...(named.predict ? { predict: named.predict } : {}),
        ...(named.task ? { task: named.task } : {}),
        html: render(inner).trim(),
      };
    case 'weird': {
      const title = argText.trim();
      if (!title) return fail(no, '"weird" needs a title: ":::: weird A server that masks"');
      return { kind: 'weird', title, blocks: parseBlocks(inner, render, fail) };
    }
  }
  return fail(no, `unknown directive "${name}"`);
}

function leafBlock(name: string, argText: string, no: number, fail: (no: number, m: string) => never): Block {
  if (!LEAVES.has(name)) fail(no, `unknown directive ":: ${name}" (known: ${[...LEAVES].join(', ')})`);
  const { words, named } = parseArgs(argText);
  switch (name) {
    case 'lab': {
      const endpoint = words[0];
      if (!endpoint?.startsWith('/')) return fail(no, '":: lab" needs a path: ":: lab /echo"');
      const protocols = named.protocols
        ? named.protocols
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean)
        : [];
      return { kind: 'lab', endpoint, protocols, label: named.label ?? `Open ${endpoint} in the lab` };
    }
    case 'check':
      if (words.length === 0) return fail(no, '":: check" needs at least one task id');
      return { kind: 'check', tasks: words };
    case 'inspector':
      return {
        kind: 'inspector',
        ...(named.task ? { task: named.task } : {}),
        label: named.label ?? 'Show it in the inspector',
      };
    case 'handshake':
      return { kind: 'handshake', label: named.label ?? 'Show the handshake' };
    case 'decode':
      return {
        kind: 'decode',
        hex: named.hex ?? '',
        ...(named.input ? { input: named.input } : {}),
        label: named.label ?? (named.input ? 'Build it in Paste & decode' : 'Open Paste & decode'),
      };
    case 'editor': {
      const file = words[0];
      if (!file) return fail(no, '":: editor" needs a file name: ":: editor server.js"');
      return { kind: 'editor', file, label: named.label ?? `Open ${file} in the editor` };
    }
    case 'compare': {
      const asked = (named.show ?? FEED_CLIENTS.join(',')).split(',').map((c) => c.trim());
      const columns = FEED_CLIENTS.filter((c) => asked.includes(c));
      const unknown = asked.filter((c) => !(FEED_CLIENTS as readonly string[]).includes(c));
      if (unknown.length > 0 || columns.length === 0)
        return fail(
          no,
          `":: compare show=" takes ${FEED_CLIENTS.join(', ')} (comma-separated), not "${named.show}"`,
        );
      const every = named.every === undefined ? 1000 : Number(named.every);
      if (!Number.isInteger(every) || every < 250 || every > 10_000)
        return fail(no, '":: compare every=" is the poll period in ms, 250 to 10000');
      return { kind: 'compare', columns, every };
    }
  }
  return fail(no, `unknown directive ":: ${name}"`);
}
