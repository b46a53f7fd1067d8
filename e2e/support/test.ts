// The suite's `test`: Playwright's, failing any test in which the app left an error uncaught on
// one of its pages. A panic in the app's wasm shows there as "unreachable"; it may leave the
// page looking alive, so a test that only reads the screen would not see it.
import { type BrowserContext, expect, test as base } from "@playwright/test";

export const test = base.extend<{
  uncaught: void;
  uncaughtExpected: RegExp[];
  /** Watches a context the test opened in a browser it launched itself (a phone with a camera). */
  watchUncaught: (context: BrowserContext) => void;
}>({
  // What a test brings about on purpose (the app's files not arriving) and may leave uncaught.
  uncaughtExpected: [[], { option: true }],
  watchUncaught: async ({ uncaughtExpected }, use) => {
    const errors: string[] = [];
    await use((c) =>
      c.on("weberror", (e) => {
        const url = e.page()?.url() ?? "";
        const { message, stack } = e.error();
        // A test's init script runs in the blank page a new tab starts with too, where
        // storage is refused: not the app's.
        if (url === "about:blank" || uncaughtExpected.some((expected) => expected.test(message))) return;
        errors.push(`${url || "a page"}: ${message}\n${stack ?? ""}`);
      }),
    );
    expect(errors, "errors the app left uncaught").toEqual([]);
  },
  uncaught: [
    async ({ context, browser, watchUncaught }, use) => {
      watchUncaught(context);
      // And every context the test opens itself (a second person, a second phone).
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args) => {
        const opened = await newContext(...args);
        watchUncaught(opened);
        return opened;
      };
      try {
        await use();
      } finally {
        browser.newContext = newContext;
      }
    },
    { auto: true },
  ],
});

export { expect };
