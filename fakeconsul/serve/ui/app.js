// fakeconsul's dashboard: plain JavaScript, no build step, no dependency.
//
// It follows GET /_fakeconsul/state with a blocking query (?version=&wait=), so it is live
// without polling, and acts through the control API and /_fakeconsul/clusters/<name>/..., the
// door through which this one page reaches every cluster's own peering API.
"use strict";

const API = "/_fakeconsul";
const WAIT = "25s";
// The ACL token the page sends as X-Consul-Token. sessionStorage: it survives a reload but
// dies with the tab, so no secret is left on disk; it is per origin, so per cluster's port.
const TOKEN_KEY = "fakeconsul.aclToken";

let state = null;     // the last state the server sent
let fetchedAt = 0;    // Date.now() when it arrived
let failures = 0;     // state fetches that failed in a row

// --- talking to the fake -------------------------------------------------------------------

function aclToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || "";
  } catch (err) {
    return "";  // storage disabled: the page still works without ACLs
  }
}

async function call(method, path, body) {
  // A body is sent as text/plain (fetch's default for a string): the fake reads JSON anyway.
  const init = { method, cache: "no-store" };
  if (body !== undefined) init.body = JSON.stringify(body);
  // With ACLs on the control API asks for operator:read or operator:write;
  // /_fakeconsul/clusters/<name>/ hands the token to that cluster.
  const token = aclToken();
  if (token) init.headers = { "X-Consul-Token": token };
  const response = await fetch(path, init);
  const text = await response.text();
  if (!response.ok) {
    let message = text.trim() || `${response.status} ${response.statusText}`;
    if (response.status === 403 && !token) message += " (enter an ACL token at the top)";
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return text ? JSON.parse(text) : {};
}

function setUpToken() {
  const field = document.getElementById("acl-token");
  field.value = aclToken();
  field.addEventListener("input", () => {
    const token = field.value.trim();
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch (err) {
      say("This browser keeps no session storage: the token cannot be used", "error");
    }
  });
}

function viaCluster(cluster, path) {
  return `${API}/clusters/${encodeURIComponent(cluster)}${path}`;
}

async function watch() {
  let version = "";
  for (;;) {
    try {
      const query = version ? `?version=${version}&wait=${WAIT}` : "";
      const next = await call("GET", `${API}/state${query}`);
      failures = 0;
      version = next.Version;
      state = next;
      fetchedAt = Date.now();
      setLive(true);
      render();
    } catch (err) {
      failures += 1;
      setLive(false);
      if (err.status === 403) say(err.message, "error");  // a token is missing or lacks rights
      offerOtherDashboards();
      await new Promise((resolve) => setTimeout(resolve, Math.min(500 * failures, 5000)));
    }
  }
}

// --- small DOM helpers ---------------------------------------------------------------------

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "className") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function say(text, kind = "info") {
  const box = document.getElementById("message");
  box.textContent = text;
  box.className = kind;
  box.hidden = false;
}

function setLive(ok) {
  const live = document.getElementById("live");
  live.textContent = ok ? "live" : "not answering…";
  live.className = ok ? "live ok" : "live down";
}

// --- time ------------------------------------------------------------------------------------

function parseTime(text) {
  // Go prints up to nine fraction digits; Date.parse wants at most three.
  return text ? Date.parse(text.replace(/(\.\d{3})\d+/, "$1")) : NaN;
}

function modelNow() {
  if (!state) return NaN;
  const now = parseTime(state.Clock.Now);
  return state.Clock.Kind === "system" ? now + (Date.now() - fetchedAt) : now;
}

function clockText(ms) {
  if (Number.isNaN(ms)) return "–";
  return new Date(ms).toISOString().replace(/\.\d+Z$/, "Z").replace("T", " ");
}

