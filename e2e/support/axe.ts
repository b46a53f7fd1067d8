import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/** WCAG 2.0, 2.1 and 2.2, levels A and AA. */
export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/**
 * Runs `check` with the window as tall as the page. The shells' tab bar sticks to the bottom
 * of the screen, so at any scroll position it covers whatever scrolls under it, which axe
 * would report as obscured targets; this way every element is seen where the layout puts it
 * (focus itself is kept clear of the bar by scroll-padding).
 */
async function onWholePage<T>(page: Page, check: () => Promise<T>): Promise<T> {
  // Check the page as it settles, not half-loaded: no loading indicator left.
  await expect(page.locator(".kp-loading")).toHaveCount(0, { timeout: 15_000 });
  const viewport = page.viewportSize();
  const pageHeight = () => page.evaluate(() => document.documentElement.scrollHeight);
  // A taller window can change the layout (and so the height) again: settle first.
  let height = await pageHeight();
  for (let i = 0; viewport && height > viewport.height && i < 5; i++) {
    await page.setViewportSize({ width: viewport.width, height });
    const settled = await pageHeight();
    if (settled === height) break;
    height = settled;
  }
  try {
    return await check();
  } finally {
    if (viewport) await page.setViewportSize(viewport);
  }
}

export async function expectNoAxeViolations(page: Page, context: string) {
  const results = await onWholePage(page, () => new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze());
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).join("\n    ")}`,
  );
  expect(summary, `axe violations on ${context}`).toEqual([]);
}

/** Elderly mode aims at AAA contrast (7:1 for text). */
export async function expectEnhancedContrast(page: Page, context: string) {
  const results = await onWholePage(page, () => new AxeBuilder({ page }).withRules(["color-contrast-enhanced"]).analyze());
  const summary = results.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id}: ${n.target.join(" ")} ${n.any.map((a) => a.message).join("; ")}`),
  );
  expect(summary, `enhanced contrast on ${context}`).toEqual([]);
}

/**
 * Every visible interactive element's box, measured: links, buttons, fields, summaries, and
 * for check boxes and radio buttons the label that is their target. Returns those smaller
 * than `min` CSS px in either direction.
 */
export async function smallTargets(page: Page, min: number): Promise<string[]> {
  return page.evaluate((min) => {
    const found: string[] = [];
    const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary";
    for (const element of Array.from(document.querySelectorAll<HTMLElement>(selector))) {
      if (element.closest(".kp-skip-link")) continue;
      const style = getComputedStyle(element);
      if (style.visibility === "hidden" || style.display === "none") continue;
      const target =
        element instanceof HTMLInputElement && (element.type === "checkbox" || element.type === "radio")
          ? (element.closest("label") ?? element)
          : element;
      const box = target.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.width < min - 0.5 || box.height < min - 0.5) {
        found.push(`${target.tagName.toLowerCase()} "${(target.textContent ?? "").trim().slice(0, 30)}" ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return found;
  }, min);
}
