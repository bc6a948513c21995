/* 不见面开标大厅: keeps the hall live from the server's event stream (text/event-stream) and counts down to the
   deadline by the server's clock. The offset between the server's time (sent with every "clock" event) and this
   machine's is measured on arrival; the countdown is deadline − (local time + offset), so a wrong local clock does
   not move it. EventSource reconnects by itself (the server ends each stream after about a minute) and sends
   Last-Event-ID, so only what changed is sent again. All text is set with textContent (no HTML from data). */
(function () {
  "use strict";

  var hall, t, offset = 0, deadline = null, phase = "", source = null;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  var zoneMinutes = 480;  // the platform's zone (Asia/Shanghai), read again from every server time

  function sync(serverNow) {
    var server = Date.parse(serverNow);
    if (!isNaN(server)) offset = server - Date.now();
    var zone = /([+-])(\d\d):(\d\d)$/.exec(serverNow || "");
    if (zone) zoneMinutes = (zone[1] === "-" ? -1 : 1) * (parseInt(zone[2], 10) * 60 + parseInt(zone[3], 10));
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    var countdown = document.getElementById("hall-countdown");
    var nowServer = new Date(Date.now() + offset);
    var clockCell = document.getElementById("hall-server-now");
    if (clockCell) {  // shown in the platform's time zone, whatever this machine's zone is
      var wall = new Date(nowServer.getTime() + zoneMinutes * 60000);
      clockCell.textContent = wall.getUTCFullYear() + "-" + pad(wall.getUTCMonth() + 1) + "-" + pad(wall.getUTCDate()) +
        " " + pad(wall.getUTCHours()) + ":" + pad(wall.getUTCMinutes()) + ":" + pad(wall.getUTCSeconds());
    }
    if (!countdown || deadline === null) return;
    var left = Math.max(0, Math.floor((deadline - nowServer.getTime()) / 1000));
    var days = Math.floor(left / 86400), rest = left % 86400;
    var text = pad(Math.floor(rest / 3600)) + ":" + pad(Math.floor((rest % 3600) / 60)) + ":" + pad(rest % 60);
    countdown.textContent = left === 0 ? t.closed : (days > 0 ? days + t.day + " " : "") + text;
    countdown.classList.toggle("hall-due", left === 0);
  }

  function onClock(data) {
    sync(data.server_now);
    deadline = data.deadline ? Date.parse(data.deadline) : null;
    var state = document.getElementById("hall-state");
    if (state) state.textContent = data.state_label;
    if (phase && phase !== data.phase && (data.phase === "opening" || data.phase === "closed" || data.phase === "failed")) {
      hall.dataset.phaseChanged = "1";  // the actions shown depend on the phase: they are right after a reload
    }
    phase = data.phase;
    hall.dataset.phase = data.phase;
    if (phase !== "before") {
      // the deadline has passed: bidders may sign in now, and empty lists say so instead of "—"
      var form = document.getElementById("hall-sign-in-form"), wait = document.getElementById("hall-sign-in-wait");
      if (form && (phase === "due" || phase === "opening")) { form.hidden = false; if (wait) wait.hidden = true; }
      var signIns = document.getElementById("hall-sign-ins");
      if (signIns && signIns.children.length === 1 && signIns.firstElementChild.classList.contains("muted")) {
        signIns.firstElementChild.textContent = t.noSignIns;
      }
    }
    tick();
  }

  function onSignIns(list) {
    var box = document.getElementById("hall-sign-ins");
    box.replaceChildren();
    if (!list.length) { box.appendChild(el("li", phase === "before" ? "—" : t.noSignIns, "muted")); return; }
    list.forEach(function (s) {
      var item = el("li", s.bidder + " ");
      item.appendChild(el("span", (s.at || "").slice(11, 19), "muted"));
      box.appendChild(item);
    });
  }

  function onBids(rows) {
    var body = document.querySelector("#hall-bids tbody");
    if (!rows.length) return;  // nothing to show yet: keep the page's own explanation
    var empty = body.querySelector(".hall-empty");
    if (empty) empty.remove();
    rows.forEach(function (b) {
      var row = body.querySelector('tr[data-key="' + b.key + '"]');
      var fresh = !row;
      if (fresh) { row = el("tr"); row.dataset.key = b.key; body.appendChild(row); }
      row.className = "bid-" + b.status + (fresh ? " hall-new" : "");
      row.replaceChildren();
      row.appendChild(el("td", b.order));
      row.appendChild(el("td", b.bidder));
      var status = el("td");
      status.appendChild(el("span", b.status_label, "tag status-" + b.status));
      row.appendChild(status);
      var labels = (document.getElementById("hall-bids").dataset.labels || "").split("|");
      [b.price, b.duration_days, b.quality, b.reason].forEach(function (v, i) {
        var cell = el("td", v);
        if (labels[i] && i < 3) cell.dataset.label = labels[i];  // the phone layout shows the column's name
        row.appendChild(cell);
      });
    });
  }

  function onRecord(record) {
    var box = document.getElementById("hall-record");
    if (!record) { box.hidden = true; return; }
    box.textContent = t.record + record.sha256;
    box.hidden = false;
  }

  function answerForm(id) {
    var form = el("form", null, "stacked");
    form.method = "post";
    form.action = hall.dataset.answerUrl;
    [["csrfmiddlewaretoken", hall.dataset.csrf], ["back", "hall"], ["objection", id]].forEach(function (pair) {
      var input = el("input"); input.type = "hidden"; input.name = pair[0]; input.value = pair[1]; form.appendChild(input);
    });
    var area = el("textarea"); area.name = "answer"; area.setAttribute("aria-label", t.answer);
    form.appendChild(area);
    form.appendChild(el("button", t.answerButton, "primary"));
    return form;
  }

  function onObjections(list) {
    var box = document.getElementById("hall-objections");
    var typing = box.querySelector("textarea:focus");
    if (typing && typing.value) return;  // do not wipe an answer being written; the next event brings the change
    box.replaceChildren();
    if (!list.length) { box.appendChild(el("li", t.noObjections, "muted")); return; }
    list.forEach(function (o) {
      var item = el("li"); item.dataset.id = o.id;
      var p = el("p"); p.appendChild(el("strong", o.bidder)); p.appendChild(el("span", " " + (o.raised_at || "").slice(11, 19), "muted"));
      p.appendChild(document.createTextNode("：" + o.text));
      item.appendChild(p);
      if (o.is_open) {
        item.appendChild(el("p", t.pendingAnswer, "tag warn"));
        if (hall.dataset.answerUrl) item.appendChild(answerForm(o.id));
      } else {
        var a = el("p", t.answer + "：" + o.answer + " ");
        a.appendChild(el("span", (o.answered_at || "").slice(11, 19), "muted"));
        item.appendChild(a);
      }
      box.appendChild(item);
    });
  }

  function handler(fn) {
    return function (event) {
      try { fn(JSON.parse(event.data)); } catch (e) { /* a malformed event is skipped; the next one resyncs */ }
    };
  }

  function live(connected) {
    var badge = document.getElementById("hall-live");
    if (!badge) return;
    badge.textContent = connected ? t.live : t.reconnecting;
    badge.classList.toggle("ok", connected);
    badge.classList.toggle("warn", !connected);
    hall.dataset.live = connected ? "1" : "0";
  }

  document.addEventListener("DOMContentLoaded", function () {
    hall = document.getElementById("hall");
    if (!hall) return;
    var d = hall.dataset;
    t = { day: d.tDay, live: d.tLive, reconnecting: d.tReconnecting, answer: d.tAnswer, answerButton: d.tAnswerButton,
          pendingAnswer: d.tPendingAnswer, noSignIns: d.tNoSignIns, noObjections: d.tNoObjections, record: d.tRecord,
          closed: d.tClosed };
    sync(d.serverNow);
    deadline = d.deadline ? Date.parse(d.deadline) : null;
    phase = d.phase;
    tick();
    window.setInterval(tick, 1000);
    if (!window.EventSource) return;
    source = new EventSource(d.eventsUrl);
    source.addEventListener("open", function () { live(true); });
    source.addEventListener("error", function () { live(false); });  // EventSource retries by itself
    source.addEventListener("clock", handler(onClock));
    source.addEventListener("sign_ins", handler(onSignIns));
    source.addEventListener("bids", handler(onBids));
    source.addEventListener("record", handler(onRecord));
    source.addEventListener("objections", handler(onObjections));
  });
})();
