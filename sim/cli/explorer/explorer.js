// The scenario explorer's page: controls built from the parameter table (/api/library),
// a Run that posts the choice and polls its progress, the answer drawn by charts.js.
import { lineChart } from "./charts.js";

const $ = (id) => document.getElementById(id);
const colors = ["var(--base)", "var(--arm)"];
let library = null;
const history = [];  // {id, label, delta}

// Human names of the interventions (the parameter table's names are the TOML's).
const TITLES = {
  foundation_public_support: "Foundations fund the public sector",
  membership_dissemination: "Membership associations spread the word",
  graduate_programs: "Graduate programs",
  knowledge_mobilization: "Knowledge mobilization",
  budget_change: "Budget change",
  compliance_toolkit: "Compliance toolkit for providers",
};

function option(value, text = value) {
  const node = document.createElement("option");
  node.value = value;
  node.textContent = text;
  return node;
}

function baseScenario() {
  return library.scenarios.find((s) => s.name === $("base").value);
}

// A real or integer key: a slider over the table's range (or a span from the default where
// the range is open) and a number box that takes any value, which the server checks.
function numberControl(type, key) {
  const id = `${type}--${key.name}`;
  const years = baseScenario().years;
  const isYear = key.name === "start_year" || key.name === "end_year";
  const min = key.slider_min, max = isYear ? years : key.slider_max;
  let value = key.default;
  if (key.name === "end_year") value = years;
  if (value === null || value === undefined) value = (min + max) / 2;
  const slider = Object.assign(document.createElement("input"), {
    type: "range", id, min, max, step: key.kind === "integer" ? 1 : isYear ? 0.25 : (max - min) / 100,
  });
  slider.value = value;
  const box = Object.assign(document.createElement("input"), { type: "number", id: `${id}--value`, step: "any" });
  box.value = value;
  slider.addEventListener("input", () => { box.value = +(+slider.value).toFixed(6); });
  box.addEventListener("input", () => { slider.value = box.value; });
  slider.title = `${key.description} Range ${key.range}${key.unit && key.unit !== "1" ? ", " + key.unit : ""}.`;
  return [slider, box];
}

function choiceControl(type, key) {
  const select = Object.assign(document.createElement("select"), { id: `${type}--${key.name}` });
  if (key.default === null && !key.required) select.append(option("", `(${key.default_text})`));
  for (const choice of key.choices) select.append(option(choice));
  if (key.default !== null) select.value = key.default;
  select.title = key.description;
  return [select, document.createElement("span")];
}

function buildInterventions() {
  const holder = $("interventions");
  holder.replaceChildren();
  for (const { type, keys } of library.interventions) {
    const fieldset = document.createElement("fieldset");
    fieldset.dataset.type = type;
    const legend = document.createElement("legend");
    const toggle = Object.assign(document.createElement("input"), { type: "checkbox", id: `on--${type}` });
    toggle.addEventListener("change", () => fieldset.classList.toggle("on", toggle.checked));
    const label = Object.assign(document.createElement("label"), { htmlFor: toggle.id });
    label.append(toggle, " ", TITLES[type] || type);
    legend.append(label);
    const rows = document.createElement("div");
    rows.className = "keys";
    for (const key of keys) {
      const row = document.createElement("div");
      row.className = "key";
      const name = Object.assign(document.createElement("label"), { textContent: key.name.replaceAll("_", " ") });
      const controls = key.kind === "choice" ? choiceControl(type, key) : numberControl(type, key);
      name.htmlFor = controls[0].id;
      row.append(name, ...controls);
      rows.append(row);
    }
    fieldset.append(legend, rows);
    holder.append(fieldset);
  }
}

