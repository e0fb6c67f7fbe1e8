// The sandbox chat page shows hostile names, texts, button and row titles, template names and
// media types as text: nothing a customer or a shop sends runs as HTML or script. Loads the page
// in headless chromium (playwright-core) after the caller put the messages into the sandbox.
// Usage: node sandbox_escape_test.mjs PAGE_URL CUSTOMER_NUMBER
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [pageUrl, customer] = process.argv.slice(2);
if (!pageUrl || !customer) {
  console.error("usage: node sandbox_escape_test.mjs PAGE_URL CUSTOMER_NUMBER");
  process.exit(2);
}
const profile = mkdtempSync(join(tmpdir(), "chatshop-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"],
});
let failed = false;
try {
  const page = context.pages()[0] || await context.newPage();
  await page.goto(pageUrl);
  await page.fill("#customer", customer);
  const phone = page.locator("#phone-customer");
  // Every hostile message the caller sent ends with this marker; wait until all are shown.
  await page.waitForFunction(
    () => document.querySelector("#phone-customer .chat").textContent.split("#end").length - 1 >= 5,
    null, { timeout: 30000 });
  // An injected <img src=x> would fire onerror once it is complete: wait for every picture.
  await page.waitForFunction(() => [...document.images].every((image) => image.complete), null,
                             { timeout: 10000 });
  const ran = await page.evaluate(() => window.__xss || 0);
  const injected = await phone.locator("img[src='x'], script, iframe, svg[onload]").count();
  const text = await phone.locator(".chat").textContent();
  console.log(text);
  if (ran) throw new Error("a script from a message ran");
  if (injected) throw new Error(`${injected} element(s) from a message were made`);
  for (const shown of ["<img src=x onerror=window.__xss=1>#end text", "<b onclick=x>t</b>",
                       "<script>window.__xss=2</script>", "text/<img src=x onerror=window.__xss=3>",
                       "<img src=x onerror=window.__xss=4>", "<img src=x onerror=window.__xss=5>",
                       "<b onclick=x>body</b>"]) {
    if (!text.includes(shown)) throw new Error(`not shown as text: ${shown}`);
  }
  console.log("ok: every hostile message was shown as text");
} catch (e) {
  failed = true;
  console.error("FAILED:", e.message);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
