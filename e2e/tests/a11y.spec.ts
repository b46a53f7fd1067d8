// axe-core (WCAG 2.2 A/AA) on the sign-in page and every shell's home, in every locale,
// in standard and elderly mode.
import { expect, test } from "@playwright/test";
import { expectNoAxeViolations } from "../support/axe";
import { LOCALES, bodyFontSize, heading, open, pageLocale, rememberElderlyMode, signIn, strings } from "../support/kapok";

const PAGES = [
  { name: "sign-in", username: null, heading: (s: any) => s.sign_in.title },
  { name: "resident home", username: "resident", heading: (s: any) => s.shell.resident },
  { name: "enterprise home", username: "staff", heading: (s: any) => s.shell.enterprise },
  { name: "official home", username: "official", heading: (s: any) => s.shell.official },
];

for (const locale of LOCALES) {
  for (const elderly of [false, true]) {
    test.describe(`${locale}, ${elderly ? "elderly" : "standard"} mode`, () => {
      test.use({ locale });
      for (const target of PAGES) {
        test(`${target.name} has no axe violations`, async ({ page }) => {
          if (elderly) await rememberElderlyMode(page);
          // The device remembers this locale, as it does once someone has chosen one.
          await page.addInitScript((l) => localStorage.setItem("kapok.locale", l), locale);
          if (target.username) {
            await signIn(page, target.username);
          } else {
            await open(page, "/");
          }
          expect(await pageLocale(page)).toBe(locale);
          await expect(await heading(page)).toHaveText(target.heading(strings[locale]));
          if (elderly) expect(await bodyFontSize(page)).toBeGreaterThanOrEqual(22);
          await expectNoAxeViolations(page, `${target.name} (${locale}, ${elderly ? "elderly" : "standard"})`);
        });
      }
    });
  }
}
