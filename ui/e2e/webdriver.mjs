// A minimal W3C WebDriver client over fetch, enough to drive the app through tauri-driver.
// The W3C element key; Object.values covers drivers that use another one.
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecb';

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async create(base, application) {
    const response = await call(base, 'POST', '/session', {
      capabilities: { alwaysMatch: { 'tauri:options': { application } } },
    });
    return new Session(base, response.sessionId);
  }

  request(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  async find(css, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const found = await this.request('POST', '/element', { using: 'css selector', value: css });
        return found[ELEMENT] ?? Object.values(found)[0];
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`element ${css} not found: ${err.message}`);
        await sleep(250);
      }
    }
  }

  /** Waits until `css` exists and its text contains `text`, and returns the text. */
  async waitForText(css, text, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      try {
        last = await this.text(await this.find(css, 1000));
        if (last.includes(text)) return last;
      } catch {
        // not there yet
      }
      if (Date.now() > deadline) throw new Error(`${css} never contained ${JSON.stringify(text)}; last text ${JSON.stringify(last)}`);
      await sleep(250);
    }
  }

  /**
   * Waits until `css` exists and its textContent contains `text`, and returns it. Unlike
   * waitForText it also sees text that is scrolled or cut off by an ellipsis, which
   * WebKitWebDriver leaves out of an element's visible text.
   */
  async waitForContent(css, text, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      last = (await this.execute('return document.querySelector(arguments[0])?.textContent ?? "";', [css])) ?? '';
      if (last.includes(text)) return last;
      if (Date.now() > deadline) throw new Error(`${css} never contained ${JSON.stringify(text)}; last text ${JSON.stringify(last)}`);
      await sleep(250);
    }
  }

  /** Waits until `property` of the element at `css` contains `text`, and returns it. */
  async waitForProperty(css, property, text, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      last = String((await this.execute('return document.querySelector(arguments[0])?.[arguments[1]] ?? "";', [css, property])) ?? '');
      if (last.includes(text)) return last;
      if (Date.now() > deadline) throw new Error(`${css} ${property} never contained ${JSON.stringify(text)}; last ${JSON.stringify(last)}`);
      await sleep(250);
    }
  }

  /** Returns attribute `name` of the element at `css`, or null. */
  attribute(css, name) {
    return this.execute('return document.querySelector(arguments[0])?.getAttribute(arguments[1]) ?? null;', [css, name]);
  }

  /** Selects all text in the field at `css` and deletes it with the keyboard. */
  async clearByKeys(css) {
    // U+E009 presses Control, U+E000 releases the modifiers, U+E003 is Backspace.
    await this.type(css, '\uE009a\uE000\uE003');
  }

  async click(css) {
    await this.request('POST', `/element/${await this.find(css)}/click`, {});
  }

  async type(css, text) {
    await this.request('POST', `/element/${await this.find(css)}/value`, { text });
  }

  async clear(css) {
    await this.request('POST', `/element/${await this.find(css)}/clear`, {});
  }

  async text(element) {
    return this.request('GET', `/element/${element}/text`);
  }

  execute(script, args = []) {
    return this.request('POST', '/execute/sync', { script, args });
  }

  async screenshot() {
    return Buffer.from(await this.request('GET', '/screenshot'), 'base64');
  }

  async close() {
    await this.request('DELETE', '', undefined).catch(() => {});
  }
}

async function call(base, method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok || (json.value && json.value.error)) {
    throw new Error(`${method} ${path}: ${JSON.stringify(json.value ?? json)}`);
  }
  return json.value;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
