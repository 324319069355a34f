// Takes the README's screenshots, one per screen, of the real app on the bundled sample
// mailbox (samples/cber-sample.mbox with samples/directory.csv). The sample is imported
// through the Import screen. Three of its messages are then triaged with the command-line
// tool, so that the screens show an accepted message, an unreadable one (a decision to
// record) and one not accepted (a deletion that waits for the acknowledgement).
//
// Usage: node e2e/screenshots.mjs APP_BINARY CLI_BINARY   (run by scripts/screenshots.sh,
// which starts Xvfb)
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session, sleep } from './webdriver.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const app = resolve(process.argv[2] ?? join(root, 'target/debug/regmail-desktop'));
const cli = resolve(process.argv[3] ?? join(root, 'target/debug/regmail'));
const shots = join(root, 'docs/screenshots');
// The same port as e2e/run.mjs; tauri-driver takes the next one (4445) for WebKitWebDriver.
const port = 4444;

const work = mkdtempSync(join(tmpdir(), 'regmail-shots-'));
const db = join(work, 'regmail.db');
// Alerts are checked every 2 s, so those of the triaged tasks fire and are acknowledged
// before the screenshots are taken.
const env = {
  ...process.env,
  REGMAIL_DB: db,
  REGMAIL_USER: 'dana.whitfield@fda.hhs.gov',
  REGMAIL_ALERT_INTERVAL_SECS: '2',
};

/** Runs the command-line tool on the screenshot store and returns its standard output. */
function regmail(...args) {
  return execFileSync(cli, ['--db', db, ...args], { env, encoding: 'utf8' });
}

/** Triages the sample message whose subject is `subject`, with `answers` (KEY=VALUE). */
function triage(subject, answers = []) {
  const messages = JSON.parse(regmail('list', '--json', '--limit', '1000'));
  const found = messages.find((m) => m.subject === subject);
  if (!found) throw new Error(`the sample has no message with subject ${JSON.stringify(subject)}`);
  regmail('triage', String(found.id), '--no-input', '--json', ...answers.flatMap((a) => ['--answer', a]));
}

async function screenshot(session, name) {
  writeFileSync(join(shots, `${name}.png`), await session.screenshot());
  console.log(`saved docs/screenshots/${name}.png`);
}

mkdirSync(shots, { recursive: true });
regmail('directory', 'import', join(root, 'samples/directory.csv'));

const driver = spawn('tauri-driver', ['--port', String(port), '--native-driver', '/usr/bin/WebKitWebDriver'], {
  env,
  stdio: ['ignore', 'inherit', 'inherit'],
});
let session;
let failed = false;
try {
  await sleep(1500);
  session = await Session.create(`http://127.0.0.1:${port}`, app);
  await session.find('nav');

  await session.click('nav li:nth-child(4) button');
  await session.find('#reviewer-name');
  await session.execute(`
    const set = (id, value) => {
      const input = document.getElementById(id);
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    };
    set('reviewer-name', 'Dana Whitfield');
    set('reviewer-email', 'dana.whitfield@fda.hhs.gov');
    return true;`);
  await session.click('.settings form button[type="submit"]');
  await session.waitForText('.settings [role="status"]', 'Settings saved');

  await session.click('nav li:nth-child(2) button');
  await session.type('#import-path', join(root, 'samples/cber-sample.mbox'));
  await session.click('.path-form button');
  await session.waitForText('[data-testid="report-found"]', '300', 60_000);
  await screenshot(session, 'import');

  triage('Encrypted: BP250001 - confidential supplier information');
  triage('Submission of Amendment 28 to BL 125742/12', ['kind=formal-submission']);
  triage('STN 125809 - response to IR #7 (emailed as agreed)', ['kind=agreed']);

  // The triaged tasks are long overdue by now, so their alerts fire; the reviewer
  // acknowledges them all.
  await session.find('.alerts', 30_000);
  await sleep(3000);
  await session.click('.alerts > button');
  for (let tries = 0; (await session.execute('return document.querySelectorAll(".alerts").length;')) > 0; tries++) {
    if (tries > 40) throw new Error('alerts are still shown 10 s after "Acknowledge all"');
    await sleep(250);
  }

  await session.click('nav li:nth-child(1) button');
  await session.waitForContent('.queue-row[aria-posinset="1"]', 'Due');
  await screenshot(session, 'queue');

  await session.type('#queue-search', 'emailed as agreed 125809');
  await session.waitForContent('.queue-count', '1 message');
  await session.click('.queue-row[aria-posinset="1"]');
  await session.waitForText('#message-subject', 'response to IR #7');
  await screenshot(session, 'message');

  await session.click('#tab-decision');
  await session.waitForText('[data-testid="disposition"]', 'Accept');
  await screenshot(session, 'decision');

  await session.click('#tab-message');
  await session.click('#draft-reply');
  await session.find('#draft-template');
  await session.waitForContent('[data-testid="export-reason"]', 'finding');
  await screenshot(session, 'draft');
  await session.click('#draft-reply');

  await session.click('nav li:nth-child(1) button');
  await session.clearByKeys('#queue-search');
  await session.type('#queue-search', 'BP250001 confidential supplier');
  await session.waitForContent('.queue-row[aria-posinset="1"]', 'BP250001');
  await session.click('.queue-row[aria-posinset="1"]');
  await session.waitForText('#message-subject', 'BP250001');
  await session.find('[data-testid="smime-badge"]');
  await session.click('.smime-details summary');
  await screenshot(session, 'smime');

  await session.click('nav li:nth-child(3) button');
  await session.waitForText('#tasks-title', 'Tasks');
  await session.find('.task select');
  await screenshot(session, 'tasks');

  await session.click('nav li:nth-child(4) button');
  await session.waitForText('#settings-title', 'Settings');
  await session.find('input[name="deadline-policy"]');
  await screenshot(session, 'settings');
} catch (err) {
  failed = true;
  console.error(`screenshots failed: ${err.message}`);
  if (session) {
    const failure = join(root, 'target/e2e-screenshots');
    mkdirSync(failure, { recursive: true });
    writeFileSync(join(failure, 'screenshots-failure.png'), await session.screenshot());
    console.error('the window at the failure: target/e2e-screenshots/screenshots-failure.png');
  }
} finally {
  if (session) await session.close();
  driver.kill();
}
process.exit(failed ? 1 : 0);
