/**
 * Small line icons drawn as inline SVG, so they look the same everywhere (an emoji depends on the
 * fonts a device has) and follow the text colour, light or dark. Decorative: the words beside
 * them carry the meaning, so screen readers skip them.
 */

export type IconName = 'lock' | 'video' | 'pdf' | 'image' | 'text' | 'zip' | 'file';

// 24×24 outlines (stroke only); each string is one or more path data.
const PATHS: Record<IconName, string[]> = {
  lock: ['M6 11h12v9H6z', 'M8.5 11V8a3.5 3.5 0 0 1 7 0v3'],
  video: ['M4 6h16v12H4z', 'M10 9.5v5l4.5-2.5z'],
  pdf: ['M6 3h9l3 3v15H6z', 'M15 3v3h3', 'M9 13h6', 'M9 16h6', 'M9 10h3'],
  image: ['M4 5h16v14H4z', 'M4 16l4.5-4.5 3.5 3.5 2.5-2.5L20 17', 'M15.5 9.5a1 1 0 1 0 0.01 0'],
  text: ['M6 3h9l3 3v15H6z', 'M15 3v3h3', 'M9 11h6', 'M9 14h6', 'M9 17h4'],
  zip: ['M6 3h12v18H6z', 'M12 3v2', 'M12 7v2', 'M12 11v2', 'M10.5 15h3v3h-3z'],
  file: ['M6 3h9l3 3v15H6z', 'M15 3v3h3'],
};

const SVG = 'http://www.w3.org/2000/svg';

export function icon(name: IconName, className = 'icon'): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', className);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const d of PATHS[name]) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}
