// Browser end-to-end check for keikaku.
//
//   KEIKAKU_URL=http://127.0.0.1:18080 node check.mjs     (usually via scripts/e2e)
//
// Crawls the public site breadth-first from "/" in Debian's Chromium and checks
// every page: HTTP 200, <html lang="ja">, a <title>, exactly one <h1>, one <main>,
// a working skip link, no axe-core WCAG 2.0/2.1 A/AA violations, and no
// horizontal scrolling on a 375x812 phone. Then it checks some content (future
// image, the 5 goals, search, 404 page, print). Exit code 1 on any failure; the
// last line is "N passed, M failed".
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';

const BASE = new URL(process.env.KEIKAKU_URL || 'http://127.0.0.1:18080');
const AXE = fileURLToPath(new URL('./node_modules/axe-core/axe.min.js', import.meta.url));
const MAX_PAGES = 400;
const MIN_PAGES = 35;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const FUTURE_IMAGE = 'みつけよう育てよう 郷土の宝 いのち輝く一関';
const GOALS = [
  '地域資源をみがき生かせる 魅力あるまち',
  'みんなが交流して 地域が賑わう 活力あるまち',
  '自ら輝きながら 次代の担い手を応援するまち',
  '郷土の恵みを未来へ引き継ぐ 自然豊かなまち',
  'みんなが安心して暮らせる 笑顔あふれるまち',
];
const SEARCH_PATH = '/search?q=' + encodeURIComponent('子育て');
// A reading in hiragana: the theme list's words make it find 子育て.
const KANA_SEARCH_PATH = '/search?q=' + encodeURIComponent('こそだて');
const NOT_FOUND_PATH = '/this-page-does-not-exist';

// Layout may break lines anywhere, so text is compared with all whitespace
// (including U+3000 ideographic space, which \s covers) removed.
const squash = (s) => s.replace(/\s+/g, '');
const rel = (u) => {
  const x = new URL(u);
  try { return decodeURI(x.pathname + x.search); } catch { return x.pathname + x.search; }
};

const results = [];   // one entry per check: { name, ok, problems: [] }
const violations = new Map(); // axe rule id -> { impact, help, pages: [{ url, targets }] }
const pageTexts = new Map();  // crawled URL -> squashed visible text
const skipped = [];           // links that gave a file (CSV, XLSX, PDF) rather than a page
let pagesChecked = 0;         // pages that went through all per-page checks
const consoleErrors = [];     // console errors of the phone page's current load