function shortTime(text) {
  if (!text) return "never";
  const ms = parseTime(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString().slice(11, 19);
}

function tick() {
  if (!state) return;
  document.getElementById("clock-now").textContent = clockText(modelNow());
  const offset = state.Clock.OffsetSeconds;
  document.getElementById("clock-offset").textContent =
    state.Clock.Kind === "system" ? `(wall clock ${offset >= 0 ? "+" : ""}${offset}s)` : "(manual)";
  for (const cell of document.querySelectorAll("[data-due]")) {
    const seconds = (parseTime(cell.dataset.due) - modelNow()) / 1000;
    cell.textContent = seconds <= 0 ? "due" : `${seconds.toFixed(1)}s`;
  }
}

// --- rendering -------------------------------------------------------------------------------

function render() {
  document.getElementById("served-by").textContent =
    state.ServedBy ? `served by ${state.ServedBy}` : "";
  renderLinks();
  renderClusters();
  renderTimers();
  tick();
}

function renderLinks() {
  const names = state.Clusters.map((c) => c.Name);
  const cut = new Set(state.Disconnected.map((pair) => pair.join("\u0000")));
  const items = [];
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const [a, b] = [names[i], names[j]].sort();
      const down = cut.has(`${a}\u0000${b}`);
      items.push(el("li", { dataset: { a, b }, className: down ? "link cut" : "link" },
        el("span", { className: "pair" }, `${a} \u2194 ${b}`), " ",
        el("span", { className: "link-state" }, down ? "disconnected" : "connected"), " ",
        el("button", { type: "button", dataset: { action: down ? "reconnect" : "disconnect" } },
          down ? "Reconnect" : "Disconnect")));
    }
  }
  if (items.length === 0) items.push(el("li", { className: "muted" }, "one cluster: no links"));
  document.getElementById("links").replaceChildren(...items);
}

function renderClusters() {
  const main = document.getElementById("clusters");
  const template = document.getElementById("cluster-template");
  const seen = new Set();
  for (const cluster of state.Clusters) {
    seen.add(cluster.Name);
    let card = main.querySelector(`article[data-cluster="${CSS.escape(cluster.Name)}"]`);
    if (!card) {
      // Cards are made once and then updated, so a half-typed form survives every update.
      card = template.content.firstElementChild.cloneNode(true);
      card.dataset.cluster = cluster.Name;
      card.querySelector(".name").textContent = cluster.Name;
      main.append(card);
    }
    const badge = card.querySelector(".up-badge");
    badge.textContent = cluster.Up ? "up" : "down";
    badge.className = `badge up-badge ${cluster.Up ? "is-up" : "is-down"}`;
    card.classList.toggle("down", !cluster.Up);
    card.querySelector(".take-down").hidden = !cluster.Up;
    card.querySelector(".bring-up").hidden = cluster.Up;
    card.querySelector(".info").textContent =
      `${cluster.Address || "not served"} \u00b7 index ${cluster.Index}` +
      (cluster.PeeringEnabled ? "" : " \u00b7 peering disabled");
    const rows = cluster.Peerings.map(peeringRow);
    if (rows.length === 0) {
      rows.push(el("tr", { className: "empty" }, el("td", { colspan: "7" }, "no peerings")));
    }
    card.querySelector(".peerings tbody").replaceChildren(...rows);
    const services = cluster.Peerings.map(servicesRow);
    if (services.length === 0) {
      services.push(el("tr", { className: "empty" }, el("td", { colspan: "3" }, "no peerings")));
    }
    card.querySelector(".services tbody").replaceChildren(...services);
  }
  for (const card of main.querySelectorAll("article[data-cluster]")) {
    if (!seen.has(card.dataset.cluster)) card.remove();
  }
}

function peeringRow(peering) {
  const status = peering.StreamStatus || {};
  const stateCell = el("td", {},
    el("span", { className: `state state-${peering.State}` }, peering.State));
  if (peering.StoredState && peering.StoredState !== peering.State) {
    stateCell.append(" ", el("span", { className: "muted" }, `stored ${peering.StoredState}`));
  }
  const stream = el("td", { className: "stream" },
    el("div", {}, `heartbeat ${shortTime(status.LastHeartbeat)}`),
    el("div", {}, `sent ${shortTime(status.LastSend)} \u00b7 received ${shortTime(status.LastReceive)}`));
  if (peering.Stream && peering.Stream.LastError) {
    stream.append(el("div", { className: "error-text" }, `dial: ${peering.Stream.LastError}`));
  }
  return el("tr", { dataset: { peering: peering.Name } },
    el("td", { className: "peering-name" }, peering.Name),
    stateCell,
    el("td", {}, peering.Role),
    el("td", {}, peering.PeerCluster || "–"),
    stream,
    el("td", { className: "muted index" }, `${peering.CreateIndex} / ${peering.ModifyIndex}`),
    el("td", {}, el("button", { type: "button", className: "delete", dataset: { action: "delete" } },
      "Delete")));
}

function servicesRow(peering) {
  // The stream's replicated lists: what this cluster exports to the peer, what it imports.
  const status = peering.StreamStatus || {};
  const names = (list) => (list && list.length ? list.join(", ") : "\u2013");
  return el("tr", { dataset: { peering: peering.Name } },
    el("td", { className: "peering-name" }, peering.Name),
    el("td", { className: "exported" }, names(status.ExportedServices)),
    el("td", { className: "imported" }, names(status.ImportedServices)));
}

