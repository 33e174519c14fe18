import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';

/** Debian's Chromium (`apt-get install chromium`, scripts/ensure-test-tools.sh); `CHROMIUM` overrides. */
export function chromiumBinary(): string {
  const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((candidate): candidate is string => Boolean(candidate));
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) {
    throw new Error('chromium not found: install it (apt-get install chromium fonts-liberation, as scripts/ensure-test-tools.sh does) or set CHROMIUM');
  }
  return found;
}

/** The size an SVG declares (`width="...pt"`), in CSS pixels (1pt = 4/3 px). */
export function svgPixelSize(svg: string): { width: number; height: number } {
  const size = (name: string) => Math.ceil(Number(new RegExp(`<svg[^>]*\\s${name}="([0-9.]+)pt"`).exec(svg)?.[1] ?? NaN) * (4 / 3));
  return { width: size('width'), height: size('height') };
}

/**
 * Opens the SVG in headless Chromium, as a browser shows it, and saves what it paints as a PNG: the
 * whole picture at its own size when `fit` is absent, else scaled into a `fit` window (a page around it).
 */
export function screenshotSvg(svgFile: string, pngFile: string, fit?: { width: number; height: number }): void {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'architecture-screenshot-'));
  try {
    let url = `file://${path.resolve(svgFile)}`;
    let window = svgPixelSize(fs.readFileSync(svgFile, 'utf8'));
    if (fit) {
      const page = path.join(scratch, 'page.html');
      fs.copyFileSync(svgFile, path.join(scratch, 'picture.svg'));
      fs.writeFileSync(page, '<!doctype html><body style="margin:0;background:#fff"><img src="picture.svg" style="width:100vw;height:100vh;object-fit:contain"></body>\n');
      url = `file://${page}`;
      window = fit;
    }
    execFileSync(
      chromiumBinary(),
      ['--headless', '--disable-gpu', '--no-sandbox', '--hide-scrollbars', `--user-data-dir=${path.join(scratch, 'profile')}`, `--screenshot=${path.resolve(pngFile)}`, `--window-size=${window.width},${window.height}`, url],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 },
    );
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Width and height from a PNG's header (IHDR), without decoding the pixels. */
export function pngSize(pngFile: string): { width: number; height: number } {
  const header = fs.readFileSync(pngFile).subarray(0, 24);
  if (header.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error(`${pngFile} is not a PNG`);
  }
  return { width: header.readUInt32BE(16), height: header.readUInt32BE(20) };
}

/** What a screenshot shows, in numbers: its size, the share of pixels that are not background, the brightness variance, and how many pixels have each of `colours` (`#1a7f37`). */
export function pngStatistics(
  pngFile: string,
  colours: readonly string[] = [],
): { width: number; height: number; inkShare: number; variance: number; distinctColours: number; pixelsOf: Record<string, number> } {
  const png = PNG.sync.read(fs.readFileSync(pngFile));
  let sum = 0;
  let squares = 0;
  let ink = 0;
  const distinct = new Set<number>();
  const wanted = colours.map((hex) => Number.parseInt(hex.slice(1), 16));
  const counts = new Array<number>(colours.length).fill(0);
  const data = png.data;
  // Plain indexed loops without per-pixel allocations: a full-size screenshot has millions of pixels.
  for (let offset = 0; offset < data.length; offset += 4) {
    const red = data[offset];
    const green = data[offset + 1];
    const blue = data[offset + 2];
    const brightness = (red + green + blue) / 3;
    sum += brightness;
    squares += brightness * brightness;
    if (brightness < 200) {
      ink++;
      distinct.add(((red >> 4) << 8) | ((green >> 4) << 4) | (blue >> 4));
      for (let index = 0; index < wanted.length; index++) {
        const colour = wanted[index];
        if (Math.abs(red - (colour >> 16)) + Math.abs(green - ((colour >> 8) & 255)) + Math.abs(blue - (colour & 255)) <= 24) {
          counts[index]++;
        }
      }
    }
  }
  const pixelsOf: Record<string, number> = Object.fromEntries(colours.map((hex, index) => [hex, counts[index]]));
  const pixels = png.width * png.height;
  const mean = sum / pixels;
  return { width: png.width, height: png.height, inkShare: ink / pixels, variance: squares / pixels - mean * mean, distinctColours: distinct.size, pixelsOf };
}