function record(name, problems) {
  results.push({ name, ok: problems.length === 0, problems });
  console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${name}`);
}

// Canonical form of a link, or null when it is not to be crawled: other
// origins, /static/, /api/; the fragment is dropped and the query parameters
// are sorted so that ?a=1&b=2 and ?b=2&a=1 are one page.
function normalise(href) {
  let u;
  try { u = new URL(href, BASE); } catch { return null; }
  if (u.origin !== BASE.origin) return null;
  if (u.pathname.startsWith('/static/') || u.pathname.startsWith('/api/')) return null;
  u.hash = '';
  u.searchParams.sort();
  if (u.search === '?') u.search = '';
  return u.href;
}

// Loads url and runs the per-page checks in the desktop page and the phone page.
// Returns { links, text, html }: the page's links and visible text; html is
// false for a file (download), which is neither checked nor crawled further.
// axe-core (WCAG 2.0 and 2.1, A and AA) on the page as it is now; every violation is
// recorded under `label` and returned as a problem.
async function axeCheck(page, label) {
  const problems = [];
  await page.addScriptTag({ path: AXE });
  const axe = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  for (const v of axe.violations) {
    problems.push(`axe ${v.id} (${v.impact}): ${v.nodes.length} node(s)`);
    const entry = violations.get(v.id) || { impact: v.impact, help: v.help, pages: [] };
    entry.pages.push({ url: label, targets: v.nodes.map((n) => n.target.join(' ')) });
    violations.set(v.id, entry);
  }
  return problems;
}

async function checkPage(desk, phone, url, expectStatus = 200) {
  const problems = [];
  let resp;
  try {
    resp = await desk.goto(url, { waitUntil: 'load', timeout: 30_000 });
  } catch (e) {
    // A link to a file (CSV, XLSX, PDF) starts a download rather than a page.
    if (/Download is starting/.test(e.message)) { skipped.push(rel(url)); return { links: [], html: false }; }
    record(rel(url), [`navigation failed: ${e.message.split('\n')[0]}`]);
    return { links: [], html: true };
  }
  // A successful non-HTML response (a file) is not a page; an error is a failure whatever its type.
  const type = resp?.headers()['content-type'] || '';
  if (resp && resp.ok() && !type.startsWith('text/html')) { skipped.push(rel(url)); return { links: [], html: false }; }
  if (!resp || resp.status() !== expectStatus) {
    problems.push(`HTTP status ${resp?.status()} (expected ${expectStatus})`);
  }

  // Document structure, read in one round trip.
  const s = await desk.evaluate(() => ({
    lang: document.documentElement.getAttribute('lang'),
    title: document.title.trim(),
    h1: document.querySelectorAll('h1').length,
    main: document.querySelectorAll('main, [role="main"]').length,
    text: document.body ? document.body.innerText : '',
    links: [...document.querySelectorAll('a[href]:not([download])')].map((a) => a.href),
  }));
  if (s.lang !== 'ja') problems.push(`<html lang> is ${JSON.stringify(s.lang)}, expected "ja"`);
  if (!s.title) problems.push('empty or missing <title>');
  if (s.h1 !== 1) problems.push(`${s.h1} <h1> elements, expected exactly 1`);
  if (s.main !== 1) problems.push(`${s.main} <main> landmarks, expected exactly 1`);

  // Skip link: the first Tab from the top of the page must land on an
  // a[href^="#"] whose target exists, and the link must be visible then.
  await desk.evaluate(() => document.activeElement?.blur());
  await desk.keyboard.press('Tab');
  const skip = await desk.evaluate(() => {
    const a = document.activeElement;
    if (!a || a === document.body) return 'Tab focuses nothing';
    const href = a.getAttribute('href') || '';
    if (a.localName !== 'a' || !href.startsWith('#') || href.length < 2) {
      return `first focusable element is <${a.localName}${href ? ` href="${href}"` : ''}>, not a skip link a[href^="#"]`;
    }
    if (!document.getElementById(decodeURIComponent(href.slice(1)))) return `skip link target ${href} does not exist`;
    const r = a.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return 'skip link is not visible when focused';
    return null;
  });
  if (skip) problems.push(skip);

  // axe-core, WCAG 2.0 and 2.1 levels A and AA.
  problems.push(...await axeCheck(desk, rel(url)));

  // Phone: 375x812 with mobile emulation, so a page without
  // <meta name="viewport" content="width=device-width"> is caught as well.
  // With mobile emulation innerWidth grows to fit overflowing content, so the
  // layout viewport (documentElement.clientWidth) is the width compared with.
  try {
    consoleErrors.length = 0;
    await phone.goto(url, { waitUntil: 'load', timeout: 30_000 });
    const m = await phone.evaluate(() => ({
      scroll: document.scrollingElement.scrollWidth,
      width: Math.min(window.innerWidth, document.documentElement.clientWidth),
    }));
    if (m.width > 376) problems.push(`phone layout viewport is ${m.width}px wide (missing <meta name="viewport">?)`);
    else if (m.scroll > m.width + 1) problems.push(`horizontal scroll on a 375px phone (scrollWidth ${m.scroll} > ${m.width})`);
    // The 404 page logs its own status as a console error; that one is expected.
    for (const c of consoleErrors) if (!(expectStatus === 404 && /\b404\b/.test(c))) problems.push(`console: ${c}`);
  } catch (e) {
    problems.push(`phone navigation failed: ${e.message.split('\n')[0]}`);
  }

  pagesChecked += 1;
  record(rel(url) + (expectStatus !== 200 ? ` (expect ${expectStatus})` : ''), problems);
  return { links: s.links, text: s.text, html: true };
}

// Staff pages, checked after signing in when the script is given an account.
const STAFF_LOGIN = process.env.KEIKAKU_E2E_LOGIN || '';
const STAFF_PASSWORD = process.env.KEIKAKU_E2E_PASSWORD || '';
const STAFF_PAGES = ['/staff', '/staff/audit', '/staff/users',
  // the audit log filtered (who, what, plan, dates), and an element as a version holds it
  '/staff/audit?actor=cli&action=plan.import&plan=sogo-keikaku&from=2025-04-01&to=' + encodeURIComponent('令和9年3月31日'),
  '/staff/plans/sogo-keikaku/versions/1/elements/measure-1-1-1', '/staff/plans/sogo-keikaku/versions',
  '/staff/plans/sogo-keikaku/compare?from=1&to=1', '/staff/tokens', '/staff/plans/sogo-keikaku',
  '/staff/plans/sogo-senryaku/elements/kpi-1-1-1', '/staff/plans/sogo-senryaku/kpi',
  '/staff/plans/sogo-senryaku/kpi/indicators/kpi-2-1-1', '/staff/plans/sogo-senryaku/kpi/2018',
  '/staff/plans/sogo-senryaku/kpi/settings',
  // the table of a kind (read-only while the plan is published)
  '/staff/plans/sogo-senryaku/table?kind=kpi',
  // the verification round: an open one (FY2018) on every page, the published one (FY2017)
  '/staff/plans/sogo-senryaku/kpi/2018/analysis', '/staff/plans/sogo-senryaku/kpi/2018/review',
  '/staff/plans/sogo-senryaku/kpi/2018/panel', '/staff/plans/sogo-senryaku/kpi/2018/responses',
  '/staff/plans/sogo-senryaku/kpi/2017/review', '/staff/plans/sogo-senryaku/kpi/2017/panel',
  // the 実施計画: the list, the published edition, a program (read-only), aggregates, comparison
  '/staff/implementation-plans', '/staff/implementation-plans/2025',
  '/staff/implementation-plans/2025/programs/01-01-001', '/staff/implementation-plans/2025/aggregates',
  '/staff/implementation-plans/2025/diff',
  // the 人口ビジョン: the overview, the vision's form, a census, a scenario, the new ones
  '/staff/population', '/staff/population/vision', '/staff/population/censuses/2020',
  '/staff/population/censuses/new', '/staff/population/scenarios/kihon',
  '/staff/population/scenarios/new',
  // the department list and the theme list
  '/staff/departments', '/staff/themes',
  // a version read as pages, with the form that names it
  '/staff/plans/sogo-keikaku/versions/1'];
// The edition being made, after the published one is rolled on /staff/implementation-plans.
const ROLLED_PAGES = ['/staff/implementation-plans/2026', '/staff/implementation-plans/2026/programs/01-01-001',
  '/staff/implementation-plans/2026/programs/new', '/staff/implementation-plans/2026/aggregates',
  '/staff/implementation-plans/2026/diff'];
// Public pages the crawl must reach (linked from the plans' pages).
const PUBLIC_PAGES = ['/plans/sogo-senryaku/kpi/2017', '/plans/sogo-senryaku/kpi',
  '/plans/sogo-senryaku/kpi/indicators/kpi-2-1-1', '/plans/sogo-keikaku/kpi',
  '/plans/sogo-keikaku/kpi/indicators/outcome-3-1-2-1',
  '/implementation-plans', '/implementation-plans/2025', '/implementation-plans/2025/programs/01-01-001',
  '/implementation-plans/2025/aggregates',
  '/population', '/population/scenarios/kihon', '/population/scenarios/ikou-kinkou',
  // the themes: the list and a theme's page (linked from the home page)
  '/themes', '/themes/kosodate',
  // a published version read as pages
  '/plans/sogo-keikaku/versions/1'];
// Editing forms, checked after the comprehensive plan is moved back to 審議中 (editable).
const EDIT_PAGES = ['/staff/plans/sogo-keikaku', '/staff/plans/sogo-keikaku/elements/measure-1-1-1',
  '/staff/plans/sogo-keikaku/elements/priority-project-1', '/staff/plans/sogo-keikaku/header',
  '/staff/plans/sogo-keikaku/new?kind=measure&parent=field-1-1',
  '/staff/plans/sogo-keikaku/elements/outcome-3-1-2-1',
  '/staff/plans/sogo-keikaku/new?kind=outcome_indicator&parent=measure-1-1-1',
  '/staff/plans/sogo-keikaku/compare?from=1&to=current',
  // the tables: one kind shown, and a row in edit mode
  '/staff/plans/sogo-keikaku/table?kind=outcome_indicator',
  '/staff/plans/sogo-keikaku/table?kind=measure&edit=measure-1-1-1',
  // the confirmation of 「前期基本計画から始める」 on the empty 後期基本計画
  '/staff/plans/sogo-keikaku/basic-plans/basic-plan-second/start',
  // the elements workbook's upload form
  '/staff/plans/sogo-keikaku/import'];
// A table row in edit mode, refused for a value that is not a number.
const TABLE_ROW = '/staff/plans/sogo-keikaku/table?kind=outcome_indicator&edit=outcome-3-1-2-1';

// A deleted element restored from a version, without JavaScript: delete a leaf on its page,
// find it in the audit log (named, linked to its last version), open it there, 「この版から復元する」,
// the confirmation page, and back on the element's page.
const RESTORED = 'basic-plan-first-approach-3';
async function checkRestore(desk, phone) {
  try {
    await desk.goto(new URL(`/staff/plans/sogo-keikaku/elements/${RESTORED}`, BASE).href, { waitUntil: 'load' });
    // The delete button leads to its confirmation page, whose button deletes.
    await Promise.all([desk.waitForLoadState('load'), desk.click('.delete-form button[type=submit]')]);
    await Promise.all([desk.waitForLoadState('load'), desk.click('.delete-form button[type=submit]')]);
    // The filtered audit log names the deleted element and links to the last version that
    // holds it (the one frozen when the plan went back to 審議中).
    const logUrl = new URL('/staff/audit?action=element.delete&from=' + encodeURIComponent('令和7年4月1日'), BASE).href;
    await checkPage(desk, phone, logUrl);
    await desk.goto(logUrl, { waitUntil: 'load' });
    const link = desk.locator(`a[href^="/staff/plans/sogo-keikaku/versions/"][href$="/elements/${RESTORED}"]`).first();
    const versionPage = (await link.getAttribute('href').catch(() => null))
      || `/staff/plans/sogo-keikaku/versions/1/elements/${RESTORED}`;
    record('the audit log links a deleted element to its version',
      versionPage.includes('/versions/') && (await link.count()) > 0 ? [] : ['no link']);
    await checkPage(desk, phone, new URL(versionPage, BASE).href);
    await desk.goto(new URL(versionPage, BASE).href, { waitUntil: 'load' });
    await Promise.all([desk.waitForLoadState('load'), desk.click('text=この版から復元する')]);
    const asked = await desk.locator('h1').textContent();
    record('a restore asks first', (asked || '').includes('を復元しますか') ? [] : [`h1: ${asked}`]);
    await checkPage(desk, phone, new URL(`${versionPage}/restore`, BASE).href);
    await desk.goto(new URL(`${versionPage}/restore`, BASE).href, { waitUntil: 'load' });
    await Promise.all([desk.waitForURL('**/elements/*?done=restored*'),
      desk.click('form.edit-form button[type=submit]')]);
    record('an element is restored from its version', []);
  } catch (e) {
    record('an element is restored from its version', [String(e).split('\n')[0]]);
  }
}

// The 実施計画's yearly cycle in the browser: roll the published edition with the button on
// /staff/implementation-plans, check the new edition's pages, save a program whose 財源 do not
// add up (refused next to its field, what was typed kept), and upload a department's sheet to
// its preview.
async function checkRolled(desk, phone) {
  try {
    await desk.goto(new URL('/staff/implementation-plans', BASE).href, { waitUntil: 'load' });
    await Promise.all([desk.waitForURL('**/staff/implementation-plans?done=rolled*'),
      desk.click('form[action="/staff/implementation-plans/roll"] button[type=submit]')]);
    record('roll the published edition into the next', []);
  } catch (e) {
    record('roll the published edition into the next', [String(e).split('\n')[0]]);
    return;
  }
  for (const path of ROLLED_PAGES) await checkPage(desk, phone, new URL(path, BASE).href);
  try {
    await desk.goto(new URL(ROLLED_PAGES[1], BASE).href, { waitUntil: 'load' });
    await desk.fill('#program-y2027-general', '1');
    await Promise.all([desk.waitForLoadState('load'), desk.click('.program-form button[type=submit]')]);
    const message = await desk.locator('#program-y2027-cost-error').textContent().catch(() => '');
    const kept = await desk.inputValue('#program-y2027-general').catch(() => '');
    record('a 財源 that does not add up is refused next to 事業費, the input kept',
      (message || '').includes('財源の合計') && kept === '1' ? [] : [`message: ${message}; kept: ${kept}`]);
    const axeProblems = await axeCheck(desk, 'program form with errors');
    record('program form with errors: no axe violations', axeProblems);
    const csv = await (await desk.request.get(new URL('/staff/implementation-plans/2026/sheet?format=csv&department=' +
      encodeURIComponent('農政課'), BASE).href)).body();
    await desk.goto(new URL('/staff/implementation-plans/2026', BASE).href, { waitUntil: 'load' });
    await desk.setInputFiles('#import-file', { name: 'nosei.csv', mimeType: 'text/csv', buffer: csv });
    await Promise.all([desk.waitForLoadState('load'), desk.click('.upload-form button[type=submit]')]);
    const heading = await desk.locator('h1').textContent();
    record('a department sheet goes to its preview', (heading || '').includes('事業一覧の取り込み') ? [] : [`h1: ${heading}`]);
    record('sheet preview: no axe violations', await axeCheck(desk, 'sheet preview'));
  } catch (e) {
    record('program form and sheet preview', [String(e).split('\n')[0]]);
  }
}

// The 人口ビジョン in the browser: derive a scenario from 基本推計 by a fertility path, refused
// first for a line that cannot be read (what was typed kept, the form open), then made and
// projected in one action; its page is checked like every other.
async function checkPopulation(desk, phone) {
  try {
    await desk.goto(new URL('/staff/population', BASE).href, { waitUntil: 'load' });
    await desk.click('details.derive summary');
    await desk.fill('#derive-id', 'shussei-e2e');
    await desk.check('#derive-rule-fertility');
    await desk.fill('#derive-base-tfr', '1.45');
    await desk.fill('#derive-points', '2030 1.6\nいつか 2.07');
    await Promise.all([desk.waitForLoadState('load'), desk.click('details.derive button[type=submit]')]);
    const alert = await desk.locator('.notice--error').textContent().catch(() => '');
    const kept = await desk.inputValue('#derive-points').catch(() => '');
    record('a fertility path that cannot be read is refused, what was typed kept',
      (alert || '').includes('2行目') && kept.includes('いつか') ? [] : [`alert: ${alert}; kept: ${kept}`]);
    record('derive form with errors: no axe violations', await axeCheck(desk, 'derive form with errors'));
    await desk.fill('#derive-points', '2030 1.6\n2040 1.8\n2060 2.07');
    await Promise.all([desk.waitForURL('**/staff/population?done=derived*'),
      desk.click('details.derive button[type=submit]')]);
    record('a scenario is derived and projected in one action', []);
  } catch (e) {
    record('a scenario is derived and projected in one action', [String(e).split('\n')[0]]);
    return;
  }
  await checkPage(desk, phone, new URL('/staff/population/scenarios/shussei-e2e', BASE).href);
}

// The department list: a phone number that cannot be read is refused at its cell, what was
// typed kept; the page with its errors passes axe.
async function checkDepartments(desk) {
  try {
    await desk.goto(new URL('/staff/departments', BASE).href, { waitUntil: 'load' });
    await desk.fill('#dept-0-phone', 'でんわ');
    await Promise.all([desk.waitForLoadState('load'), desk.click('.departments-form button[type=submit]')]);
    const alert = await desk.locator('.notice--error').textContent().catch(() => '');
    const kept = await desk.inputValue('#dept-0-phone').catch(() => '');
    record('department list: a bad phone number is refused at its row, what was typed kept',
      (alert || '').includes('1行目の電話番号') && kept === 'でんわ' ? [] : [`alert: ${alert}; kept: ${kept}`]);
    record('department list with errors: no axe violations', await axeCheck(desk, 'department list with errors'));
  } catch (e) {
    record('department list: a bad phone number is refused at its row', [String(e).split('\n')[0]]);
  }
}

// Signs in through the login form, as a person would.
async function signIn(page) {
  await page.goto(new URL('/login', BASE).href, { waitUntil: 'load' });
  await page.fill('#login-id', STAFF_LOGIN);
  await page.fill('#login-password', STAFF_PASSWORD);
  await Promise.all([page.waitForURL('**/staff'), page.click('.login-form button[type=submit]')]);
}

async function main() {
  // playwright's launch() gives Chromium a fresh temporary --user-data-dir
  // itself (and deletes it on close); it refuses one passed in args.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    // bypassCSP lets addScriptTag inject axe-core despite the app's
    // Content-Security-Policy (script-src 'self'); the phone context keeps
    // the policy, and console errors there (CSP, broken assets) are reported.
    const desk = await (await browser.newContext({
      viewport: { width: 1280, height: 900 }, locale: 'ja-JP', bypassCSP: true,
    })).newPage();
    const phone = await (await browser.newContext({
      viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, locale: 'ja-JP',
    })).newPage();
    phone.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text().split('\n')[0]); });
    phone.on('pageerror', (err) => consoleErrors.push(`uncaught ${err.message.split('\n')[0]}`));

    // 1. Breadth-first crawl from "/".
    const start = normalise('/');
    const queue = [start];
    const seen = new Set(queue);
    let capped = false;
    while (queue.length > 0) {
      const url = queue.shift();
      const { links, text, html } = await checkPage(desk, phone, url);
      if (!html) continue;
      if (text !== undefined) pageTexts.set(url, squash(text));
      for (const href of links) {
        const n = normalise(href);
        if (!n || seen.has(n)) continue;
        if (seen.size >= MAX_PAGES) { capped = true; break; }
        seen.add(n);
        queue.push(n);
      }
    }
    console.log(`\ncrawled ${pageTexts.size} HTML pages from ${BASE.origin}${capped ? ` (capped at ${MAX_PAGES})` : ''}`);
    if (skipped.length) console.log(`not pages (files), not checked: ${skipped.join(' ')}`);
    console.log('');

    // 2. Content checks.
    record(`at least ${MIN_PAGES} distinct pages`,
      pageTexts.size >= MIN_PAGES ? [] : [`only ${pageTexts.size} pages reachable from /`]);
    record('home page shows the future image',
      (pageTexts.get(start) || '').includes(squash(FUTURE_IMAGE)) ? [] : [`「${FUTURE_IMAGE}」 not on /`]);
    for (const path of PUBLIC_PAGES) {
      record(`${path} reached by the crawl`, seen.has(normalise(path)) ? [] : ['not linked from any crawled page']);
    }
    {
      const strategy = pageTexts.get(normalise('/plans/sogo-senryaku')) || '';
      record('the strategy page says its period has ended (2015〜2019)',
        strategy.includes('計画期間終了') ? [] : ['「計画期間終了」 not on /plans/sogo-senryaku']);
      record('the home page links to the city\'s own website',
        (pageTexts.get(start) || '').includes('一関市ホームページへ') ? [] : ['「一関市ホームページへ」 not on /']);
    }
    for (const goal of GOALS) {
      const found = [...pageTexts.values()].some((t) => t.includes(squash(goal)));
      record(`goal 「${goal}」 on some page`, found ? [] : ['not found on any crawled page']);
    }

    // Search: result links are the links in <main> for 子育て that a search
    // for a nonsense word does not show (so navigation and forms don't count).
    const mainLinks = () => desk.evaluate(() =>
      [...document.querySelectorAll('main a[href]')].map((a) => a.getAttribute('href')));
    if (!seen.has(normalise(SEARCH_PATH))) await checkPage(desk, phone, new URL(SEARCH_PATH, BASE).href);
    await desk.goto(new URL('/search?q=zzqxjv', BASE).href);
    const noHits = new Set(await mainLinks());
    await desk.goto(new URL(SEARCH_PATH, BASE).href);
    const hits = (await mainLinks()).filter((h) => !noHits.has(h) && !h.startsWith('#'));
    record('search for 子育て shows a result link', hits.length > 0 ? [] : ['no result links in <main>']);
    await checkPage(desk, phone, new URL(KANA_SEARCH_PATH, BASE).href);
    await desk.goto(new URL(KANA_SEARCH_PATH, BASE).href);
    const kanaHits = (await mainLinks()).filter((h) => !noHits.has(h) && !h.startsWith('#'));
    record('search for こそだて finds 子育て', kanaHits.length > 0 ? [] : ['no result links in <main>']);
    // The search page's own box keeps its width and its button one line, on a desk and a phone
    // (it once shrank to ~20 px at 1280 px with the button wrapping to 「検／索」).
    for (const [name, page] of [['1280px', desk], ['375px', phone]]) {
      await page.goto(new URL(KANA_SEARCH_PATH, BASE).href);
      const box = await page.evaluate(() => {
        const input = document.querySelector('#page-search').getBoundingClientRect();
        const button = document.querySelector('.search-form--page button');
        const lineHeight = parseFloat(getComputedStyle(button).lineHeight) || 24;
        return { input: input.width, button: button.getBoundingClientRect().height, lineHeight };
      });
      const problems = [];
      if (box.input < 200) problems.push(`the search box is ${box.input}px wide`);
      if (box.button > box.lineHeight * 2 + 24) problems.push(`the search button wraps (${box.button}px high)`);
      record(`the search page's box is laid out at ${name}`, problems);
    }

    // 404 page: same per-page checks (status 404), plus Japanese text.
    const nf = await checkPage(desk, phone, new URL(NOT_FOUND_PATH, BASE).href, 404);
    record('404 page is in Japanese',
      /[\u3040-\u30ff\u4e00-\u9fff]/.test(nf.text || '') ? [] : ['no Japanese text on the 404 page']);

    // Staff pages (signed in): the same per-page checks, axe included.
    if (STAFF_LOGIN) {
      let signedIn = true;
      try {
        await signIn(desk);
        await signIn(phone);
      } catch (e) {
        signedIn = false;
        record('sign in through the login form', [String(e).split('\n')[0]]);
      }
      if (signedIn) {
        record('sign in through the login form', []);
        for (const path of STAFF_PAGES) await checkPage(desk, phone, new URL(path, BASE).href);
        await checkRolled(desk, phone);
        await checkPopulation(desk, phone);
        await checkDepartments(desk);
        // Revise the published plan: its status form on /staff moves it back to 審議中.
        try {
          await desk.goto(new URL('/staff', BASE).href, { waitUntil: 'load' });
          // The button asks first, on a page of its own; its button makes the change.
          await Promise.all([desk.waitForLoadState('load'),
            desk.click('form[action="/staff/plans/sogo-keikaku/status"] button[type=submit]')]);
          const asked = await desk.locator('h1').textContent();
          record('a status change asks first', (asked || '').includes('計画の状態を変更しますか') ? [] : [`h1: ${asked}`]);
          record('status confirmation: no axe violations', await axeCheck(desk, 'status confirmation'));
          await Promise.all([desk.waitForURL('**/staff?changed=*'),
            desk.click('form[action="/staff/plans/sogo-keikaku/status"] button[type=submit]')]);
          record('move the plan back to 審議中 for a revision', []);
          for (const path of EDIT_PAGES) await checkPage(desk, phone, new URL(path, BASE).href);
          // A save with an empty title is refused with the message next to the field.
          await desk.goto(new URL(EDIT_PAGES[1], BASE).href, { waitUntil: 'load' });
          await desk.fill('#field-title', '');
          await Promise.all([desk.waitForLoadState('load'), desk.click('.edit-form button[type=submit]')]);
          const message = await desk.locator('#error-title').textContent().catch(() => '');
          record('an empty title is refused next to the field',
            (message || '').includes('名称を入力してください') ? [] : [`no message: ${message}`]);
          // The delete button asks first, on a page of its own (a measure with indicators and
          // programs under it: the page says why it is kept, and nothing is deleted).
          await desk.goto(new URL(EDIT_PAGES[1], BASE).href, { waitUntil: 'load' });
          await Promise.all([desk.waitForLoadState('load'), desk.click('.delete-form button[type=submit]')]);
          const deleting = await desk.locator('h1').textContent();
          record('a deletion asks first', (deleting || '').includes('を削除しますか') ? [] : [`h1: ${deleting}`]);
          record('delete confirmation: no axe violations', await axeCheck(desk, 'delete confirmation'));
          // A table row with a value that is not a number comes back in edit mode, the
          // message at its cell and what was typed kept.
          await desk.goto(new URL(TABLE_ROW, BASE).href, { waitUntil: 'load' });
          await desk.fill('#cell-target_value', '多い');
          await Promise.all([desk.waitForLoadState('load'), desk.click('#row-form button[type=submit]')]);
          const cellMessage = await desk.locator('#cell-target_value-error').textContent().catch(() => '');
          const cellKept = await desk.inputValue('#cell-target_value').catch(() => '');
          record('a table row that is not a number is refused at its cell, the input kept',
            (cellMessage || '').includes('数値') && cellKept === '多い' ? [] : [`message: ${cellMessage}; kept: ${cellKept}`]);
          record('table row with errors: no axe violations', await axeCheck(desk, 'table row with errors'));
          await checkRestore(desk, phone);
          // The elements workbook downloaded and uploaded again: its preview (no change).
          const workbook = await (await desk.request.get(
            new URL('/staff/plans/sogo-keikaku/workbook', BASE).href)).body();
          await desk.goto(new URL('/staff/plans/sogo-keikaku/import', BASE).href, { waitUntil: 'load' });
          await desk.setInputFiles('#import-file', { name: 'elements.xlsx',
            mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: workbook });
          await Promise.all([desk.waitForLoadState('load'), desk.click('.upload-form button[type=submit]')]);
          const previewText = await desk.locator('main').textContent().catch(() => '');
          record('the elements workbook goes to its preview',
            (previewText || '').includes('違う要素はありません') ? [] : ['no preview of the workbook']);
          record('workbook preview: no axe violations', await axeCheck(desk, 'workbook preview'));
        } catch (e) {
          record('move the plan back to 審議中 for a revision', [String(e).split('\n')[0]]);
        }
      }
    }

    // Print: the home page printed still shows the future image.
    await desk.emulateMedia({ media: 'print' });
    await desk.goto(start, { waitUntil: 'load' });
    const printed = squash(await desk.evaluate(() => document.body.innerText));
    record('home page printed shows the future image',
      printed.includes(squash(FUTURE_IMAGE)) ? [] : ['future image hidden in print media']);
  } finally {
    await browser.close();
  }
}

