// The inspector: reads the control API (/_mock/...) and draws tasks, calls and controls.
// Everything shown goes through textContent, never parsed as HTML: a prompt of <script> stays text.
// Statuses, families and fault kinds come from GET /_mock/meta, which reads them from the spec.
"use strict";

(function () {
  const POLL_MS = 500; // live: new tasks, status changes and calls show within a second
  const TOKEN_KEY = "maas-kl-mock-control-token";
  const state = {
    meta: null,
    view: "tasks",
    selectedTask: null,
    faultsEdited: false,
    selectedCall: null,
    lastCall: 0,
    calls: [],
    taskSignature: "",
    detailSignature: "",
    plan: null,
    timer: null,
  };

  // --- the control token: from the URL fragment (#token=...), kept for this tab only --------------
  if (location.hash.startsWith("#token=")) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(location.hash.slice("#token=".length)));
    history.replaceState(null, "", location.pathname + location.search);
  }

  function headers(write) {
    const sent = {};
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) sent["X-Mock-Control-Token"] = token;
    if (write) sent["Content-Type"] = "application/json";
    return sent;
  }

  async function api(path, method, body) {
    const write = method && method !== "GET";
    const answer = await fetch("/_mock/" + path, {
      method: method || "GET",
      headers: headers(write),
      body: write ? JSON.stringify(body || {}) : undefined,
      cache: "no-store",
    });
    let data = null;
    try {
      data = await answer.json();
    } catch (_) {
      data = null;
    }
    if (!answer.ok) {
      const message = data && data.message ? data.message : "HTTP " + answer.status;
      const error = new Error(message);
      error.status = answer.status;
      throw error;
    }
    return data;
  }

  // --- building elements, text only ----------------------------------------------------------------
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "className") node.className = value;
      else if (key === "text") node.textContent = String(value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function clockText(ms) {
    if (ms === null || ms === undefined) return "–";
    return new Date(ms).toISOString().replace("T", " ").slice(0, 23) + " UTC";
  }

  function secondsText(seconds) {
    return seconds === null || seconds === undefined ? "" : Number(seconds).toFixed(seconds < 10 ? 2 : 1) + " s";
  }

  function bytesText(count) {
    if (count === null || count === undefined) return "";
    if (count < 1024) return count + " B";
    if (count < 1024 * 1024) return (count / 1024).toFixed(1) + " KiB";
    return (count / 1024 / 1024).toFixed(2) + " MiB";
  }

  function pairs(entries) {
    const list = el("dl", { className: "pairs" });
    for (const [name, value] of entries) {
      if (value === undefined) continue;
      list.append(el("dt", { text: name }), el("dd", { text: value === null || value === "" ? "–" : value }));
    }
    return list;
  }

  function notice(text) {
    document.getElementById("notice").textContent = text || "";
  }

  function showError(error) {
    if (error && (error.status === 403 || error.status === 401)) {
      document.getElementById("token-form").hidden = false;
    }
    notice(error ? "The control API refused or failed: " + error.message : "");
  }

  // --- views ----------------------------------------------------------------------------------------
  function showView(name) {
    state.view = name;
    for (const tab of document.querySelectorAll(".tab")) {
      const active = tab.dataset.view === name;
      if (active) tab.setAttribute("aria-current", "page");
      else tab.removeAttribute("aria-current");
      document.getElementById("view-" + tab.dataset.view).hidden = !active;
    }
    refresh();
  }

  function fillSelect(id, values) {
    const select = document.getElementById(id);
    const chosen = select.value;
    const known = new Set(Array.from(select.options, (o) => o.value));
    for (const value of values) {
      if (!known.has(value)) select.append(el("option", { value: value, text: value }));
    }
    select.value = chosen;
  }

  async function loadMeta() {
    const meta = await api("meta");
    state.meta = meta;
    const kind = meta.kind === "proxy" ? "proxy to " + meta.upstream + (meta.recording ? " (recording)" : "") : meta.kind;
    document.getElementById("server-kind").textContent = "serving: " + kind;
    for (const tab of document.querySelectorAll(".tab")) {
      tab.hidden = !meta.views.includes(tab.dataset.view);
    }
    fillSelect("filter-family", meta.families);
    fillSelect("filter-status", meta.statuses);
    fillSelect("filter-tenant", meta.tenants || []);
    const kinds = document.getElementById("fault-kinds");
    if (!kinds.firstChild && meta.fault_kinds) {
      for (const kind of meta.fault_kinds.filter((k) => k !== "download-cut")) {
        const id = "kind-" + kind;
        kinds.append(el("span", {}, el("input", { type: "checkbox", id: id, value: kind }), " ", el("label", { for: id, text: kind })));
      }
    }
    if (!meta.views.includes(state.view)) state.view = meta.views[0];
    return meta;
  }

  // --- tasks ----------------------------------------------------------------------------------------
  function timelineText(timeline) {
    return timeline
      .map((step) => step.status + (step.seconds === null ? "" : " " + secondsText(step.seconds) + (step.ongoing ? " so far" : "")))
      .join(" → ");
  }

  async function refreshTasks() {
    const query = new URLSearchParams();
    for (const [key, id] of [["tenant", "filter-tenant"], ["family", "filter-family"], ["status", "filter-status"]]) {
      const value = document.getElementById(id).value;
      if (value) query.set(key, value);
    }
    const listing = await api("tasks?" + query.toString());
    document.getElementById("task-count").textContent = listing.count + " task" + (listing.count === 1 ? "" : "s");
    const tasks = listing.tasks.slice().reverse();
    const signature = JSON.stringify(tasks.map((t) => [t.task_id, t.status, timelineText(t.timeline)]));
    if (signature !== state.taskSignature) {
      state.taskSignature = signature;
      const body = clear(document.querySelector("#task-table tbody"));
      for (const task of tasks) {
        const open = el("button", { type: "button", className: "link", text: task.task_id, onclick: () => selectTask(task.task_id) });
        body.append(
          el(
            "tr",
            { className: task.task_id === state.selectedTask ? "selected" : "", "data-task": task.task_id },
            el("td", {}, open),
            el("td", { text: task.kind }),
            el("td", { text: task.tenant }),
            el("td", { className: "status-" + task.status, text: task.status }),
            el("td", { className: "timeline", text: timelineText(task.timeline) }),
            el("td", { className: task.task_status_msg ? "bad" : "", text: task.task_status_msg || "" })
          )
        );
      }
    }
    if (state.selectedTask) await refreshTaskDetail();
  }

  function selectTask(taskId) {
    state.selectedTask = taskId;
    state.detailSignature = "";
    for (const row of document.querySelectorAll("#task-table tbody tr")) {
      row.className = row.dataset.task === taskId ? "selected" : "";
    }
    refreshTaskDetail().then(() => document.getElementById("task-detail-heading").focus(), showError);
  }

  async function refreshTaskDetail() {
    let task;
    try {
      task = await api("tasks/" + encodeURIComponent(state.selectedTask));
    } catch (error) {
      if (error.status === 404) {
        state.selectedTask = null;
        document.getElementById("task-detail").hidden = true;
        return;
      }
      throw error;
    }
    const signature = JSON.stringify([task.status, task.calls.length, task.extended_by, task.video && task.video.id]);
    if (signature === state.detailSignature) return;
    state.detailSignature = signature;
    const panel = document.getElementById("task-detail");
    panel.hidden = false;
    document.getElementById("task-detail-heading").textContent = "Task " + task.task_id + " (" + task.kind + ")";
    const body = clear(document.getElementById("task-detail-body"));
    body.append(
      pairs([
        ["status", task.status],
        ["task_status_msg", task.task_status_msg],
        ["tenant", task.tenant],
        ["external_task_id", task.external_task_id],
        ["model / mode", task.model + " / " + task.mode],
        ["created", clockText(task.created_at)],
      ])
    );
    body.append(el("h4", { text: "Timeline (mock clock)" }));
    const steps = el("ol", { className: "timeline" });
    for (const step of task.timeline) {
      const spent = step.seconds === null ? "" : ", " + secondsText(step.seconds) + (step.ongoing ? " so far" : "");
      steps.append(el("li", { className: "status-" + step.status, text: step.status + " at " + clockText(step.at) + spent }));
    }
    body.append(steps);
    body.append(el("h4", { text: "Video" }));
    if (task.video) body.append(videoBlock(task.video));
    else body.append(el("p", { className: "hint", text: task.video_id ? "Not ready until the task succeeds." : "None." }));
    body.append(el("h4", { text: "Request (as sent, key-free)" }));
    body.append(task.request ? el("pre", { text: shownBody(task.request) }) : el("p", { className: "hint", text: "No longer in the call log." }));
    body.append(el("h4", { text: "Faults that struck its requests" }));
    if (task.faults.length) {
      const list = el("ul", { className: "plain" });
      for (const fault of task.faults) list.append(el("li", { className: "warn", text: "#" + fault.seq + ": " + fault.fault + " (HTTP " + fault.status + ")" }));
      body.append(list);
    } else body.append(el("p", { className: "hint", text: "None." }));
    body.append(el("h4", { text: "Extensions" }));
    const family = el("ul", { className: "plain" });
    if (task.source_task_id) family.append(el("li", {}, "extends task ", el("button", { type: "button", className: "link", text: task.source_task_id, onclick: () => selectTask(task.source_task_id) })));
    for (const child of task.extended_by) family.append(el("li", {}, "extended by task ", el("button", { type: "button", className: "link", text: child, onclick: () => selectTask(child) })));
    body.append(family.firstChild ? family : el("p", { className: "hint", text: "None." }));
    body.append(el("h4", { text: "Calls" }));
    const calls = el("ul", { className: "plain" });
    for (const call of task.calls.slice(-12)) calls.append(el("li", { text: "#" + call.seq + " " + call.method + " " + call.path + " → " + call.status + (call.code !== null ? " / " + call.code : "") + (call.fault ? " · fault " + call.fault : "") }));
    if (task.calls.length > 12) body.append(el("p", { className: "hint", text: "The last 12 of " + task.calls.length + " calls; the Calls view has them all." }));
    body.append(calls.firstChild ? calls : el("p", { className: "hint", text: "None kept." }));
  }

  function videoBlock(video) {
    const facts = el("p", { className: "video-facts", text: "duration field " + video.duration + " s" });
    const player = el("video", { controls: true, preload: "auto", "aria-label": "Video " + video.id, "data-expected": video.duration });
    const token = sessionStorage.getItem(TOKEN_KEY);
    player.addEventListener("loadedmetadata", () => {
      facts.textContent = "duration field " + video.duration + " s · plays " + player.duration.toFixed(2) + " s" + (player.dataset.size ? " · " + bytesText(Number(player.dataset.size)) : "");
    });
    fetch(video.url, { method: token ? "GET" : "HEAD", headers: headers(false) })
      .then(async (answer) => {
        if (!answer.ok) throw new Error("HTTP " + answer.status);
        if (token) {
          const blob = await answer.blob();
          player.dataset.size = String(blob.size);
          player.src = URL.createObjectURL(blob);
        } else {
          player.dataset.size = answer.headers.get("content-length") || "";
          player.src = video.url;
        }
      })
      .catch((error) => {
        facts.textContent = "The video cannot be loaded: " + error.message;
      });
    return el("div", {}, player, facts);
  }

  function shownBody(body) {
    if (body === null || body === undefined) return "(empty)";
    if ("json" in body) return JSON.stringify(body.json, null, 2);
    if ("text" in body) return body.text;
    return "(" + body.binary_bytes + " bytes of binary, not kept)";
  }

  // --- calls ----------------------------------------------------------------------------------------
  async function refreshCalls() {
    const listing = await api("calls?limit=500&since=" + state.lastCall);
    if (listing.total < state.lastCall) {
      state.calls = []; // the log was reset
      state.lastCall = 0;
      return refreshCalls();
    }
    document.getElementById("call-count").textContent = listing.total + " answered, " + bytesText(listing.bytes) + " kept";
    if (!listing.calls.length) return;
    state.lastCall = listing.calls[listing.calls.length - 1].seq;
    const body = document.querySelector("#call-table tbody");
    for (const call of listing.calls) {
      body.insertBefore(callRow(call), body.firstChild);
    }
    while (body.rows.length > 500) body.deleteRow(body.rows.length - 1);
  }

  function callRow(call) {
    const applied = [call.fault ? "fault " + call.fault : "", call.prefer ? "Prefer: " + call.prefer : "", call.drop ? "drop " + call.drop : ""].filter(Boolean).join(" · ");
    let checked = "";
    if (call.violations.length) checked = call.violations.length + " violation" + (call.violations.length === 1 ? "" : "s");
    else if (state.meta && state.meta.kind === "proxy") checked = "conforms";
    if (call.recorded !== null) checked += (checked ? " · " : "") + (call.recorded ? "recorded" : "not recorded");
    const open = el("button", { type: "button", className: "link", text: String(call.seq), "aria-label": "Call " + call.seq + " details", onclick: () => selectCall(call.seq) });
    return el(
      "tr",
      { "data-call": call.seq },
      el("td", {}, open),
      el("td", { text: clockText(call.at).slice(11, 23) }),
      el("td", { className: "request", text: call.method + " " + call.path + (call.query ? "?" + call.query : "") }),
      el("td", { text: call.operation_id || "" }),
      el("td", { className: call.status >= 400 ? "bad" : "", text: call.status }),
      el("td", { text: call.code === null ? "" : call.code }),
      el("td", { text: call.latency_ms.toFixed(1) + " ms" }),
      el("td", { className: call.fault ? "warn" : "", text: applied }),
      el("td", { text: call.tenant || "" }),
      el("td", { className: call.violations.length ? "bad" : "", text: checked })
    );
  }

  async function selectCall(seq) {
    state.selectedCall = seq;
    for (const row of document.querySelectorAll("#call-table tbody tr")) row.className = Number(row.dataset.call) === seq ? "selected" : "";
    let call;
    try {
      call = await api("calls/" + seq);
    } catch (error) {
      showError(error);
      return;
    }
    document.getElementById("call-detail").hidden = false;
    const heading = document.getElementById("call-detail-heading");
    heading.textContent = "Call " + call.seq + ": " + call.method + " " + call.path;
    const body = clear(document.getElementById("call-detail-body"));
    body.append(
      pairs([
        ["time (mock clock)", clockText(call.at)],
        ["operation", call.operation_id],
        ["status / code", call.status + (call.code === null ? "" : " / " + call.code)],
        ["latency", call.latency_ms.toFixed(2) + " ms"],
        ["fault", call.fault],
        ["Prefer", call.prefer],
        ["tenant", call.tenant],
        ["query", call.query],
        ["request bytes", bytesText(call.request_bytes)],
        ["response bytes", bytesText(call.response_bytes)],
        ["recorded", call.recorded === null ? undefined : call.recorded ? "yes" : "no"],
      ])
    );
    if (call.violations.length) {
      body.append(el("h4", { className: "bad", text: "Violations of the spec" }));
      const list = el("ul", { className: "plain violations" });
      for (const v of call.violations) list.append(el("li", { text: v.direction + " " + (v.pointer || "(body)") + ": " + v.message + " (rule: " + v.rule + ")" }));
      body.append(list);
    }
    body.append(el("h4", { text: "Request headers (credentials masked)" }), el("pre", { text: Object.entries(call.request.headers).map(([k, v]) => k + ": " + v).join("\n") }));
    body.append(el("h4", { text: "Request body" }), el("pre", { text: shownBody(call.request.body) }));
    body.append(el("h4", { text: "Response headers" }), el("pre", { text: call.response.headers.map(([k, v]) => k + ": " + v).join("\n") }));
    body.append(el("h4", { text: "Response body" }), el("pre", { text: shownBody(call.response.body) }));
    heading.focus();
  }

  // --- controls -------------------------------------------------------------------------------------
  async function refreshControls() {
    const [stats, faults] = await Promise.all([api("stats"), api("faults")]);
    document.getElementById("clock-now").textContent = clockText(stats.now * 1000);
    const list = clear(document.getElementById("stats"));
    for (const [name, value] of [
      ["tasks held", stats.tasks],
      ["created", stats.created_total],
      ["requests", stats.requests],
      ["faults injected", Object.entries(stats.faults).map(([k, v]) => k + ": " + v).join(", ") || "none"],
      ["internal errors", stats.internal_errors],
      ["calls kept", stats.calls_kept + " (" + bytesText(stats.calls_bytes) + ")"],
      ["tenants", Object.entries(stats.tenants).map(([k, v]) => k + " (" + v.tasks + ")").join(", ") || "none"],
    ]) {
      list.append(el("dt", { text: name }), el("dd", { text: value }));
    }
    const plan = faults.plan;
    // A form the user has started editing is never overwritten by a poll; submitting it re-syncs.
    if (!state.faultsEdited && JSON.stringify(plan) !== JSON.stringify(state.plan)) {
      state.plan = plan;
      document.getElementById("fault-rate").value = plan.rate;
      document.getElementById("fault-after-store").value = plan.after_store;
      document.getElementById("fault-seed").value = plan.seed;
      for (const box of document.querySelectorAll("#fault-kinds input")) box.checked = box.value in plan.kinds;
    }
  }

  function changes(before, after) {
    const said = [];
    for (const key of Object.keys(after)) {
      const was = JSON.stringify(before[key]);
      const now = JSON.stringify(after[key]);
      if (was !== now) said.push(key + " " + was + " → " + now);
    }
    return said.length ? said.join("; ") : "nothing (the plan was already so)";
  }

  function wireControls() {
    document.getElementById("clock-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const out = document.getElementById("clock-result");
      const seconds = Number(document.getElementById("advance-seconds").value);
      try {
        const before = (await api("clock")).now;
        const after = (await api("clock/advance", "POST", { seconds: seconds })).now;
        out.textContent = "POST /_mock/clock/advance: the clock moved " + seconds + " s, from " + clockText(before * 1000) + " to " + clockText(after * 1000) + ".";
        document.getElementById("clock").textContent = clockText(after * 1000);
        refresh();
      } catch (error) {
        out.textContent = "Refused: " + error.message;
      }
    });
    document.getElementById("fault-form").addEventListener("input", () => {
      state.faultsEdited = true;
    });
    document.getElementById("fault-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      state.faultsEdited = false;
      const out = document.getElementById("fault-result");
      const kinds = Array.from(document.querySelectorAll("#fault-kinds input:checked"), (box) => box.value);
      const plan = {
        rate: Number(document.getElementById("fault-rate").value),
        after_store: Number(document.getElementById("fault-after-store").value),
        seed: Number(document.getElementById("fault-seed").value),
      };
      if (kinds.length) plan.kinds = kinds;
      try {
        const before = (await api("faults")).plan;
        const after = (await api("faults", "PUT", plan)).plan;
        state.plan = null;
        out.textContent = "PUT /_mock/faults changed: " + changes(before, after) + ".";
      } catch (error) {
        out.textContent = "Refused: " + error.message;
      }
    });
    document.getElementById("reset-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const out = document.getElementById("reset-result");
      try {
        const before = await api("stats");
        await api("reset", "POST", {});
        out.textContent = "POST /_mock/reset: forgot " + before.tasks + " tasks and " + before.calls_kept + " calls; fault counts are back to zero.";
        state.selectedTask = null;
        state.selectedCall = null;
        clear(document.querySelector("#call-table tbody"));
        document.getElementById("task-detail").hidden = true;
        document.getElementById("call-detail").hidden = true;
        state.lastCall = 0;
        refresh();
      } catch (error) {
        out.textContent = "Refused: " + error.message;
      }
    });
  }

  // --- the loop ---------------------------------------------------------------------------------------
  let busy = false;
  async function refresh() {
    if (busy) return;
    busy = true;
    try {
      if (!state.meta) await loadMeta();
      else if (state.view === "tasks") fillSelect("filter-tenant", (await api("meta")).tenants || []);
      if (state.meta.kind !== "proxy") {
        const clock = await api("clock");
        document.getElementById("clock").textContent = clockText(clock.now * 1000);
      } else {
        document.getElementById("clock-label").textContent = "wall clock (the proxy has no clock of its own)";
        document.getElementById("clock").textContent = clockText(Date.now());
      }
      if (state.view === "tasks") await refreshTasks();
      else if (state.view === "calls") await refreshCalls();
      else if (state.view === "controls") await refreshControls();
      notice("");
      document.getElementById("token-form").hidden = true;
    } catch (error) {
      showError(error);
    } finally {
      busy = false;
    }
  }

  function start() {
    for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => showView(tab.dataset.view));
    for (const id of ["filter-tenant", "filter-family", "filter-status"]) {
      document.getElementById(id).addEventListener("change", () => {
        state.taskSignature = "";
        refresh();
      });
    }
    document.getElementById("task-filters").addEventListener("submit", (event) => event.preventDefault());
    document.getElementById("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, document.getElementById("token-input").value);
      state.meta = null;
      refresh();
    });
    wireControls();
    loadMeta()
      .then(() => showView(state.view))
      .catch(showError);
    state.timer = setInterval(refresh, POLL_MS);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
