import axe from 'axe-core';

/** Returns the serious and critical axe violations in `root`. */
export async function seriousViolations(root: Element): Promise<string[]> {
  const results = await axe.run(root, {
    // jsdom does not lay out pages, so contrast is checked by the end-to-end run instead.
    rules: { 'color-contrast': { enabled: false } },
  });
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
