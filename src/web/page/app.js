// mfgcheck serve: the page. Plain JavaScript, no build step, no inline handlers (the
// Content-Security-Policy allows only this file). Everything shown comes from the
// same JSON documents the CLI prints.
"use strict";

const $ = (id) => document.getElementById(id);

// Errors of this page, for its browser test (no console output is expected).
window.mfgcheckErrors = [];
window.addEventListener("error", (e) => window.mfgcheckErrors.push(String(e.message)));
window.addEventListener("unhandledrejection", (e) => window.mfgcheckErrors.push(String(e.reason)));

/** An element with text (never HTML: pasted content is untrusted). */
function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}

/** A command with a copy button. */
function command(text) {
  const row = el("div", undefined, "command");
  row.append(el("code", text));
  const button = el("button", "Copy", "copy");
  button.type = "button";
  button.setAttribute("aria-label", "Copy: " + text);
  button.addEventListener("click", () => {
    navigator.clipboard.writeText(text).then(
      () => { button.textContent = "Copied"; },
      () => { button.textContent = "Select and copy"; }
    );
  });
  row.append(button);
  return row;
}

/** Text with the PowerShell commands in it split out, each with a copy button. */
const CMDLET = /\b((?:New|Set|Get|Test|Import|Export|Remove|Enable|Disable)-[A-Z][A-Za-z]+\b[^.]*)/;
function prose(text) {
  const box = el("div");
  const m = CMDLET.exec(text);
  if (!m) {
    box.append(el("p", text));
    return box;
  }
  const before = text.slice(0, m.index).trim();
  if (before) box.append(el("p", before));
  box.append(command(m[1].trim().replace(/[;,]$/, "")));
  return box;
}

/** Numbered steps, each with its commands' copy buttons. */
function steps(items) {
  const ol = el("ol");
  for (const item of items) {
    const li = el("li");
    li.append(prose(item));
    ol.append(li);
  }
  return ol;
}

function banner(kind, words) {
  const icons = { accepted: "✓", rejected: "✗", undetermined: "?", error: "!", info: "i" };
  const b = el("div", (icons[kind] || "") + " " + words, "banner " + kind);
  b.setAttribute("role", "status");
  return b;
}

function downloadLink(doc, name) {
  const blob = new Blob([JSON.stringify(doc, null, 2) + "\n"], { type: "application/json" });
  const a = el("a", "Download JSON");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  return a;
}

function renderCheck(doc, out) {
  const leaf = doc.leaf;
  const cn = (leaf.subject.match(/CN=([^,]+)/) || [null, leaf.subject])[1];
  const errors = doc.findings.filter((f) => f.severity === "error").map((f) => f.code);
  const why = errors.length ? " (" + errors.join(", ") + ")" : "";
  const words = {
    accepted: "ACCEPTED: the MFG should accept " + cn + " for New-FederationTrust.",
    rejected: "REJECTED: the MFG will not accept " + cn + why + ".",
    undetermined: "UNDETERMINED: the input does not show whether the MFG will accept " + cn + why + ".",
  }[doc.verdict];
  out.append(banner(doc.verdict, words));
  out.append(el("h3", "Chain, leaf first"));
  const chain = el("ol", undefined, "chain");
  doc.chain.forEach((c, i) => {
    const accepted = c.authority && c.authority.accepted_at_evaluation_time;
    const li = el("li", undefined, accepted ? "listed" : "");
    li.append(el("div", c.subject));
    li.append(el("div", "SHA-1 " + c.sha1, "mono"));
    const listed = c.authority
      ? (c.authority.accepted_at_evaluation_time ? "✓ listed: " : "✗ listed, but not accepted on this date: ") + c.authority.name
      : (i === 0 ? "the certificate checked" : "✗ not on the list");
    const from = c.source.fetched ? "fetched from " : "from ";
    li.append(el("div", listed + " · " + from + c.source.file, "muted"));
    chain.append(li);
  });
  if (doc.direct_issuer && !doc.direct_issuer.in_input) {
    const li = el("li", undefined, doc.direct_issuer.allowlisted ? "listed" : "");
    li.append(el("div", doc.direct_issuer.subject));
    li.append(el("div", "not in the input" + (doc.direct_issuer.authority ? "; listed: " + doc.direct_issuer.authority.name : ""), "muted"));
    chain.append(li);
  }
  out.append(chain);
  if (doc.findings.length) {
    out.append(el("h3", "Findings"));
    for (const f of doc.findings) {
      const box = el("div", undefined, "finding");
      const head = el("div");
      head.append(el("span", f.severity + " ", "sev-" + f.severity));
      head.append(el("span", f.code, "code"));
      box.append(head, el("p", f.message));
      if (f.fix) box.append(prose("Fix: " + f.fix));
      out.append(box);
    }
  }
  if (doc.next_steps.length) {
    out.append(el("h3", "Next steps"));
    out.append(steps(doc.next_steps));
  }
  out.append(el("p", "Thumbprint for New-FederationTrust:"), command(leaf.sha1));
  out.append(downloadLink(doc, "mfgcheck-check.json"));
}

