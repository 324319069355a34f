// End-to-end run of the real app: the built binary in a real window (under Xvfb in CI),
// driven through tauri-driver and WebKitWebDriver. It imports a mailbox, opens a regulatory
// message, completes its decision, checks the task's due time, completes the task, drafts a
// reply and fixes its blocking finding, and saves a screenshot of each screen into
// target/e2e-screenshots for a look after a failure. The README's screenshots come from
// e2e/screenshots.mjs instead.
//
// Usage: node e2e/run.mjs BINARY   (run by scripts/e2e.sh, which starts Xvfb)
// The S/MIME step imports a sample of the test corpus in place: REGMAIL_CORPUS, by default
// ../shared/corpus beside the repository.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import { Session, sleep } from './webdriver.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const binary = resolve(process.argv[2] ?? join(here, '../../target/debug/regmail-desktop'));
const mailbox = join(here, 'fixtures/review.mbox');
const corpus = resolve(process.env.REGMAIL_CORPUS ?? join(here, '../../../shared/corpus'));
const signedSample = join(corpus, 'smime/thunderbird/alice.dsig.SHA256.multipart.eml');
const shots = resolve(here, '../../target/e2e-screenshots');
const port = 4444;
const base = `http://127.0.0.1:${port}`;

let passed = 0;
let failed = 0;
async function step(name, body) {
  try {
    await body();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (err) {
    failed += 1;
    console.log(`not ok - ${name}: ${err.message}`);
    throw err;
  }
}

const work = mkdtempSync(join(tmpdir(), 'regmail-e2e-'));
const driver = spawn('tauri-driver', ['--port', String(port), '--native-driver', '/usr/bin/WebKitWebDriver'], {
  env: { ...process.env, REGMAIL_DB: join(work, 'regmail.db'), REGMAIL_ALERT_INTERVAL_SECS: '2' },
  stdio: ['ignore', 'inherit', 'inherit'],
});

async function screenshot(session, name) {
  mkdirSync(shots, { recursive: true });
  writeFileSync(join(shots, `${name}.png`), await session.screenshot());
}

async function checkAxe(session, screen) {
  await session.execute(axe.source + '; return true;');
  const found = await session.request('POST', '/execute/async', {
    script: `const done = arguments[arguments.length - 1];
      axe.run(document).then((r) => done(r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', '))));`,
    args: [],
  });
  if (found.length > 0) throw new Error(`axe on ${screen}: ${found.join('; ')}`);
}

let session;
try {
  await sleep(1500);
  session = await Session.create(base, binary);
  await session.find('nav');

  await step('imports the mailbox', async () => {
    await session.click('nav li:nth-child(2) button');
    await session.type('#import-path', mailbox);
    await session.click('.path-form button');
    await session.waitForText('[data-testid="report-imported"]', '2');
    await session.waitForText('[data-testid="report-found"]', '2');
    await screenshot(session, 'import');
    await checkAxe(session, 'import');
  });

  await step('lists the regulatory message first', async () => {
    await session.click('nav li:nth-child(1) button');
    const first = await session.waitForContent('.queue-row[aria-posinset="1"]', 'STN 125742/0');
    if (!first.includes('Due')) throw new Error(`first row has no due time: ${first}`);
    // At the default window size the whole due time and time left must show.
    const cut = await session.execute(`return [...document.querySelectorAll('.queue-row .due-time, .queue-row .due-left')]
      .filter((el) => el.scrollWidth > el.clientWidth
        || el.getBoundingClientRect().right > el.closest('.queue-row').getBoundingClientRect().right)
      .map((el) => el.textContent);`);
    if (cut.length > 0) throw new Error(`due times cut off: ${cut.join('; ')}`);
    await screenshot(session, 'queue');
    await checkAxe(session, 'queue');
  });

  await step('opens the message with the HTML sanitized', async () => {
    await session.click('.queue-row[aria-posinset="1"]');
    await session.waitForText('#message-subject', 'STN 125742/0 amendment');
    await session.waitForText('[data-testid="blocked-notice"]', '1 remote image blocked');
    const title = await session.execute('return document.title;');
    if (title === 'pwned') throw new Error('a script from the message ran');
    const scripts = await session.execute('return document.querySelectorAll(".html-body script, .html-body img[src^=http]").length;');
    if (scripts !== 0) throw new Error('the message body kept a script or a remote image');
    await screenshot(session, 'message');
    await checkAxe(session, 'message');
  });

  await step('completes the decision', async () => {
    await session.click('#tab-decision');
    await session.waitForText('[data-testid="disposition"]', 'Accept');
    // The sponsor wrote to the reviewer only, so the RPM was not an addressee (VI.C.6).
    await session.click('input[name="answer-rpm-addressed"][value="no"]');
    await session.waitForText('[data-testid="decision-due"]', 'Wed 2025-03-12 16:30 EDT');
    await screenshot(session, 'decision');
    await checkAxe(session, 'decision');
    await session.click('.decision button[type="submit"]');
    await session.waitForText('.decision [role="status"]', 'Decision saved');
  });

  await step('shows the task with its due time', async () => {
    await session.click('#tab-tasks');
    await session.waitForText('[data-testid="task-due"]', 'Wed 2025-03-12 16:30 EDT');
  });

  await step('raises the overdue alert in the window', async () => {
    await session.waitForText('.alerts', 'Overdue: STN 125742/0', 20_000);
    await screenshot(session, 'tasks');
  });

  await step('completes the task', async () => {
    await session.type('.task input[type="text"]', 'Forwarded to the RPM');
    await session.click('.task button');
    await session.waitForText('.task .status', 'done');
  });

  await step('drafts a reply and fixes its blocking finding', async () => {
    await session.click('nav li:nth-child(4) button');
    await session.waitForText('#settings-title', 'Settings');
    await session.clearByKeys('#reviewer-name');
    await session.type('#reviewer-name', 'Reviewer One');
    await session.type('#reviewer-email', 'reviewer.one@fda.hhs.gov');
    await session.click('.settings > form button[type="submit"]');
    await session.waitForText('.settings [role="status"]', 'Settings saved.');
    await session.type('#dir-stn', '125742');
    await session.type('#dir-sponsor', 'Sponsor Inc');
    await session.type('#dir-domains', 'sponsor.example');
    await session.type('#dir-rpm', 'Marcus Ortega');
    await session.type('#dir-email', 'marcus.ortega@fda.hhs.gov');
    await session.click('.inline-form button[type="submit"]');
    await session.waitForText('.settings [role="status"]', 'Directory entry saved.');

    // With its task done the message is no longer first in the queue, so find its row.
    await session.click('nav li:nth-child(1) button');
    await session.waitForContent('.queue-list', 'STN 125742/0');
    const position = await session.execute(`return [...document.querySelectorAll('.queue-row')]
      .find((row) => row.textContent.includes('STN 125742/0'))?.getAttribute('aria-posinset') ?? null;`);
    if (position === null) throw new Error('the regulatory message is not in the queue');
    await session.click(`.queue-row[aria-posinset="${position}"]`);
    await session.waitForText('#message-subject', 'STN 125742/0 amendment');
    await session.click('#draft-reply');
    await session.waitForProperty('#draft-template', 'value', 'include-rpm');
    await session.waitForProperty('#draft-from', 'value', 'Reviewer One <reviewer.one@fda.hhs.gov>');
    await session.waitForProperty('#draft-to', 'value', 'dana@sponsor.example');
    await session.waitForProperty('#draft-cc', 'value', 'marcus.ortega@fda.hhs.gov');
    await session.waitForProperty('#draft-subject', 'value', 'STN 125742/0');
    if (!(await session.execute('return document.querySelector("#message-subject") !== null;'))) {
      throw new Error('the draft editor hid the message');
    }

    // sponsor.example is not a secure-email partner, so the reply to the sponsor blocks.
    const blocked = await session.waitForContent('[data-testid="finding"]', 'secure-email');
    if (!blocked.includes('Blocking')) throw new Error(`the finding is not blocking: ${blocked}`);
    if (!blocked.includes('SOPP 8119 V.A.1')) throw new Error(`the finding cites no section: ${blocked}`);
    await session.waitForContent('[data-testid="export-reason"]', '1 blocking finding');
    const disabled = await session.attribute('.export-row button', 'aria-disabled');
    if (disabled !== 'true') throw new Error(`export is not disabled: aria-disabled=${disabled}`);
    await screenshot(session, 'draft-blocked');
    await checkAxe(session, 'draft');

    // The fix the finding names: send the Appendix A secure-email instructions instead.
    await session.click('#draft-template option[value="secure-email-setup"]');
    await session.waitForProperty('#draft-exception', 'value', 'general-information');
    await session.waitForContent('[data-testid="export-reason"]', '0 blocking findings');
    const enabled = await session.attribute('.export-row button', 'aria-disabled');
    if (enabled !== 'false') throw new Error(`export is not enabled: aria-disabled=${enabled}`);

    // Findings follow the edits: no recipient blocks, and typing it back clears it.
    await session.clearByKeys('#draft-to');
    await session.waitForContent('[data-testid="finding"]', 'no-recipient');
    const emptied = await session.attribute('.export-row button', 'aria-disabled');
    if (emptied !== 'true') throw new Error(`export is enabled without a recipient: aria-disabled=${emptied}`);
    await session.type('#draft-to', 'dana@sponsor.example');
    await session.waitForContent('[data-testid="export-reason"]', '0 blocking findings');
    const refixed = await session.attribute('.export-row button', 'aria-disabled');
    if (refixed !== 'false') throw new Error(`export is not enabled again: aria-disabled=${refixed}`);
    await screenshot(session, 'draft');
  });

  await step('opens the tasks and settings screens', async () => {
    await session.click('nav li:nth-child(3) button');
    await session.waitForText('#tasks-title', 'Tasks');
    await checkAxe(session, 'tasks');
    await session.click('nav li:nth-child(4) button');
    await session.waitForText('#settings-title', 'Settings');
    await screenshot(session, 'settings');
    await checkAxe(session, 'settings');
  });

  await step('shows the S/MIME badge of a signed message', async () => {
    if (!existsSync(signedSample)) throw new Error(`${signedSample} is missing; set REGMAIL_CORPUS to the corpus folder`);
    await session.click('nav li:nth-child(2) button');
    await session.clear('#import-path');
    await session.type('#import-path', signedSample);
    await session.click('.path-form button');
    await session.waitForText('[data-testid="report-imported"]', '1');
    await session.click('nav li:nth-child(1) button');
    await session.waitForContent('.queue-list', 'clear-signed sig.SHA256');
    await session.execute(`[...document.querySelectorAll('.queue-row')]
      .find((row) => row.textContent.includes('clear-signed sig.SHA256')).click();`);
    await session.waitForText('#message-subject', 'clear-signed sig.SHA256');
    // Thunderbird's test CA is not a trust anchor here, so the intact signature is untrusted.
    await session.waitForText('[data-testid="smime-badge"]', 'Signed but not trusted');
    await session.click('.smime-details summary');
    await session.waitForText('.smime-details', 'Certificate valid at signing time');
    await session.waitForText('.smime-details', 'Not checked');
    await screenshot(session, 'smime');
    await checkAxe(session, 'message with an S/MIME badge');
  });
} catch {
  // reported by step()
} finally {
  if (session) await session.close();
  driver.kill();
}

console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
