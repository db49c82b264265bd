/**
 * The page colours derived from one configured brand colour. An operator can
 * pick any #rrggbb, so the colours that carry text are adjusted until they
 * meet WCAG 2.2 AA contrast (4.5:1) on the white page, and the button label
 * is whichever of white or near-black reads better on the brand colour.
 */
export interface Theme {
  /** The configured colour, for fills (the button, the top rule). */
  brand: string;
  /** Text on a brand fill. */
  onBrand: string;
  /** Links and the focus ring: the brand colour, darkened until it reads on white. */
  accent: string;
}

const INK = '#1a1a1a';

export function themeFor(brandColor: string): Theme {
  const brand = brandColor.toLowerCase();
  const rgb = parse(brand);
  const onBrand = contrast(rgb, [255, 255, 255]) >= contrast(rgb, parse(INK)) ? '#ffffff' : INK;
  let accent = rgb;
  for (let i = 0; i < 20 && contrast(accent, [255, 255, 255]) < 4.8; i++) accent = accent.map((v) => Math.floor(v * 0.85)) as Rgb;
  return { brand, onBrand, accent: hex(accent) };
}

type Rgb = [number, number, number];

function parse(color: string): Rgb {
  const n = Number.parseInt(color.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function hex(rgb: Rgb): string {
  return `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG relative luminance. */
function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((v) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