// The page's choice as the request body: each switched-on intervention with its keys. A
// number box that does not hold a number is sent as typed, so the answer is the message a
// scenario file with that value gets.
function request() {
  const interventions = [];
  for (const { type, keys } of library.interventions) {
    if (!$(`on--${type}`).checked) continue;
    const table = { type };
    for (const key of keys) {
      const id = `${type}--${key.name}`;
      if (key.kind === "choice") {
        if ($(id).value !== "") table[key.name] = $(id).value;
      } else {
        const text = $(`${id}--value`).value;
        table[key.name] = text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : text;
      }
    }
    interventions.push(table);
  }
  const replicates = Number($("replicates").value);
  return { base: $("base").value, replicates: Number.isInteger(replicates) ? replicates : $("replicates").value, interventions };
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

async function run() {
  showError("");
  const body = request();
  window.lastRequest = body;  // what was sent, for the browser test
  $("run").disabled = true;
  $("progress").hidden = false;
  $("progress").value = 0;
  document.body.dataset.state = "running";
  try {
    const response = await fetch("/api/runs", { method: "POST", headers: { "Content-Type": "application/json" },
                                                body: JSON.stringify(body) });
    const answer = await response.json();
    if (response.status !== 202) throw new Error(answer.error || `HTTP ${response.status}`);
    const status = await poll(answer.id);
    const label = `${status.base}` + (body.interventions.length
      ? " + " + body.interventions.map((i) => i.type.replaceAll("_", " ")).join(", ") : " (no intervention)");
    history.unshift({ id: status.id, label, delta: status.result.indicators[0].delta.text });
    show(status);
  } catch (error) {
    showError(error.message);
    document.body.dataset.state = "error";
  } finally {
    $("run").disabled = false;
    $("progress").hidden = true;
  }
}

async function poll(id) {
  for (;;) {
    const response = await fetch(`/api/runs/${id}`);
    const status = await response.json();
    if (!response.ok) throw new Error(status.error);
    $("progress").value = status.progress;
    if (status.state === "done") return status;
    if (status.state === "failed") throw new Error(status.error);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function show(status) {
  const result = status.result;
  $("results").hidden = false;
  $("result-title").textContent = `Run ${status.id}: ${status.base} and arm, ${status.replicates} paired replicates`;
  $("verdict").textContent = result.verdict;
  $("delta").textContent = result.indicators[0].delta.text;
  const charts = $("charts");
  charts.replaceChildren();
  for (const indicator of result.indicators) {
    const figure = document.createElement("figure");
    const caption = document.createElement("figcaption");
    caption.textContent = `Δ in the final year: ${indicator.delta.text}`;
    figure.append(lineChart({
      title: indicator.label,
      years: result.years,
      series: indicator.arms.map((arm, i) => ({ ...arm, color: colors[i] })),
    }), caption);
    charts.append(figure);
  }
  $("printed").textContent = result.printed;
  const links = $("downloads");
  links.replaceChildren("Download: ");
  for (const [file, text] of [["results.h5", "results (.h5)"], ["arm.toml", "arm scenario (TOML)"],
                              ["base.toml", `${status.base} scenario (TOML)`]]) {
    const link = Object.assign(document.createElement("a"), { href: `/api/runs/${status.id}/${file}`, textContent: text });
    link.id = `download-${file.replace(".", "-")}`;
    links.append(link, " · ");
  }
  links.append(`then: ${result.cli}`);
  renderHistory(status.id);
  document.body.dataset.state = "done";
  document.body.dataset.run = status.id;
}

function renderHistory(current) {
  $("history").replaceChildren(...history.map((entry) => {
    const item = document.createElement("li");
    item.textContent = `#${entry.id} ${entry.label}: Δ gap ${entry.delta}`;
    item.classList.toggle("current", entry.id === current);
    item.addEventListener("click", async () => {
      const response = await fetch(`/api/runs/${entry.id}`);
      const status = await response.json();
      if (response.ok && status.state === "done") show(status);
      else showError(status.error || "that run is no longer kept by the server");
    });
    return item;
  }));
}

async function start() {
  const response = await fetch("/api/library");
  library = await response.json();
  for (const s of library.scenarios) $("base").append(option(s.name, `${s.name} (${Math.round(s.agents)} agents, ${s.years} years)`));
  const describe = () => {
    const s = baseScenario();
    $("base-description").textContent = s.description +
      (s.interventions.length ? ` It already has: ${s.interventions.join(", ")}.` : "");
  };
  $("base").addEventListener("change", () => { describe(); buildInterventions(); });
  describe();
  buildInterventions();
  $("replicates").value = library.default_replicates;
  $("run").addEventListener("click", run);
  document.body.dataset.state = "ready";
}

start().catch((error) => showError(`The page could not load the scenario library: ${error.message}`));
