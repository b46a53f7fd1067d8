// axe on the delegation pages that exist only once a request does: the share panel and the
// approval page, in every locale and both modes (family requests, so the company's own flows
// in delegation.spec.ts stay undisturbed).
import { expect, test } from "../support/test";
import { expectNoAxeViolations } from "../support/axe";
import { withdraw } from "../support/delegation";
import { LOCALES, open, pageLocale, signIn, strings } from "../support/kapok";

for (const locale of LOCALES) {
  for (const elderly of [false, true]) {
    test(`share panel and approval page have no axe violations (${locale}, ${elderly ? "elderly" : "standard"})`, async ({
      browser,
      baseURL,
    }) => {
      const s = strings[locale];
      const device = async (username: string) => {
        const context = await browser.newContext({ baseURL, locale, permissions: ["clipboard-read", "clipboard-write"] });
        await context.addInitScript(
          ([l, mode]) => {
            localStorage.setItem("kapok.locale", l);
            localStorage.setItem("kapok.mode", mode);
          },
          [locale, elderly ? "elderly" : "standard"],
        );
        const page = await context.newPage();
        await signIn(page, username);
        return page;
      };
      const daughter = await device("resident");
      await open(daughter, "/resident/family");
      expect(await pageLocale(daughter)).toBe(locale);
      await daughter.getByRole("button", { name: s.delegation.submit }).click();
      await daughter.getByRole("button", { name: s.delegation.copy }).click();
      await expect(daughter.getByRole("status").filter({ hasText: s.delegation.waiting })).toBeVisible();
      await expectNoAxeViolations(daughter, `share panel (${locale}, ${elderly ? "elderly" : "standard"})`);
      const link: string = await daughter.evaluate(() => navigator.clipboard.readText());
      const binding = ((await daughter.getByTestId("binding-code").textContent()) ?? "").trim();

      const mother = await device("elder");
      await mother.goto(link);
      await expect(mother.getByRole("button", { name: s.authorize.approve })).toBeVisible();
      await expectNoAxeViolations(mother, `approval page (${locale}, ${elderly ? "elderly" : "standard"})`);

      // Withdrawn again, so the mother's list of requests stays short.
      await open(daughter, "/resident/family");
      await withdraw(daughter, binding, s);
      await daughter.context().close();
      await mother.context().close();
    });
  }
}
