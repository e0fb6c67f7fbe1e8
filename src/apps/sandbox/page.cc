#include "apps/sandbox/page.h"

namespace chatshop::sandbox {

// Two phones side by side. Each polls GET /sandbox/chat for its number and sends through
// POST /sandbox/customer/messages, exactly what the tests and the scripted demo use.
const char* const kSandboxPage = R"PAGE(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chatshop sandbox</title>
<style>
  body { margin: 0; font: 15px/1.35 system-ui, sans-serif; background: #d9dbd5; color: #111; }
  header { padding: 10px 16px; background: #075e54; color: #fff; display: flex; gap: 16px;
           align-items: center; flex-wrap: wrap; }
  header h1 { font-size: 17px; margin: 0; }
  header label { font-size: 13px; }
  header input { width: 150px; }
  main { display: flex; gap: 24px; padding: 16px; justify-content: center; flex-wrap: wrap; }
  .phone { width: 380px; height: 720px; background: #efeae2; border: 10px solid #222;
           border-radius: 28px; display: flex; flex-direction: column; overflow: hidden; }
  .phone .top { background: #008069; color: #fff; padding: 10px 14px; }
  .phone .top b { display: block; }
  .phone .top small { opacity: .85; }
  .chat { flex: 1; overflow-y: auto; padding: 10px; display: flex; flex-direction: column; gap: 6px; }
  .msg { max-width: 85%; padding: 6px 9px; border-radius: 8px; white-space: pre-wrap;
         word-wrap: break-word; box-shadow: 0 1px 0.5px rgba(0,0,0,.13); }
  .in { align-self: flex-start; background: #fff; }
  .out { align-self: flex-end; background: #d9fdd3; }
  .msg img { max-width: 100%; border-radius: 6px; display: block; margin-bottom: 4px; }
  .ticks { font-size: 11px; color: #8696a0; float: right; margin-left: 8px; letter-spacing: -3px; }
  .ticks.read { color: #53bdeb; }
  .buttons { display: flex; flex-direction: column; gap: 4px; margin-top: 6px; }
  .buttons button, .listbtn { background: #fff; border: 0; border-top: 1px solid #e5e5e5;
           color: #00a884; padding: 7px; cursor: pointer; font: inherit; }
  .rows { margin-top: 6px; border-top: 1px solid #ddd; }
  .rows div { padding: 6px 4px; cursor: pointer; border-bottom: 1px solid #eee; }
  .rows div small { display: block; color: #667781; }
  .rows div:hover, .buttons button:hover { background: #f5f6f6; }
  form { display: flex; gap: 6px; padding: 8px; background: #f0f2f5; align-items: center; }
  form input[type=text] { flex: 1; padding: 9px; border-radius: 18px; border: 0; font: inherit; }
  form button { border: 0; background: #00a884; color: #fff; border-radius: 18px; padding: 9px 12px; }
  .attach { cursor: pointer; display: flex; color: #54656f; }
  .attach input { display: none; }
  .note { text-align: center; color: #555; font-size: 13px; padding: 4px; }
</style>
</head>
<body>
<header>
  <h1>chatshop sandbox</h1>
  <label>shop phone_number_id <input id="shop" value="106540352242922"></label>
  <label>customer <input id="customer" value="919876543210"></label>
  <label>owner <input id="owner" value="919800000001"></label>
</header>
<main>
  <section class="phone" id="phone-customer"></section>
  <section class="phone" id="phone-owner"></section>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);

// Everything shown comes from customers or shops (names, texts, titles, captions, types): it
// reaches innerHTML only through escaped() or formatted(), and URLs through encodeURIComponent.
function escaped(text) {
  return String(text ?? "").replace(/[&<>"'`]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                                                          "'": "&#39;", "`": "&#96;"}[c]));
}
const mediaUrl = (id) => "/sandbox/page-media/" + encodeURIComponent(String(id ?? ""));

// WhatsApp's formatting: *bold*, _italic_, ~strike~, ```mono```, on escaped text.
function formatted(text) {
  return escaped(text)
    .replace(/```([^`]+)```/g, "<code>$1</code>")
    .replace(/\*([^*\n]+)\*/g, "<b>$1</b>")
    .replace(/(^|\s)_([^_\n]+)_/g, "$1<i>$2</i>")
    .replace(/~([^~\n]+)~/g, "<s>$1</s>");
}

class Phone {
  constructor(element, role) {
    this.role = role;
    this.element = element;
    element.innerHTML = `
      <div class="top"><b>${role === "owner" ? "Shop owner" : "Customer"}</b><small class="who"></small></div>
      <div class="chat"></div>
      <form>
        <label class="attach" title="send a picture (payment screenshot)"><svg width="22" height="22" viewBox="0 0 24 24" aria-label="attach"><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M20 11.5l-8.2 8.2a5 5 0 0 1-7.1-7.1l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4l7.8-7.8"/></svg><input type="file" accept="image/*,application/pdf"></label>
        <input type="text" placeholder="Type a message">
        <button>Send</button>
      </form>`;
    this.chat = element.querySelector(".chat");
    element.querySelector("form").addEventListener("submit", (e) => {
      e.preventDefault();
      const input = element.querySelector("input[type=text]");
      if (input.value.trim()) this.send({text: input.value});
      input.value = "";
    });
    element.querySelector("input[type=file]").addEventListener("change", (e) => {
      const file = e.target.files[0];
      if (!file) return;
      const reader = new FileReader();
      reader.onload = () => this.send({image_base64: reader.result.split(",")[1], mime_type: file.type || "image/png"});
      reader.readAsDataURL(file);
      e.target.value = "";
    });
    this.reset();
  }
  number() { return $(this.role).value.trim(); }
  reset() {
    this.next = 0;
    this.shown = this.number();
    this.chat.innerHTML = "";
    this.element.querySelector(".who").textContent = "+" + this.shown;
  }
  async send(fields) {
    const body = Object.assign({phone_number_id: $("shop").value.trim(), from: this.number(),
                                name: this.role === "owner" ? "Owner" : "Customer"}, fields);
    const res = await fetch("/sandbox/customer/messages", {method: "POST",
      headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    if (!res.ok) this.note("not delivered: " + (await res.text()));
    this.poll();
  }
  note(text) {
    const div = document.createElement("div");
    div.className = "note";
    div.textContent = text;
    this.chat.appendChild(div);
  }
  async poll() {
    if (this.number() !== this.shown) this.reset();
    try {
      const res = await fetch(`/sandbox/chat?number=${encodeURIComponent(this.shown)}&after=${this.next}`);
      const data = await res.json();
      this.next = data.next;
      for (const entry of data.entries) this.show(entry);
      // The shop's messages carry ticks as the status webhooks went: ✓ sent, ✓✓ delivered,
      // blue ✓✓ read.
      for (const [id, status] of Object.entries(data.statuses || {})) {
        const ticks = this.chat.querySelector(`.ticks[data-id="${CSS.escape(id)}"]`);
        if (!ticks) continue;
        ticks.textContent = status === "sent" ? "✓" : "✓✓";
        ticks.className = "ticks " + (status.startsWith("read") ? "read" : status);
      }
    } catch (e) { /* the sandbox is restarting: try again on the next tick */ }
  }
  show(entry) {
    const div = document.createElement("div");
    // This phone's own messages are on the right, the shop's on the left.
    div.className = "msg " + (entry.dir === "in" ? "out" : "in");
    if (entry.dir === "in") {
      if (entry.media_id) {
        div.innerHTML = String(entry.mime_type).startsWith("image/")
          ? `<img src="${mediaUrl(entry.media_id)}" alt="picture">`
          : `📄 ${escaped(entry.mime_type)}`;
      } else if (entry.tapped !== undefined) {
        div.innerHTML = "↩ " + formatted(entry.tapped);
      } else {
        div.innerHTML = formatted(entry.text);
      }
      div.innerHTML += `<span class="ticks" data-id="${escaped(entry.id)}">✓</span>`;
    } else {
      this.render(div, entry.payload);
      const ticks = document.createElement("span");
      ticks.className = "ticks";
      ticks.dataset.id = entry.id;
      div.insertBefore(ticks, div.querySelector(".buttons, .listbtn"));  // after the text
    }
    this.chat.appendChild(div);
    this.chat.scrollTop = this.chat.scrollHeight;
  }
  render(div, payload) {
    if (payload.type === "text") {
      div.innerHTML = formatted(payload.text.body);
      return;
    }
    if (payload.type === "template") {
      const params = (payload.template.components || []).flatMap((c) => c.parameters || []).map((p) => p.text);
      div.innerHTML = `<i>template ${formatted(payload.template.name)}</i> ${formatted(params.join(" · "))}`;
      return;
    }
    if (payload.type !== "interactive") {
      div.textContent = `[${payload.type} message]`;  // textContent: never parsed as HTML
      return;
    }
    const interactive = payload.interactive;
    let html = "";
    if (interactive.header && interactive.header.type === "image") {
      html += `<img src="${mediaUrl(interactive.header.image.id)}" alt="picture">`;
    }
    if (interactive.header && interactive.header.type === "document") {
      const doc = interactive.header.document;
      html += `<a href="/sandbox/page-media/${encodeURIComponent(doc.id)}" target="_blank">📄 ${formatted(doc.filename || "document")}</a><br>`;
    }
    html += formatted(interactive.body ? interactive.body.text : "");
    div.innerHTML = html;
    const action = interactive.action || {};
    if (action.buttons) {
      const box = document.createElement("div");
      box.className = "buttons";
      for (const b of action.buttons) {
        const button = document.createElement("button");
        button.textContent = b.reply.title;
        button.onclick = () => this.send({reply_id: b.reply.id});
        box.appendChild(button);
      }
      div.appendChild(box);
    }
    if (action.sections) {
      const open = document.createElement("button");
      open.className = "listbtn";
      open.textContent = "☰ " + (action.button || "Choose");
      const rows = document.createElement("div");
      rows.className = "rows";
      rows.hidden = true;
      for (const section of action.sections) {
        for (const row of section.rows) {
          const item = document.createElement("div");
          item.innerHTML = formatted(row.title) + (row.description ? `<small>${formatted(row.description)}</small>` : "");
          item.onclick = () => { rows.hidden = true; this.send({reply_id: row.id}); };
          rows.appendChild(item);
        }
      }
      open.onclick = () => { rows.hidden = !rows.hidden; };
      div.appendChild(open);
      div.appendChild(rows);
    }
  }
}

const phones = [new Phone($("phone-customer"), "customer"), new Phone($("phone-owner"), "owner")];
setInterval(() => phones.forEach((p) => p.poll()), 700);
phones.forEach((p) => p.poll());
</script>
</body>
</html>
)PAGE";

}  // namespace chatshop::sandbox
