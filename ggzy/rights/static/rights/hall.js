// The rights hall: keeps the page live from the server-sent events; the countdown counts from server time.
(function () {
  "use strict";
  function start() {
    var hall = document.getElementById("rights-hall");
    if (!hall) return;
    var t = hall.dataset;
    var offset = Date.parse(t.serverNow) - Date.now(); // server time minus this device's time
    var deadline = t.deadline ? Date.parse(t.deadline) : null;
    var phase = t.phase;
    var $ = function (id) { return document.getElementById(id); };
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    function tick() {
      var el = $("rights-countdown");
      if (!el) return;
      if (!deadline || phase === "closed") { el.textContent = "—"; return; }
      var left = Math.max(0, Math.floor((deadline - (Date.now() + offset)) / 1000));
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60);
      el.textContent = (d ? d + " " : "") + pad(h) + ":" + pad(m) + ":" + pad(left % 60);
    }
    function text(id, value) { var el = $(id); if (el) el.textContent = value; }
    var handlers = {
      clock: function (c) {
        offset = Date.parse(c.server_now) - Date.now();
        deadline = c.deadline ? Date.parse(c.deadline) : null;
        phase = c.phase;
        text("rights-phase", c.phase_label);
        text("rights-server-now", c.server_now.slice(0, 19).replace("T", " "));
        var resume = $("rights-resume");
        if (resume) {
          resume.hidden = !c.resume_at;
          text("rights-resume-at", c.resume_at ? c.resume_at.slice(0, 16).replace("T", " ") : "");
        }
        tick();
      },
      price: function (p) {
        text("rights-current", p.current || "—");
        text("rights-leading", p.leading_paddle ? t.tPaddle + " " + p.leading_paddle + (p.leading_mine ? t.tMine : "") : "");
        text("rights-minimum", p.minimum_next_text);
        text("rights-sequence", String(p.sequence));
        var seen = $("rights-seen");
        if (seen && seen.value !== String(p.sequence)) {
          seen.value = String(p.sequence);
          var amount = $("rights-amount");
          if (amount && document.activeElement !== amount) amount.value = p.minimum_next;
        }
      },
      me: function (m) { text("rights-my-status", m.status_label || ""); },
      history: function (rows) {
        var body = $("rights-history");
        if (!body) return;
        body.textContent = "";
        if (!rows.length) {
          var tr0 = body.insertRow(); var td0 = tr0.insertCell(); td0.colSpan = 4; td0.className = "muted";
          td0.textContent = t.tNone; return;
        }
        rows.forEach(function (b) {
          var tr = body.insertRow();
          if (b.mine) tr.className = "mine";
          // until the result only the center sees the others' paddles (selectors.hall_state)
          var who = b.paddle ? String(b.paddle) + (b.mine ? t.tMine : "") : t.tOther;
          [String(b.sequence), who, b.amount, b.at.slice(11, 19) + (b.timed ? " · " + t.tTimed : "")]
            .forEach(function (v) { tr.insertCell().textContent = v; });
        });
      },
      result: function (r) {
        var box = $("rights-result");
        if (!box || !r.final) return;
        box.hidden = false;
        text("rights-outcome", r.outcome_label);
        text("rights-winner", r.winner_paddle ? t.tPaddle + " " + r.winner_paddle + " · " + r.winner_name : "");
        text("rights-reserve", r.reserve || "—");
        var form = document.querySelector(".rights-bid-form");
        if (form) form.hidden = true;
        // the weighted quote's score table is drawn by the server: load it once the close is final
        if (r.scores && r.scores.length && !$("rights-scores")) window.location.reload();
      }
    };
    function connect() {
      if (!window.EventSource) return;
      var source = new EventSource(t.eventsUrl);
      source.onopen = function () { text("rights-live", t.tLive); };
      source.onerror = function () { text("rights-live", t.tReconnecting); };
      Object.keys(handlers).forEach(function (name) {
        source.addEventListener(name, function (e) { handlers[name](JSON.parse(e.data)); });
      });
    }
    tick();
    setInterval(tick, 500);
    connect();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
