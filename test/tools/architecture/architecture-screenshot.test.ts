import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pngSize, pngStatistics, screenshotSvg, svgPixelSize } from '../../../tools/architecture/screenshot';

const PICTURE = path.join(__dirname, '..', '..', '..', 'docs', 'architecture', 'production.svg');
/** The colours of the picture's arrows (tools/architecture/architecture-dot.ts): TLS flows, flows without a TLS setting, routes in. */
const ARROWS = { tls: '#1a7f37', plain: '#c2410c', route: '#1f5fbf' };

describe('headless Chromium (Debian) shows the production picture', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'architecture-screenshot-test-'));
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  test('at its own size, Chromium paints the size the SVG declares', () => {
    const png = path.join(scratch, 'production.png');
    screenshotSvg(PICTURE, png);
    expect(pngSize(png)).toEqual(svgPixelSize(fs.readFileSync(PICTURE, 'utf8')));
  });

  // Decoding is done on a page of 2400 x 1300 pixels: pngjs decodes a full-size screenshot (8 million
  // pixels) in half a second under node but in about ten under jest's module sandbox.
  test('scaled into a 2400 x 1300 page: not blank, with every kind of arrow painted', () => {
    const png = path.join(scratch, 'production-page.png');
    screenshotSvg(PICTURE, png, { width: 2400, height: 1300 });
    const stats = pngStatistics(png, Object.values(ARROWS));
    expect(stats.variance).toBeGreaterThan(200);
    expect(stats.inkShare).toBeGreaterThan(0.01);
    expect(stats.inkShare).toBeLessThan(0.5);
    for (const colour of Object.values(ARROWS)) {
      expect({ colour, painted: stats.pixelsOf[colour] > 200 }).toEqual({ colour, painted: true });
    }
  });

  test('fails: a picture Chromium cannot draw (broken SVG) has none of the arrows', () => {
    const broken = path.join(scratch, 'broken.svg');
    fs.writeFileSync(broken, fs.readFileSync(PICTURE, 'utf8').replace('<g id="graph0"', '<g id="graph0" <'));
    const png = path.join(scratch, 'broken.png');
    screenshotSvg(broken, png, { width: 2400, height: 1300 });
    const stats = pngStatistics(png, Object.values(ARROWS));
    expect(Object.values(ARROWS).every((colour) => stats.pixelsOf[colour] < 50)).toBe(true);
  });
});
