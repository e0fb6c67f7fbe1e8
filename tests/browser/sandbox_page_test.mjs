// The sandbox chat page in a real browser (Debian's chromium, headless, through playwright-core):
// the customer orders by text, taps Checkout and attaches a screenshot; the owner taps Approve;
// both phones must show the expected messages. Screenshots of both phones are saved.
// Usage: node sandbox_page_test.mjs PAGE_URL ARTIFACT_DIR
import { chromium } from "playwright-core";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";

const [pageUrl, artifacts] = process.argv.slice(2);
if (!pageUrl || !artifacts) {
  console.error("usage: node sandbox_page_test.mjs PAGE_URL ARTIFACT_DIR");
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "chatshop-chromium-"));
const customer = "91987" + String(Math.floor(Math.random() * 1e7)).padStart(7, "0");
// The payment screenshot: a 160×90 green PNG, made here (no files to ship).
function solidPng(width, height, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;  // bit depth
  header[9] = 2;  // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3).map((_, i) => [r, g, b][i % 3])]);
  const pixels = deflateSync(Buffer.concat(Array(height).fill(row)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
                        chunk("IHDR", header), chunk("IDAT", pixels), chunk("IEND", Buffer.alloc(0))]);
}
const png = solidPng(160, 90, [37, 211, 102]);

const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  // The machine has no internet and runs as root.
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"],
  viewport: { width: 1000, height: 820 },
});
let failed = false;
const page = context.pages()[0] || await context.newPage();
const customerPhone = page.locator("#phone-customer");
const ownerPhone = page.locator("#phone-owner");
// Waits until `phone` shows a message containing `text`; returns that message.
async function expectMessage(phone, text, timeout = 30000) {
  const message = phone.locator(".msg", { hasText: text }).last();
  await message.waitFor({ state: "visible", timeout });
  console.log(`ok: ${await phone.getAttribute("id")} shows "${text}"`);
  return message;
}
try {
  await page.goto(pageUrl);
  await page.fill("#customer", customer);
  const type = async (phone, text) => {
    await phone.locator("input[type=text]").fill(text);
    await phone.locator("form button").click();
  };

  await type(customerPhone, "2 maggi, 1 kg sugar");
  const bill = await expectMessage(customerPhone, "Your bill from Sharma Kirana");
  await expectMessage(customerPhone, "2 × Maggi 2-Minute Noodles 70g");
  // The sandbox reports sent → delivered → read with status webhooks; the ticks follow them.
  await bill.locator(".ticks.read").waitFor({ state: "visible", timeout: 15000 });
  if ((await bill.locator(".ticks").textContent()) !== "✓✓") throw new Error("read ticks are not ✓✓");
  console.log("ok: the bill's ticks turned blue (read)");
  await bill.getByRole("button", { name: "Checkout" }).click();
  await expectMessage(customerPhone, "Checkout");  // the tap, on the customer's side
  await expectMessage(customerPhone, "is reserved for you for 30 minutes");
  await expectMessage(customerPhone, "upi://pay?pa=sharmakirana@okaxis");

  await customerPhone.locator("input[type=file]").setInputFiles(
    { name: "upi-payment.png", mimeType: "image/png", buffer: png });
  await customerPhone.locator(".msg img").last().waitFor({ state: "visible", timeout: 30000 });
  await expectMessage(customerPhone, "has gone to the shop for approval");

  const proof = await expectMessage(ownerPhone, `Payment screenshot for order`, 60000);
  await expectMessage(ownerPhone, `+${customer}`);
  const picture = proof.locator("img");
  await picture.waitFor({ state: "visible" });
  if ((await picture.evaluate((img) => img.naturalWidth)) !== 160) {
    throw new Error("the owner's notice does not show the customer's picture");
  }
  await ownerPhone.locator(".msg", { hasText: `+${customer}` }).last()
    .getByRole("button", { name: "Approve" }).click();
  await expectMessage(ownerPhone, "is now confirmed");
  await expectMessage(customerPhone, "is approved. The shop is packing it now.");

  // A list message opens and a row can be picked: the menu.
  await type(customerPhone, "menu");
  const menu = await expectMessage(customerPhone, "Pick a category");
  await menu.locator(".listbtn").click();
  await menu.locator(".rows div", { hasText: "Snacks" }).click();
  await expectMessage(customerPhone, "tap a product to add one to your cart");
} catch (error) {
  failed = true;
  console.error("FAILED:", error.message);
} finally {
  await customerPhone.screenshot({ path: join(artifacts, "customer-phone.png") }).catch(() => {});
  await ownerPhone.screenshot({ path: join(artifacts, "owner-phone.png") }).catch(() => {});
  await page.screenshot({ path: join(artifacts, "sandbox-page.png") }).catch(() => {});
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  console.log(`screenshots in ${artifacts}`);
}
process.exit(failed ? 1 : 0);
