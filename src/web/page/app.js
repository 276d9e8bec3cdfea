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

/** A step: its words, then each of its commands on its own row with a copy button.
 *  The documents keep words and commands apart, so a button copies one command whole. */
function step(text, commands, lead) {
  const box = el("div");
  if (text) box.append(el("p", (lead || "") + text));
  for (const c of commands || []) box.append(commandOrAction(c));
  return box;
}

/** Numbered steps ({text, commands}). */
function steps(items) {
  const ol = el("ol");
  for (const item of items) {
    const li = el("li");
    li.append(step(item.text, item.commands));
    ol.append(li);
  }
  return ol;
}

/** What the CLI would run next, as something to do on this page. */
function nextAction(next) {
  const box = el("div");
  box.append(el("p", "Next:"), commandOrAction(next));
  return box;
}

/** An mfgcheck command as what does the same on this page (a helpdesk using the page
 *  has no mfgcheck to run); any other command as itself, with its copy button. */
function commandOrAction(text) {
  const cli = /^mfgcheck (\S+)(.*)$/.exec(text);
  if (!cli) return command(text);
  const [, sub, rest] = cli;
  const profile = /--profile (\S+)/.exec(rest);
  if (sub === "check" && /--allowlist/.test(rest)) {
    return pageAction("Check it here with your own allowlist: add the files on the form and the allowlist under Options.", "Choose the files", "files");
  }
  if (sub === "check") {
    return pageAction("Check it here: drop the certificate file (and the CA's intermediate, if you have it) on the form.", "Choose the certificate files", "files");
  }
  if (sub === "triage" && profile) {
    return pageAction("Judge the same text again under the profile " + profile[1] + ".", "Judge it again as " + profile[1], "submit", () => { $("profile").value = profile[1]; });
  }
  if (sub === "lync" || sub === "triage") {
    return pageAction("Paste the output into the form here.", "Paste it here", "text");
  }
  if (sub === "thumbprint") {
    return pageAction("Paste the thumbprint alone into the form: the page shows what it is and removes invisible marks.", "Paste the thumbprint", "text");
  }
  if (sub === "allowlist") {
    const box = el("div", undefined, "next-action");
    const a = el("a", "See the accepted CAs");
    a.href = "/allowlist";
    box.append(a);
    return box;
  }
  return command(text);
}

/** Words and a button that takes the user to `target` on the form (after `prepare`;
 *  the submit button is pressed rather than focused). */
