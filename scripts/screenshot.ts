// Screenshots of a running Hromada, to look at pages as people see them (not part of the tests).
//   npx node scripts/screenshot.ts --base http://127.0.0.1:3000 --widths 360,1366 --langs uk,en /path /other
// Options: --login email:password (signs in first), --full (whole page, not just the first screen),
// --selector CSS (only the first element it matches, e.g. a table far down a long page),
// --out DIR (default /tmp/shots). Each file is named after the path, width, language and the time,
// so a viewer that caches by file name never shows an old picture.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    base: { type: 'string', default: 'http://127.0.0.1:3000' },
    widths: { type: 'string', default: '360,1366' },
    langs: { type: 'string', default: 'uk,en' },
    login: { type: 'string' },
    full: { type: 'boolean', default: false },
    selector: { type: 'string' },
    out: { type: 'string', default: '/tmp/shots' },
  },
});

fs.mkdirSync(values.out, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  for (const width of values.widths.split(',').map(Number)) {
    for (const lang of values.langs.split(',')) {
      const context = await browser.newContext({ viewport: { width, height: width < 600 ? 780 : 900 } });
      await context.addCookies([{ name: 'hromada_lang', value: lang, url: values.base }]);
      const page = await context.newPage();
      if (values.login) {
        const [email, password] = values.login.split(':');
        await page.goto(`${values.base}/login`);
        await page.fill('input[name=email]', email ?? '');
        await page.fill('input[name=password]', password ?? '');
        await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
      }
      for (const target of positionals) {
        const response = await page.goto(`${values.base}${target}`, { waitUntil: 'networkidle' });
        // Long addresses (a chart's query) are cut: a file name may have at most 255 bytes.
        const name = `${target.replace(/[^a-z0-9]+/gi, '_').slice(0, 120)}-${width}-${lang}-${Date.now()}.png`;
        const file = path.join(values.out, name);
        const element = values.selector ? page.locator(values.selector).first() : null;
        if (element && (await element.count()) > 0) await element.screenshot({ path: file });
        else await page.screenshot({ path: file, fullPage: values.full });
        const sideways = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
        console.log(`${response?.status()} ${file}${sideways ? '  SCROLLS SIDEWAYS' : ''}`);
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
}
