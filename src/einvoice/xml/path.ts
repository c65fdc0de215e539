// A small, compiled subset of XPath for the syntax bindings: child steps, `.`, `@attr` at the end,
// predicates `[@a='v']`, `[@a!='v']`, `[child/path='v']`, `[child/path!='v']`, and `|` meaning
// "the first alternative that selects something". The root element's namespace has already decided
// the syntax, so steps match elements by local name; the prefixes in the bindings are documentation
// that keeps them readable against the EN 16931 syntax binding tables. Compiled once at load, it
// costs a few microseconds per term where a general XPath engine re-parses and walks far more.
import type { Element, Node } from '@xmldom/xmldom';

interface Predicate {
  readonly attribute?: string;
  readonly childPath?: readonly string[];
  readonly value: string;
  readonly negate: boolean;
}

interface Step {
  readonly localName: string;
  readonly predicates: readonly Predicate[];
}

interface Alternative {
  readonly steps: readonly Step[];
  /** Set when the path ends in `@name`: the value is that attribute of the selected elements. */
  readonly attribute?: string;
}

export interface CompiledPath {
  readonly source: string;
  readonly alternatives: readonly Alternative[];
}

const localNameOf = (qualified: string): string => qualified.slice(qualified.indexOf(':') + 1);

function splitOutsideBrackets(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '[') depth += 1;
    else if (!quoted && c === ']') depth -= 1;
    else if (!quoted && depth === 0 && text.startsWith(separator, i)) {
      parts.push(text.slice(start, i));
      start = i + separator.length;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim());
}

function compilePredicate(text: string, source: string): Predicate {
  const match = /^([^!=]+?)\s*(!?=)\s*'([^']*)'$/.exec(text);
  if (!match) throw new Error(`Unsupported predicate [${text}] in path ${source}`);
  const [, left = '', operator, value = ''] = match;
  const negate = operator === '!=';
  return left.startsWith('@')
    ? { attribute: left.slice(1), value, negate }
    : { childPath: left.split('/').map(localNameOf), value, negate };
}

function compileStep(text: string, source: string): Step {
  const bracket = text.indexOf('[');
  const name = bracket === -1 ? text : text.slice(0, bracket);
  const predicates = [...text.slice(name.length).matchAll(/\[([^\]]*)\]/g)].map((m) => compilePredicate(m[1] ?? '', source));
  return { localName: localNameOf(name), predicates };
}

export function compilePath(source: string): CompiledPath {
  const alternatives = splitOutsideBrackets(source, '|').map((alternative): Alternative => {
    // `.` is the context element itself (a UBL note is read from the `cbc:Note` it iterates).
    const texts = splitOutsideBrackets(alternative, '/').filter((text) => text !== '.');
    const last = texts.at(-1) ?? '';
    if (last.startsWith('@')) {
      return { steps: texts.slice(0, -1).map((t) => compileStep(t, source)), attribute: last.slice(1) };
    }
    return { steps: texts.map((t) => compileStep(t, source)) };
  });
  return { source, alternatives };
}

function* childElements(node: Node, localName: string): Generator<Element> {
  for (let child = node.firstChild; child !== null; child = child.nextSibling) {
    if (child.nodeType === 1 && (child as Element).localName === localName) yield child as Element;
  }
}

function childPathValues(element: Element, path: readonly string[]): string[] {
  let current: Element[] = [element];
  for (const name of path) current = current.flatMap((node) => [...childElements(node, name)]);
  return current.map((node) => (node.textContent ?? '').trim());
}

function satisfies(element: Element, predicate: Predicate): boolean {
  const holds = predicate.attribute
    ? element.getAttribute(predicate.attribute) === predicate.value
    : childPathValues(element, predicate.childPath ?? []).includes(predicate.value);
  return predicate.negate ? !holds : holds;
}

function selectAlternative(context: Element, alternative: Alternative): Element[] {
  let current: Element[] = [context];
  for (const step of alternative.steps) {
    const next: Element[] = [];
    for (const node of current) {
      for (const child of childElements(node, step.localName)) {
        if (step.predicates.every((p) => satisfies(child, p))) next.push(child);
      }
    }
    if (next.length === 0) return next;
    current = next;
  }
  return current;
}

/** The elements the path selects from `context` (the first alternative that selects any). */
export function selectElements(context: Element, path: CompiledPath): Element[] {
  for (const alternative of path.alternatives) {
    if (alternative.attribute !== undefined) continue;
    const found = selectAlternative(context, alternative);
    if (found.length > 0) return found;
  }
  return [];
}

export interface SelectedValue {
  readonly text: string;
  readonly element: Element;
}

/** Every non-empty value the path selects, in document order within the winning alternative. */
export function selectValues(context: Element, path: CompiledPath): SelectedValue[] {
  for (const alternative of path.alternatives) {
    const values: SelectedValue[] = [];
    for (const element of selectAlternative(context, alternative)) {
      const text =
        alternative.attribute === undefined
          ? element.textContent
          : element.hasAttribute(alternative.attribute)
            ? element.getAttribute(alternative.attribute)
            : null;
      if (text !== null && text.trim() !== '') values.push({ text, element });
    }
    if (values.length > 0) return values;
  }
  return [];
}
