import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/** WCAG 2.0, 2.1 and 2.2, levels A and AA. */
export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/**
 * Runs axe on the whole page. The shells' tab bar sticks to the bottom of the screen, so at
 * any scroll position it covers whatever scrolls under it, which axe would report as obscured
 * targets; the window is made as tall as the page for the check, so every element is seen
 * where the layout puts it (focus itself is kept clear of the bar by scroll-padding).
 */
export async function expectNoAxeViolations(page: Page, context: string) {
  const viewport = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  if (viewport && height > viewport.height) await page.setViewportSize({ width: viewport.width, height });
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  if (viewport) await page.setViewportSize(viewport);
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).join("\n    ")}`,
  );
  expect(summary, `axe violations on ${context}`).toEqual([]);
}