function summary() {
  const failed = results.filter((r) => !r.ok);
  console.log(`\n== pages checked: ${pagesChecked}; checks: ${results.length}, failed: ${failed.length}`);
  for (const r of failed) {
    console.log(`FAIL ${r.name}`);
    for (const p of r.problems) console.log(`     - ${p}`);
  }
  if (violations.size > 0) {
    console.log(`\n== axe violations by rule (${AXE_TAGS.join(', ')})`);
    for (const [id, v] of [...violations].sort((a, b) => b[1].pages.length - a[1].pages.length)) {
      console.log(`${id} [${v.impact}] ${v.help}: ${v.pages.length} page(s)`);
      for (const p of v.pages) {
        const more = p.targets.length > 3 ? ` (+${p.targets.length - 3} more)` : '';
        console.log(`   ${p.url}  ${p.targets.slice(0, 3).join(' | ')}${more}`);
      }
    }
  }
  console.log(`\n${results.length - failed.length} passed, ${failed.length} failed`);
  return failed.length === 0;
}

try {
  await main();
} catch (e) {
  // A crash (no browser, server gone) is a failure of its own.
  console.error(`check.mjs aborted: ${e.stack || e}`);
  record('run completed', [String(e.message || e).split('\n')[0]]);
}
process.exitCode = summary() ? 0 : 1;
