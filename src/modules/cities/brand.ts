// A city's own look: its coat of arms or logo and an accent colour.
// - PNG is accepted by its content: the signature, then chunks whose lengths and CRCs are right,
//   IHDR first with a sane size, IEND last. Anything else is refused.
// - SVG is parsed (saxes, the strict non-validating XML parser already used here; DOMPurify needs
//   a browser DOM or jsdom, and HTML sanitizers fold SVG's case-sensitive names) and written out
//   anew from an allow-list: only SVG drawing elements and presentation attributes survive;
//   script, foreignObject, image, a, animation, event handlers, any reference that is not to
//   `#an-id` in the same file, and CSS url()/@import are dropped. A DOCTYPE (entities, XXE) is
//   refused outright. What is served is the rewritten file, never the upload.
// - The accent colour is #rrggbb and must reach WCAG AA contrast (4.5:1) against white.
import zlib from 'node:zlib';
import { SaxesParser } from 'saxes';

export const MAX_LOGO_BYTES = 512 * 1024;
const MAX_PNG_SIDE = 4096;
const MAX_SVG_ELEMENTS = 5000;
const MAX_SVG_DEPTH = 64;
const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';

/** A logo or colour refused, with the message key and its values for the editor. */
export class BrandError extends Error {
  readonly key: string;
  readonly values: Record<string, string | number>;
  constructor(key: string, values: Record<string, string | number> = {}, detail = key) {
    super(detail);
    this.key = key;
    this.values = values;
  }
}

// ---- PNG ----

/** Throws BrandError unless `bytes` is a whole, well-formed PNG of at most 4096 × 4096. */
export function checkPng(bytes: Buffer): void {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(signature)) throw new BrandError('cities.brand.error.type');
  let offset = 8;
  let first = true;
  let ended = false;
  while (offset < bytes.length) {
    if (ended || offset + 12 > bytes.length) throw new BrandError('cities.brand.error.png_broken');
    const length = bytes.readUInt32BE(offset);
    const type = bytes.subarray(offset + 4, offset + 8).toString('latin1');
    const end = offset + 12 + length;
    if (end > bytes.length || !/^[A-Za-z]{4}$/.test(type)) throw new BrandError('cities.brand.error.png_broken');
    const crc = zlib.crc32(bytes.subarray(offset + 4, offset + 8 + length));
    if (crc !== bytes.readUInt32BE(offset + 8 + length)) throw new BrandError('cities.brand.error.png_broken');
    if (first) {
      if (type !== 'IHDR' || length !== 13) throw new BrandError('cities.brand.error.png_broken');
      const width = bytes.readUInt32BE(offset + 8);
      const height = bytes.readUInt32BE(offset + 12);
      if (width < 1 || height < 1 || width > MAX_PNG_SIDE || height > MAX_PNG_SIDE)
        throw new BrandError('cities.brand.error.png_size', { max: MAX_PNG_SIDE });
    }
    if (type === 'IEND') ended = true;
    first = false;
    offset = end;
  }
  if (!ended) throw new BrandError('cities.brand.error.png_broken');
}

// ---- SVG ----

const ELEMENTS = new Set([
  'svg',
  'g',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'title',
  'desc',
  'defs',
  'symbol',
  'use',
  'linearGradient',
  'radialGradient',
  'stop',
  'clipPath',
  'mask',
  'pattern',
  'marker',
  'style',
  'filter',
  'feGaussianBlur',
  'feOffset',
  'feFlood',
  'feComposite',
  'feMerge',
  'feMergeNode',
  'feColorMatrix',
  'feBlend',
]);

const ATTRIBUTES = new Set([
  'id',
  'class',
  'style',
  'viewBox',
  'preserveAspectRatio',
  'width',
  'height',
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'cx',
  'cy',
  'r',
  'rx',
  'ry',
  'fx',
  'fy',
  'd',
  'points',
  'transform',
  'fill',
  'fill-opacity',
  'fill-rule',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-linecap',
  'stroke-linejoin',
  'stroke-miterlimit',
  'stroke-dasharray',
  'stroke-dashoffset',
  'opacity',
  'color',
  'clip-path',
  'clip-rule',
  'mask',
  'offset',
  'stop-color',
  'stop-opacity',
  'gradientUnits',
  'gradientTransform',
  'patternUnits',
  'patternContentUnits',
  'patternTransform',
  'clipPathUnits',
  'maskUnits',
  'maskContentUnits',
  'markerWidth',
  'markerHeight',
  'refX',
  'refY',
  'orient',
  'marker-start',
  'marker-mid',
  'marker-end',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'text-anchor',
  'dominant-baseline',
  'letter-spacing',
  'dx',
  'dy',
  'visibility',
  'display',
  'vector-effect',
  'shape-rendering',
  'filterUnits',
  'primitiveUnits',
  'stdDeviation',
  'in',
  'in2',
  'result',
  'operator',
  'k1',
  'k2',
  'k3',
  'k4',
  'mode',
  'type',
  'values',
  'flood-color',
  'flood-opacity',
  'role',
  'aria-label',
  'aria-hidden',
  'version',
]);

/** Elements whose `href` (or `xlink:href`) may point at `#an-id` in the same file. */
const HREF_ELEMENTS = new Set(['use', 'linearGradient', 'radialGradient', 'pattern', 'filter']);

