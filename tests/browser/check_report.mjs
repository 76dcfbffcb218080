// The report as a person sees it, asserted on the DOM: headless Chromium (Debian's, /usr/bin/chromium)
// driven through the DevTools protocol by playwright-core. Usage: node check_report.mjs REPORT.html SCREENSHOT.png
// Expects the report of tests/browser/make_stream.py's stream through examples/crisis.flow, --by channel.
import { chromium } from 'playwright-core';

const [report, screenshot] = process.argv.slice(2);
const failures = [];
function expect(what, ok, detail) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail === undefined ? '' : ': ' + detail}`);
  if (!ok) failures.push(what);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests = [];
  page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
  await page.goto('file://' + report);

  const range = await page.evaluate(() => [document.getElementById('range-first').getAttribute('datetime'),
                                           document.getElementById('range-last').getAttribute('datetime')]);
  expect('the date range', range[0] === '2026-11-20T00:00:00Z' && range[1] === '2026-11-23T23:50:00Z', range.join(' to '));

  const mentions = await page.evaluate(() => +document.getElementById('mentions').textContent);
  expect('the total', mentions === 606, mentions);

  const days = await page.$$eval('#over-time g.bucket', (gs) => gs.map((g) => g.dataset.start));
  expect('one bar group per day', days.join() === '2026-11-20T00:00:00Z,2026-11-21T00:00:00Z,2026-11-22T00:00:00Z,2026-11-23T00:00:00Z', days.join());

  const channels = await page.$$eval('table.by[data-field="channel"] tbody tr', (rows) =>
    rows.map((r) => [r.cells[0].textContent, +r.querySelector('td.total').textContent]));
  const channelSum = channels.reduce((s, [, n]) => s + n, 0);
  expect('the per-channel table sums to the total', channels.length === 3 && channelSum === mentions, JSON.stringify(channels));

  const crises = await page.$$eval('#crises tr.crisis', (rows) => rows.map((r) => [r.dataset.crisis,
    r.querySelector('td.entered').dataset.time, r.querySelector('td.left').dataset.time]));
  expect('the crisis timeline has the pinned enter and leave times',
         JSON.stringify(crises) === JSON.stringify([['outage', '2026-11-21T14:06:45Z', '2026-11-21T15:10:00Z']]), JSON.stringify(crises));

  // The flowchart: every edge into an outcome box carries a count, and they add up to the count in
  // the box, crisis routes (dashed red) included: a branch into a routed box counts only the
  // mentions that arrived there, the route edge the ones it sent on.
  const flow = await page.evaluate(() => {
    const outcomes = {}, into = {}, unlabelled = [], routes = [], tooltips = [];
    document.querySelectorAll('.chart svg g.node').forEach((g) => {
      const m = g.textContent.match(/\[(\d+) mentions\]/);
      if (m) outcomes[g.querySelector('title').textContent] = +m[1];
      if (g.querySelector('title').textContent === 'start') return;  // the start circle names nothing
      const a = g.querySelector('a');
      tooltips.push(a ? a.getAttribute('xlink:title') || a.getAttribute('title') : null);
    });
    document.querySelectorAll('.chart svg g.edge').forEach((g) => {
      const [from, to] = g.querySelector('title').textContent.split('->');
      const m = [...g.querySelectorAll('text')].map((t) => t.textContent).join(' ').match(/\((\d+)\)/);
      const route = g.querySelector('path').getAttribute('stroke') === '#c62828';
      if (route) routes.push(m ? +m[1] : null);
      if (!(to in outcomes)) return;
      if (!m) { unlabelled.push(from + '->' + to); return; }
      into[to] = (into[to] || 0) + +m[1];
    });
    return { outcomes, into, unlabelled, routes, tooltips };
  });
  const checked = Object.keys(flow.outcomes);
  const mismatched = checked.filter((o) => (flow.into[o] || 0) !== flow.outcomes[o]);
  expect('every edge into an outcome has a count', flow.unlabelled.length === 0, flow.unlabelled.join(', '));
  expect('edge counts into each outcome sum to its total, crisis routes included', checked.length >= 5 && mismatched.length === 0,
         mismatched.map((o) => `${o}: edges ${flow.into[o] || 0}, box ${flow.outcomes[o]}`).join('; ') ||
         `${checked.length} outcomes`);
  expect('the crisis routes carry counts, and the crisis rerouted mentions', flow.routes.length > 0 &&
         flow.routes.every((n) => n !== null) && flow.routes.some((n) => n > 0), JSON.stringify(flow.routes));
  expect('every shape names its step or outcome on hover', flow.tooltips.length >= 5 &&
         flow.tooltips.every((t) => t && /^(step|outcome) /.test(t)), JSON.stringify(flow.tooltips.slice(0, 4)));
  const legend = await page.$$eval('#chart-legend li', (items) => items.map((li) => [li.querySelector('svg polygon, svg rect, svg path').tagName, li.textContent]));
  expect('the chart legend shows the question, outcome, branch and crisis route shapes',
         legend.some(([t, s]) => t === 'polygon' && /question/.test(s)) && legend.filter(([t]) => t === 'rect').length >= 5 &&
         legend.some(([t, s]) => t === 'path' && /crisis route/.test(s)), JSON.stringify(legend.map(([t]) => t)));
  const sampleClosed = await page.$eval('#sample-details', (d) => !d.open && d.querySelectorAll('#sample tr[data-o]').length > 0);
  expect('the sample table is collapsed', sampleClosed);

  // Readable at 100%: the computed size of every element that holds text.
  const small = await page.evaluate(() => {
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || !el || el.closest('script, style, title, option')) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < 12) found.push(`${el.tagName} ${size}px "${n.textContent.trim().slice(0, 30)}"`);
    }
    return found;
  });
  expect('no text under 12 px', small.length === 0, small.slice(0, 5).join('; '));

  await page.screenshot({ path: screenshot, fullPage: true });

  // Filtering by one outcome hides the others: bars, outcome rows, legend and sample.
  const complaint = await page.$eval('#f-outcome', (s) => [...s.options].find((o) => o.textContent === 'Complaint').value);
  await page.selectOption('#f-outcome', complaint);
  const shown = await page.evaluate((keep) => {
    const visible = (el) => getComputedStyle(el).display !== 'none' && !el.closest('.hidden');
    const other = (sel) => [...document.querySelectorAll(sel)].filter((el) => el.dataset.o !== keep && visible(el)).length;
    const kept = (sel) => [...document.querySelectorAll(sel)].filter((el) => el.dataset.o === keep && visible(el)).length;
    return { bars: other('#over-time rect.seg'), rows: other('#outcomes tr[data-o]'), legend: other('#outcome-legend span'),
             sample: other('#sample tr[data-o]'), keptBars: kept('#over-time rect.seg'), keptRows: kept('#outcomes tr[data-o]'),
             total: +document.getElementById('shown-total').textContent,
             row: +document.querySelector(`#outcomes tr[data-o="${keep}"] td.n`).textContent };
  }, complaint);
  expect('filtering by one outcome hides the others', shown.bars === 0 && shown.rows === 0 && shown.legend === 0 && shown.sample === 0
         && shown.keptBars > 0 && shown.keptRows === 1 && shown.total === shown.row, JSON.stringify(shown));
  await page.screenshot({ path: screenshot.replace(/\.png$/, '-complaint.png'), fullPage: false });
  // Printed (A4 portrait is about 700 CSS px between margins): both charts fit the page's width,
  // scaled down, rather than running off its edge.
  await page.setViewportSize({ width: 700, height: 900 });
  await page.emulateMedia({ media: 'print' });
  const overflow = await page.evaluate(() => [...document.querySelectorAll('.chart svg')].map((svg) => {
    const box = svg.getBoundingClientRect();
    return { id: svg.id || svg.querySelector('title')?.textContent || 'svg', right: Math.round(box.right), height: Math.round(box.height) };
  }).filter((c) => c.right > document.documentElement.clientWidth || c.height === 0));
  expect('printed, the charts fit the page width', overflow.length === 0, JSON.stringify(overflow));
  await page.emulateMedia({ media: 'screen' });
  expect('no network requests', requests.length === 0, requests.join(', '));
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`browser DOM check failed: ${failures.length} of the checks`);
  process.exit(1);
}
console.log('browser DOM check passed');