function renderTimers() {
  const rows = state.Timers.map((timer) => el("tr", {},
    el("td", {}, clockText(parseTime(timer.Due))),
    el("td", { dataset: { due: timer.Due } }),
    el("td", {}, timer.Kind),
    el("td", {}, timer.Cluster || "–"),
    el("td", {}, timer.Peering || "–")));
  if (rows.length === 0) {
    rows.push(el("tr", { className: "empty" }, el("td", { colspan: "5" }, "none")));
  }
  document.getElementById("timers").replaceChildren(...rows);
}

function offerOtherDashboards() {
  if (failures < 2 || !state) return;
  const others = state.Clusters.filter((c) => c.Up && c.Address && c.Name !== state.ServedBy);
  const box = document.getElementById("message");
  box.replaceChildren(`${state.ServedBy || "This cluster"} does not answer.`);
  for (const other of others) {
    box.append(" ", el("a", { href: dashboardOf(other) }, `Open ${other.Name}'s dashboard`));
  }
  box.className = "error";
  box.hidden = false;
}

function dashboardOf(cluster) {
  const [host, port] = [cluster.Address.replace(/:\d+$/, ""), cluster.Address.split(":").pop()];
  const reachable = host === "0.0.0.0" || host === "[::]" ? location.hostname : host;
  return `${location.protocol}//${reachable}:${port}/ui/`;
}

// --- actions ---------------------------------------------------------------------------------

const actions = {
  async advance(form) {
    const seconds = Number(form.querySelector("#advance-seconds").value);
    const answer = await call("POST", `${API}/clock/advance`, { Seconds: seconds });
    return `Clock advanced by ${seconds}s to ${answer.Now}`;
  },
  async generate(form, cluster) {
    const peer = form.querySelector(".generate-name").value.trim();
    const answer = await call("POST", viaCluster(cluster, "/v1/peering/token"), { PeerName: peer });
    const card = form.closest("article");
    card.querySelector(".token-text").value = answer.PeeringToken;
    card.querySelector(".token").hidden = false;
    return `${cluster} generated a token for peer "${peer}"`;
  },
  async copy(button) {
    const text = button.closest(".token").querySelector(".token-text");
    try {
      await navigator.clipboard.writeText(text.value);
    } catch (err) {
      text.select();  // no clipboard API (insecure origin, no permission): the old way
      if (!document.execCommand("copy")) throw new Error("copy failed: select the token and copy it");
    }
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = "Copy"; }, 2000);
    return "Token copied to the clipboard";
  },
  async establish(form, cluster) {
    const peer = form.querySelector(".establish-name").value.trim();
    const token = form.querySelector(".establish-token").value.trim();
    await call("POST", viaCluster(cluster, "/v1/peering/establish"),
      { PeerName: peer, PeeringToken: token });
    form.querySelector(".establish-token").value = "";
    return `${cluster} established peering "${peer}"`;
  },
  async delete(button, cluster) {
    const name = button.closest("tr").dataset.peering;
    await call("DELETE", viaCluster(cluster, `/v1/peering/${encodeURIComponent(name)}`));
    return `${cluster} deleted peering "${name}"`;
  },
  async disconnect(button) {
    const { a, b } = button.closest("li").dataset;
    await call("POST", `${API}/disconnect`, { Clusters: [a, b] });
    return `${a} and ${b} disconnected`;
  },
  async reconnect(button) {
    const { a, b } = button.closest("li").dataset;
    await call("POST", `${API}/reconnect`, { Clusters: [a, b] });
    return `${a} and ${b} reconnected`;
  },
  async "take-down"(button, cluster) {
    await call("POST", `${API}/take-down`, { Cluster: cluster });
    if (state && cluster === state.ServedBy) {
      // This page's own port now refuses connections: carry on from a cluster that is up.
      const other = state.Clusters.find((c) => c.Up && c.Address && c.Name !== cluster);
      if (other) location.assign(dashboardOf(other));
    }
    return `${cluster} is down`;
  },
  async "bring-up"(button, cluster) {
    await call("POST", `${API}/bring-up`, { Cluster: cluster });
    return `${cluster} is up`;
  },
};

async function run(name, target) {
  const card = target.closest("article[data-cluster]");
  const cluster = card ? card.dataset.cluster : null;
  try {
    say(await actions[name](target, cluster), "ok");
  } catch (err) {
    say(err.message, "error");
  }
}

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-action]");
  if (!form) return;
  event.preventDefault();
  run(form.dataset.action, form);
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  if (button) run(button.dataset.action, button);
});

setUpToken();
setInterval(tick, 1000);
watch();