function renderTriage(doc, out) {
  if (!doc.recognised.length) {
    out.append(banner("info", doc.facts.exchange_certificates.length ? "Nothing wrong found in the shell output." : "Nothing in this text matches a known error."));
  } else {
    const titles = doc.recognised.map((r) => r.title);
    out.append(banner("rejected", titles.length === 1 ? titles[0] : titles.length + " problems recognised: " + titles.join("; ")));
  }
  for (const r of doc.recognised) {
    const box = el("div", undefined, "finding");
    box.append(el("h3", r.title));
    box.append(el("p", r.what));
    if (r.cause) box.append(el("p", "In this text: " + r.cause));
    box.append(el("p", "Why: " + r.why, "muted"));
    box.append(steps(r.fix));
    if (r.next) box.append(el("p", "Next:"), command(r.next));
    out.append(box);
  }
  if (doc.unjudged && doc.unjudged.length) {
    out.append(el("h3", "Not judged from the paste"));
    const ul = el("ul");
    for (const u of doc.unjudged) ul.append(el("li", u));
    out.append(ul);
  }
  out.append(downloadLink(doc, "mfgcheck-triage.json"));
}

function renderThumbprint(doc, out) {
  for (const v of doc.values) {
    out.append(banner(v.ok ? "accepted" : "info", v.kind + ": " + (v.normalized || v.input)));
    if (v.removed.length) out.append(el("p", "Removed invisible characters: " + v.removed.map((r) => r.char + " " + r.name).join(", ")));
    if (v.normalized) out.append(command(v.normalized));
    for (const m of v.matches) out.append(el("p", "Matches " + m.name + " (" + m.field + ", " + m.status + ")"));
    if (v.error) out.append(el("p", v.error));
  }
  out.append(downloadLink(doc, "mfgcheck-thumbprint.json"));
}

function renderLync(doc, out) {
  out.append(banner(doc.ready ? "accepted" : (doc.verdict === "incomplete" ? "undetermined" : "rejected"), doc.verdict));
  for (const s of doc.scopes) {
    const box = el("div", undefined, "finding");
    box.append(el("h3", s.scope + " (" + s.kind + ")"));
    for (const i of s.issues) box.append(el("p", i.message, i.blocking ? "sev-error" : "sev-warning"));
    for (const c of s.commands) box.append(command(c));
    out.append(box);
  }
  out.append(downloadLink(doc, "mfgcheck-lync.json"));
}

async function submit(event) {
  event.preventDefault();
  const out = $("result");
  out.replaceChildren(el("p", "Checking…", "muted"));
  const data = new FormData();
  for (const f of $("files").files) data.append("file", f, f.name);
  data.append("text", $("text").value);
  data.append("password", $("password").value);
  data.append("at", $("at").value);
  data.append("profile", $("profile").value);
  const own = $("allowlist-file").files[0];
  if (own) data.append("allowlist", own, own.name);
  let response;
  try {
    response = await fetch("/api/analyze", { method: "POST", body: data });
  } catch (e) {
    out.replaceChildren(banner("error", "The server did not answer: " + e));
    return;
  }
  const doc = await response.json().catch(() => ({ error: "not a JSON answer (HTTP " + response.status + ")" }));
  out.replaceChildren();
  if (!response.ok) {
    out.append(banner("error", doc.error || "HTTP " + response.status));
    if (doc.password_needed) {
      $("password-row").hidden = false;
      $("password").focus();
    }
    return;
  }
  const render = { check: renderCheck, triage: renderTriage, thumbprint: renderThumbprint, lync: renderLync }[doc.kind];
  render(doc.result, out);
  const first = out.querySelector(".banner");
  if (first) { first.tabIndex = -1; first.focus(); }
}

function showFiles() {
  const list = $("file-list");
  list.replaceChildren();
  for (const f of $("files").files) {
    list.append(el("li", f.name + " (" + f.size + " bytes)"));
    if (/\.(pfx|p12)$/i.test(f.name)) $("password-row").hidden = false;
  }
}

function setupDrop() {
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    $("files").files = e.dataTransfer.files;
    showFiles();
  });
  $("files").addEventListener("change", showFiles);
}

async function showAllowlist() {
  $("check-page").hidden = true;
  $("allowlist-page").hidden = false;
  $("nav-allowlist").setAttribute("aria-current", "page");
  // Standing at the date and under the profile chosen on the check form.
  const query = new URLSearchParams();
  if ($("at").value) query.set("at", $("at").value);
  if ($("profile").value) query.set("profile", $("profile").value);
  const response = await fetch("/api/allowlist?" + query);
  const doc = await response.json();
  const draw = () => {
    const q = $("search").value.trim().toLowerCase();
    const table = el("table");
    const head = el("tr");
    for (const [h, optional] of [["Authority", false], ["Standing", false], ["Kind", true], ["SHA-1", true]]) {
      const th = el("th", h, optional ? "optional" : "");
      th.scope = "col";
      head.append(th);
    }
    table.append(head);
    for (const a of doc.authorities) {
      const hay = [a.name, a.subject, a.notes || "", ...a.sha1].join(" ").toLowerCase();
      if (q && !hay.includes(q)) continue;
      const tr = el("tr");
      // As allowlist list says it: a CA that cannot issue at the chosen date, or whose
      // identity is unconfirmed, is not plainly "accepted".
      const standing = (a.can_issue_at_evaluation_time ? "✓ " : "✗ ") + a.standing_words;
      tr.append(el("td", a.name), el("td", standing, a.can_issue_at_evaluation_time ? "" : "sev-error"), el("td", a.kind || "", "optional"), el("td", a.sha1.join(" "), "mono optional"));
      table.append(tr);
    }
    $("authorities").replaceChildren(table);
  };
  $("search").addEventListener("input", draw);
  draw();
}

document.addEventListener("DOMContentLoaded", () => {
  if (location.pathname === "/allowlist") {
    showAllowlist();
    return;
  }
  $("nav-check").setAttribute("aria-current", "page");
  setupDrop();
  $("form").addEventListener("submit", submit);
});