function pageAction(words, label, target, prepare) {
  const box = el("div", undefined, "next-action");
  box.append(el("p", words));
  const button = el("button", label);
  button.type = "button";
  button.addEventListener("click", () => {
    if (prepare) prepare();
    if (target === "submit") {
      $("form").requestSubmit();
      return;
    }
    $("form").scrollIntoView();
    $(target).focus();
  });
  box.append(button);
  return box;
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

/** 2011-06-01 from an RFC 3339 time. */
const day = (t) => String(t).slice(0, 10);

/** What the PFX holds: the leaf's private key, its provider, and the file's encryption. */
function pfxBox(doc) {
  const box = el("div", undefined, "finding");
  box.append(el("h3", "The PFX"));
  const k = doc.private_key;
  if (k && k.present) {
    const kinds = { "crypto-api": "CryptoAPI (what Exchange 2010 needs)", cng: "CNG (Exchange 2010 cannot use it)", unknown: "unknown kind" };
    box.append(el("p", "✓ Holds the private key of this certificate (" + k.key + ")."));
    if (k.provider) box.append(el("p", "Key provider: " + k.provider.name + " — " + (kinds[k.provider.kind] || k.provider.kind), k.provider.kind === "cng" ? "sev-error" : ""));
    if (k.friendly_name) box.append(el("p", "Friendly name: " + k.friendly_name));
  } else if (k) {
    box.append(el("p", "✗ Does not hold the private key of this certificate.", "sev-error"));
  }
  for (const p of doc.pfx_files) {
    const schemes = [...p.certificates, ...p.keys].map((s) => s.name);
    const words = "Encryption of " + p.file + ": " + [...new Set(schemes)].join("; ") + (p.modern_encryption ? " (modern: Windows Server 2016 and earlier cannot import it)" : " (legacy: every Windows imports it)");
    box.append(el("p", words, p.modern_encryption ? "sev-warning" : "muted"));
  }
  return box;
}

function renderCheck(doc, out) {
  const leaf = doc.leaf;
  const cn = (leaf.subject.match(/CN=([^,]+)/) || [null, leaf.subject])[1];
  // The banner names the deciding finding in words, its code beside it.
  const deciding = doc.findings.find((f) => f.severity === "error");
  const why = deciding ? " " + deciding.title + " (" + deciding.code + ")" : "";
  const words = {
    accepted: "ACCEPTED: the MFG should accept " + cn + " for New-FederationTrust.",
    rejected: "REJECTED: the MFG will not accept " + cn + "." + why,
    undetermined: "UNDETERMINED: the input does not show whether the MFG will accept " + cn + "." + why,
  }[doc.verdict];
  out.append(banner(doc.verdict, words));
  if (doc.private_key || doc.pfx_files.length) out.append(pfxBox(doc));
  out.append(el("h3", "Chain, leaf first"));
  const chain = el("ol", undefined, "chain");
  doc.chain.forEach((c, i) => {
    const accepted = c.authority && c.authority.accepted_at_evaluation_time;
    const li = el("li", undefined, accepted ? "listed" : "");
    li.append(el("div", c.subject));
    li.append(el("div", "SHA-1 " + c.sha1, "mono"));
    li.append(el("div", "valid " + day(c.not_before) + " to " + day(c.not_after) + " · " + c.key, "muted"));
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
      box.append(step(f.fix, f.commands, "Fix: "));
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
    if (r.next) box.append(nextAction(r.next));
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
  const kinds = { sha1: "a well-formed SHA-1 value", sha256: "a well-formed SHA-256 value", "serial-or-md5": "16 bytes: a serial number or an MD5 hash, not a thumbprint", "other-length": "hex of a length no thumbprint has", invalid: "not hex" };
  for (const v of doc.values) {
    // Only a value that is something gets a ✓; a well-formed value that matches
    // nothing is said to be just that.
    const value = (v.normalized || v.input) + ": ";
    const what = kinds[v.kind] || v.kind;
    const words = v.matches.length
      ? value + what + ", of " + v.matches.map((m) => m.name).join(", ")
      : value + what + (v.ok ? " that matches no listed CA" + (v.certificates ? " and no supplied certificate" : "") : "");
    const b = banner(v.matches.length ? "accepted" : "info", words);
    out.append(b);
    if (v.removed.length) out.append(el("p", "Removed invisible characters: " + v.removed.map((r) => r.char + " " + r.name).join(", ")));
    if (v.normalized) out.append(command(v.normalized));
    for (const m of v.matches) out.append(el("p", "Matches " + m.name + " (" + m.field + ", " + m.status + ")"));
    if (v.error) out.append(el("p", v.error));
  }
  out.append(downloadLink(doc, "mfgcheck-thumbprint.json"));
}

function renderLync(doc, out) {
  const kindWords = { "media-configuration": "media configuration", "external-access-policy": "external access policy" };
  // The banner names each blocking setting in a few words (the message's first clause);
  // the whole message is below.
  const clause = (m) => m.split(/: |\. /)[0];
  const blocking = doc.scopes.flatMap((s) => s.issues.filter((i) => i.blocking).map((i) => s.scope + " " + kindWords[s.kind] + ": " + clause(i.message)));
  const words = {
    ready: "READY: public IM and A/V federation with Windows Live can work in every scope given.",
    "changes-needed": "CHANGES NEEDED: " + (blocking[0] || "see below") + (blocking.length > 1 ? " (and " + (blocking.length - 1) + " more below)" : ""),
    incomplete: "INCOMPLETE: nothing to change in what was given, but the output of " + doc.missing.join(" and ") + " is missing.",
  }[doc.verdict] || doc.verdict;
  out.append(banner(doc.ready ? "accepted" : (doc.verdict === "incomplete" ? "undetermined" : "rejected"), words));
  for (const s of doc.scopes) {
    const box = el("div", undefined, "finding");
    box.append(el("h3", s.scope + " " + (kindWords[s.kind] || s.kind)));
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
  data.append("leaf", $("leaf").value);
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
    // Where the CLI says "choose one with --leaf", the page offers the choices.
    const choose = doc.candidates && doc.candidates.length;
    const words = choose
      ? "Which certificate should be checked? " + doc.candidates.length + " in the input could be the one: choose it below."
      : doc.error || "HTTP " + response.status;
    const b = banner("error", words);
    out.append(b);
    if (choose) out.append(candidates(doc.candidates));
    if (doc.password_needed) {
      $("password-row").hidden = false;
      $("password").focus();
    } else {
      b.tabIndex = -1;
      b.focus();
    }
    return;
  }
  const render = { check: renderCheck, triage: renderTriage, thumbprint: renderThumbprint, lync: renderLync }[doc.kind];
  render(doc.result, out);
  // The verdict is what the user came for: in view and focused, as a screen reader
  // user lands on it too.
  const first = out.querySelector(".banner");
  if (first) {
    first.tabIndex = -1;
    first.scrollIntoView({ block: "start" });
    first.focus({ preventScroll: true });
  }
}

/** A button per certificate that could be the one to check: checks the same input
 *  again with that one. */
function candidates(list) {
  const ul = el("ul", undefined, "candidates");
  for (const c of list) {
    const li = el("li");
    li.append(el("div", c.subject), el("div", "SHA-1 " + c.sha1, "mono"));
    const button = el("button", "Check this one");
    button.type = "button";
    button.setAttribute("aria-label", "Check this one: " + c.subject);
    button.addEventListener("click", () => {
      $("leaf").value = c.sha1;
      $("form").requestSubmit();
    });
    li.append(button);
    ul.append(li);
  }
  return ul;
}

function showFiles() {
  $("leaf").value = "";
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
  // Another input, another choice of certificate.
  $("text").addEventListener("input", () => { $("leaf").value = ""; });
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
    // A thumbprint as Windows shows it (spaces, an invisible mark) or with colons.
    const hex = q.replace(/[\s:\u200e\u200f\u202a-\u202e\ufeff]/g, "");
    const isHex = hex.length >= 8 && /^[0-9a-f]+$/.test(hex);
    let shown = 0;
    const table = el("table");
    const head = el("tr");
    for (const [h, optional] of [["Authority", false], ["Standing", false], ["Kind", true], ["SHA-1", true]]) {
      const th = el("th", h, optional ? "optional" : "");
      th.scope = "col";
      head.append(th);
    }
    table.append(head);
    for (const a of doc.authorities) {
      const hay = [a.name, a.subject, a.notes || "", ...a.sha1, ...a.sha256].join(" ").toLowerCase();
      if (q && !hay.includes(q) && !(isHex && hay.includes(hex))) continue;
      shown += 1;
      const tr = el("tr");
      // As allowlist list says it: a CA that cannot issue at the chosen date, or whose
      // identity is unconfirmed, is not plainly "accepted".
      const standing = (a.can_issue_at_evaluation_time ? "✓ " : "✗ ") + a.standing_words;
      tr.append(el("td", a.name), el("td", standing, a.can_issue_at_evaluation_time ? "" : "sev-error"), el("td", a.kind || "", "optional"), el("td", a.sha1.join(" "), "mono optional"));
      table.append(tr);
    }
    $("authorities").replaceChildren(shown ? table : el("p", "No match: no accepted CA has this name or thumbprint."));
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
