/* 证书助手 (ggzy-bid agent) client: the bidder's key stays on the USB key (UKey) or in the agent on this computer;
   the page only asks the agent to sign or to unwrap a content key, and the user confirms and types the PIN in the
   agent. Protocol: /work/notes/agent-protocol.md (docs in the README). The page is paired once: the agent and the
   page show the same six-digit code, the user confirms it in the agent, and the page keeps the token in
   localStorage under "ggzy-agent-token".

   window.ggzyAgent: ready (a promise, the first status check), status(), pair(), certificates(usage), sign(id,
   bytes, purpose, summary), unwrap(id, bytes, algorithm, summary), check(certificatePem, purpose) (the platform's
   answer: expired / revoked / not the user's), selected(select), useKeyFile(), message(error), text(key).
   The panel (pki/partials/agent_panel.html) carries the agent's address (data-agent-url) and every sentence shown
   to the user, translated by the template (data-agent-text). */
(function () {
  "use strict";

  var TOKEN = "ggzy-agent-token";
  var panel = null, certificatesCache = [];

  function text(key) {
    var node = panel && panel.querySelector('[data-agent-text="' + key + '"]');
    return node ? node.textContent.trim() : key;
  }
  function format(key, value) { return text(key).replace("%s", String(value)); }
  function baseUrl() { return ((panel && panel.dataset.agentUrl) || "http://127.0.0.1:17380").replace(/\/+$/, ""); }
  function token() { try { return window.localStorage.getItem(TOKEN) || ""; } catch (e) { return ""; } }

  function AgentError(code, message, extra) {
    this.code = code;
    this.agentMessage = message || "";
    this.triesLeft = extra && extra.tries_left !== undefined ? extra.tries_left : null;
    this.message = describe(this);
  }
  AgentError.prototype = Object.create(Error.prototype);

  /* A plain sentence for an error from the agent (its code) or from the platform's certificate check. */
  function describe(error) {
    switch (error.code) {
      case "wrong_pin":
        if (error.triesLeft === 0) return text("pin_locked");
        return text("wrong_pin") + (error.triesLeft !== null && error.triesLeft !== undefined ? format("tries_left", error.triesLeft) : "");
      case "unreachable": case "not_paired": case "declined": case "timeout": case "token_absent": case "pin_locked":
      case "no_such_certificate": case "unsupported": case "busy": case "expired": case "revoked": case "mismatch":
      case "no_certificate": case "not_selected": case "key_mismatch":
        return text(error.code);
      case "certificate_expired":
        return text("expired");
      default:
        return text("failed") + (error.agentMessage ? "：" + error.agentMessage : "");
    }
  }

  async function request(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (token()) headers["Authorization"] = "Bearer " + token();
    if (body !== undefined) headers["Content-Type"] = "application/json";
    var response;
    try {
      response = await fetch(baseUrl() + path, { method: method, headers: headers, mode: "cors", credentials: "omit",
                                                 body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      // not running, or (for the paired-only endpoints) this page is not paired: the browser hides the answer
      throw new AgentError(token() ? "unreachable" : "not_paired");
    }
    var data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) throw new AgentError((data && data.error) || "failed", data && data.message, data);
    return data || {};
  }

  function b64(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(out);
  }
  function unb64(value) {
    var binary = atob(value), out = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }

  async function status() {
    try {
      var data = await request("GET", "/v1/status");
      return { running: true, paired: !!data.paired, stores: data.stores || [] };
    } catch (e) {
      return { running: false, paired: false, stores: [] };
    }
  }

  /* Pairing: show the code, then long-poll until the user confirms (or refuses) in the agent. */
  async function pair(onCode) {
    var started = await request("POST", "/v1/pair", {});
    if (onCode) onCode(started.code);
    for (;;) {
      var answer = await request("GET", "/v1/pair/" + encodeURIComponent(started.pairing_id));
      if (answer.status === "paired") {
        window.localStorage.setItem(TOKEN, answer.token);
        return true;
      }
      if (answer.status !== "pending") throw new AgentError(answer.status || "failed");
    }
  }

  async function certificates(usage) {
    var data = await request("GET", "/v1/certificates");
    certificatesCache = data.certificates || [];
    return certificatesCache.filter(function (c) { return !usage || (c.usage || []).indexOf(usage) >= 0; });
  }

  async function sign(certificateId, bytes, purpose, summary) {
    var data = await request("POST", "/v1/sign", { certificate_id: certificateId, data: b64(bytes), purpose: purpose,
                                                  summary: summary });
    return { signature: unb64(data.signature), algorithm: data.algorithm, certificatePem: data.certificate_pem };
  }

  async function unwrap(certificateId, wrapped, algorithm, summary) {
    var data = await request("POST", "/v1/unwrap", { certificate_id: certificateId, wrapped: b64(wrapped),
                                                    algorithm: algorithm, summary: summary });
    return unb64(data.key);
  }

  function csrf() { var m = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie); return m ? decodeURIComponent(m[1]) : ""; }

  /* The platform's answer before the key is used: refuses (AgentError expired / revoked / mismatch, or the trust
     store's own reason) so the user hears it before the agent asks for the PIN. */
  async function check(certificatePem, purpose, ignoreMatch) {
    var response = await fetch("/api/v1/pki/certificate-status", {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ certificate: certificatePem, purpose: purpose })
    });
    var data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok || !data) throw new Error((data && data.detail) || text("failed"));
    if (data.code === "expired" || data.code === "revoked") throw new AgentError(data.code);
    if (!data.ok) throw new Error(text("invalid") + data.reason);
    if (data.matches === false && !ignoreMatch) throw new AgentError("mismatch");
    return data;
  }

  function selected(select) {
    if (!select || !select.value) return null;
    for (var i = 0; i < certificatesCache.length; i++) if (certificatesCache[i].id === select.value) return certificatesCache[i];
    return null;
  }
  function useKeyFile(scope) {
    var fallback = (scope || document).querySelector("details.keyfile-fallback");
    return !!(fallback && fallback.open);
  }

  // --- the panel ------------------------------------------------------------------------------------------------
  function setStatus(key, extra) {
    var line = panel.querySelector(".agent-status");
    line.textContent = text(key) + (extra ? extra : "");
    line.dataset.state = key;
    panel.querySelector(".agent-pair").hidden = key !== "state_unpaired";
  }
  function showError(message) {
    var box = panel.querySelector(".agent-error");
    box.textContent = message || "";
    box.hidden = !message;
  }
  function describeCertificate(c) {
    var label = (c.subject || c.label || c.id) + (c.not_after ? " · " + format("valid_until", String(c.not_after).substring(0, 10)) : "");
    if (c.expired) label += " · " + text("expired");
    if (c.present === false) label += " · " + text("token_absent_short");
    return label;
  }
  function fillSelects(list) {
    var selects = document.querySelectorAll("select[data-agent-usage]");
    Array.prototype.forEach.call(selects, function (select) {
      var usage = select.dataset.agentUsage, previous = select.value || select.dataset.agentPreferred || "";
      select.innerHTML = "";
      var blank = document.createElement("option");
      blank.value = "";
      blank.textContent = select.dataset.agentBlank || text("choose");
      select.appendChild(blank);
      list.filter(function (c) { return (c.usage || []).indexOf(usage) >= 0; }).forEach(function (c) {
        var option = document.createElement("option");
        option.value = c.id;
        option.textContent = describeCertificate(c);
        option.disabled = c.present === false;
        select.appendChild(option);
      });
      if (previous && select.querySelector('option[value="' + CSS.escape(previous) + '"]')) select.value = previous;
      else if (select.options.length === 2 && !select.options[1].disabled) select.value = select.options[1].value;
    });
  }
  function chosenLine() {
    var chosen = Array.prototype.map.call(document.querySelectorAll("select[data-agent-usage]"), selected)
      .filter(Boolean);
    if (chosen.length) setStatus("state_chosen", chosen.map(function (c) { return c.subject || c.label; }).join("；"));
  }

  async function refresh() {
    showError("");
    setStatus("state_checking");
    var state = await status();
    panel.dataset.agentState = !state.running ? "absent" : state.paired ? "paired" : "unpaired";
    if (!state.running) { setStatus("state_absent"); return state; }
    if (!state.paired) { setStatus("state_unpaired"); return state; }
    try {
      var list = await certificates();
      fillSelects(list);
      if (!list.some(function (c) { return c.present !== false; })) setStatus("state_insert");
      else { setStatus("state_paired"); chosenLine(); }
    } catch (e) {
      setStatus("state_unpaired");
      showError(e.message);
    }
    return state;
  }

  async function pairClicked(button) {
    button.disabled = true;
    showError("");
    var box = panel.querySelector(".agent-code");
    try {
      await pair(function (code) {
        box.hidden = false;
        box.querySelector(".agent-code-digits").textContent = code;
      });
      box.hidden = true;
      await refresh();
    } catch (e) {
      box.hidden = true;
      showError(e.message || String(e));
    } finally {
      button.disabled = false;
    }
  }

  var readyResolve;
  var ready = new Promise(function (resolve) { readyResolve = resolve; });

  window.ggzyAgent = {
    ready: ready, status: status, pair: pair, certificates: certificates, sign: sign, unwrap: unwrap, check: check,
    selected: selected, useKeyFile: useKeyFile, refresh: function () { return panel ? refresh() : status(); },
    text: text, AgentError: AgentError,
    paired: function () { return !!panel && panel.dataset.agentState === "paired"; },
    /* The certificate chosen in ``select`` or a plain refusal (no agent / not paired / none chosen / not inserted). */
    chosen: function (select) {
      if (!panel || panel.dataset.agentState === "absent") throw new AgentError("unreachable");
      if (panel.dataset.agentState !== "paired") throw new AgentError("not_paired");
      var certificate = selected(select);
      if (!certificate) throw new AgentError(select && select.options.length > 1 ? "not_selected" : "no_certificate");
      if (certificate.present === false) throw new AgentError("token_absent");
      if (certificate.expired) throw new AgentError("expired");
      return certificate;
    },
    progress: function (key) { if (panel) setStatus(key); },
    /* After a failed request: back to "paired" / "certificate chosen" (the error is shown by the page). */
    idle: function () {
      if (!panel || panel.dataset.agentState !== "paired") return;
      var line = panel.querySelector(".agent-status");
      if (line.dataset.state === "state_confirm") { setStatus("state_paired"); chosenLine(); }
    },
    done: function (key) { if (panel) setStatus(key); }
  };

  document.addEventListener("DOMContentLoaded", function () {
    panel = document.querySelector(".agent-panel");
    if (!panel) { readyResolve(null); return; }
    panel.querySelector(".agent-pair").addEventListener("click", function (event) {
      event.preventDefault();
      pairClicked(event.currentTarget);
    });
    panel.querySelector(".agent-refresh").addEventListener("click", function (event) {
      event.preventDefault();
      refresh();
    });
    document.addEventListener("change", function (event) {
      if (event.target.matches && event.target.matches("select[data-agent-usage]")) chosenLine();
    });
    refresh().then(readyResolve, function () { readyResolve(null); });
  });
})();