/** True when CSS text (an attribute value or a <style>) loads or runs nothing. */
function cssIsSafe(css: string): boolean {
  if (/[\\]|@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding/i.test(css)) return false;
  for (const match of css.matchAll(/url\s*\(\s*(['"]?)([^)'"]*)\1\s*\)/gi))
    if (!/^#[\w.-]+$/.test(match[2]!)) return false;
  // Anything else written url( that the pattern above did not read is refused too.
  const urls = css.match(/url\s*\(/gi)?.length ?? 0;
  return urls === [...css.matchAll(/url\s*\(\s*(['"]?)#[\w.-]+\1\s*\)/gi)].length;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

export interface CleanSvg {
  svg: string;
  /** What was dropped, each once, for the editor: element names and attribute names. */
  removed: string[];
}

/** Parses `text` and writes it anew from the allow-list; BrandError when it is not a usable SVG. */
export function sanitizeSvg(text: string): CleanSvg {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const out: string[] = [];
  const removed = new Set<string>();
  let failure: BrandError | null = null;
  const fail = (error: BrandError) => {
    failure ??= error;
  };
  /** Depth inside a dropped element (everything in it is dropped), 0 when writing. */
  let skipping = 0;
  const open: string[] = [];
  let elements = 0;
  let sawRoot = false;
  let inStyle = false;
  let styleText = '';

  parser.on('error', (error) => fail(new BrandError('cities.brand.error.svg_parse', { reason: error.message })));
  parser.on('doctype', () => fail(new BrandError('cities.brand.error.svg_doctype')));
  parser.on('opentag', (node) => {
    if (failure) return;
    elements++;
    if (elements > MAX_SVG_ELEMENTS)
      return fail(new BrandError('cities.brand.error.svg_big', { max: MAX_SVG_ELEMENTS }));
    if (!sawRoot) {
      sawRoot = true;
      if (node.local !== 'svg' || node.uri !== SVG_NS) return fail(new BrandError('cities.brand.error.svg_root'));
    }
    if (skipping > 0) {
      skipping++;
      return;
    }
    const local = node.local ?? node.name;
    if (node.uri !== SVG_NS || !ELEMENTS.has(local)) {
      // Metadata of drawing programs (other namespaces) goes silently; SVG elements are named.
      if (node.uri === SVG_NS || !node.uri) removed.add(`<${node.name}>`);
      skipping = 1;
      return;
    }
    if (open.length >= MAX_SVG_DEPTH)
      return fail(new BrandError('cities.brand.error.svg_big', { max: MAX_SVG_ELEMENTS }));
    const attributes: string[] = open.length === 0 ? [`xmlns="${SVG_NS}"`] : [];
    for (const attribute of Object.values(node.attributes)) {
      const { uri, local: name, value } = attribute as { uri: string; local: string; value: string };
      if (uri === 'http://www.w3.org/2000/xmlns/' || attribute.name === 'xmlns') continue;
      const isHref = name === 'href' && (uri === '' || uri === XLINK_NS);
      if (isHref) {
        if (HREF_ELEMENTS.has(local) && /^#[\w.-]+$/.test(value.trim()))
          attributes.push(`href="${escapeXml(value.trim())}"`);
        else removed.add(attribute.name);
        continue;
      }
      if (uri !== '' || !ATTRIBUTES.has(name)) {
        if (uri === '' || uri === 'http://www.w3.org/XML/1998/namespace') removed.add(attribute.name);
        continue;
      }
      if (!cssIsSafe(value)) {
        removed.add(attribute.name);
        continue;
      }
      attributes.push(`${name}="${escapeXml(value)}"`);
    }
    out.push(`<${local}${attributes.length ? ' ' : ''}${attributes.join(' ')}>`);
    open.push(local);
    if (local === 'style') {
      inStyle = true;
      styleText = '';
    }
  });
  parser.on('text', (text) => {
    if (failure || skipping > 0 || open.length === 0) return;
    if (inStyle) styleText += text;
    else out.push(escapeXml(text));
  });
  parser.on('cdata', (text) => {
    if (failure || skipping > 0 || open.length === 0) return;
    if (inStyle) styleText += text;
    else out.push(escapeXml(text));
  });
  parser.on('closetag', () => {
    if (failure) return;
    if (skipping > 0) {
      skipping--;
      return;
    }
    const local = open.pop();
    if (local === 'style') {
      inStyle = false;
      if (cssIsSafe(styleText)) out.push(escapeXml(styleText));
      else removed.add('<style> url()/@import');
    }
    out.push(`</${local}>`);
  });
  try {
    parser.write(text).close();
  } catch (error) {
    fail(new BrandError('cities.brand.error.svg_parse', { reason: (error as Error).message }));
  }
  if (failure) throw failure;
  if (!sawRoot) throw new BrandError('cities.brand.error.svg_root');
  return { svg: out.join(''), removed: [...removed] };
}

// ---- The accent colour ----

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

/** The WCAG contrast ratio of a #rrggbb colour against white. */
export function contrastOnWhite(hex: string): number {
  return 1.05 / (luminance(hex) + 0.05);
}

export const MIN_CONTRAST = 4.5;

/** `#rrggbb` in lower case, or null for none; BrandError naming the contrast when too light. */
export function parseAccent(input: string): string | null {
  const value = input.trim().toLowerCase();
  if (value === '') return null;
  if (!/^#[0-9a-f]{6}$/.test(value))
    throw new BrandError('cities.brand.error.accent_format', { value: input.slice(0, 20) });
  const ratio = contrastOnWhite(value);
  if (ratio < MIN_CONTRAST)
    throw new BrandError('cities.brand.error.accent_contrast', {
      value,
      ratio: Math.floor(ratio * 100) / 100,
      min: MIN_CONTRAST,
    });
  return value;
}
