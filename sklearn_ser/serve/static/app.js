// The page of `sklearn-ser serve`: upload or record audio, POST it to ./predict,
// show the label, the class probabilities as bars and, for long audio, a timeline.
// Plain JS, no build step. URLs are relative so the page works under a proxy prefix.
"use strict";

const PALETTE = ["#3b6fd8", "#d8573b", "#2f9e6e", "#9b59b6", "#e0a526", "#17a2b8",
                 "#c2185b", "#6d7b8d", "#8d6e63", "#5c6bc0"];
const RECORD_RATE = 16000;  // recordings are sent as 16 kHz mono 16-bit WAV
let classColors = {};

const $ = (id) => document.getElementById(id);

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

function setStatus(message) {
  $("status").textContent = message;
}

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

function formatBytes(n) {
  if (n < 1e3) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(0)} kB`;
  return `${(n / 1e6).toFixed(1)} MB`;
}

async function loadInfo() {
  const response = await fetch("info");
  const info = await response.json();
  const model = info.model;
  model.classes.forEach((c, i) => { classColors[c] = PALETTE[i % PALETTE.length]; });
  const rows = [
    ["Classes", model.classes.join(", ")],
    ["Steps", (model.steps || []).join(" \u2192 ")],
    ["Trained on", model.training_utterances == null ? null
      : `${model.training_utterances} utterances`],
    ["Features", model.n_features],
    ["Probabilities", model.probabilities ? "yes" : "no (labels only)"],
  ];
  if (model.file != null) {
    const size = model.file_bytes == null ? "" : ` (${formatBytes(model.file_bytes)})`;
    rows.push(["Model file", `${model.file}${size}`]);
    rows.push(["Saved", model.file_modified]);
  }
  // entries the caller added (create_app's model_info)
  const shown = new Set(["classes", "steps", "training_utterances", "n_features",
                         "probabilities", "file", "file_bytes", "file_modified"]);
  for (const [k, v] of Object.entries(model)) {
    if (!shown.has(k)) rows.push([k.replace(/_/g, " "), v]);
  }
  rows.push(["Upload limit", `${info.max_upload_mb} MB`]);
  if (info.long_audio_s != null) {
    rows.push(["Timeline", `for audio longer than ${info.long_audio_s} s`]);
  }
  const dl = $("model-info");
  dl.replaceChildren();
  for (const [k, v] of rows) {
    if (v == null) continue;
    dl.append(el("dt", {}, k), el("dd", {}, String(v)));
  }
}

function renderBars(result) {
  const bars = $("bars");
  bars.replaceChildren();
  if (!result.probabilities) {
    bars.append(el("p", {}, "This model gives labels only, no probabilities."));
    return;
  }
  const entries = Object.entries(result.probabilities).sort((a, b) => b[1] - a[1]);
  for (const [cls, p] of entries) {
    const row = el("div", {class: "bar-row", "data-class": cls, "data-probability": p});
    if (cls === result.label) row.classList.add("is-top");
    const track = el("div", {class: "bar-track"});
    const fill = el("div", {class: "bar-fill"});
    fill.style.width = `${(100 * p).toFixed(1)}%`;
    track.append(fill);
    row.append(el("span", {class: "bar-label"}, cls), track,
               el("span", {class: "bar-value"}, `${(100 * p).toFixed(1)} %`));
    bars.append(row);
  }
}

function renderTimeline(result) {
  const section = $("timeline-section");
  const rows = result.over_time;
  if (!rows || rows.length === 0) {
    section.hidden = true;
    return;
  }
  // The whole recording, 0 s to its end; segments where the speech is.
  const total = Math.max(result.duration_s, rows[rows.length - 1].end, 1e-9);
  const timeline = $("timeline");
  timeline.replaceChildren();
  for (const row of rows) {
    const seg = el("div", {class: "segment", "data-label": row.label}, row.label);
    seg.style.left = `${(100 * row.start) / total}%`;
    seg.style.width = `${(100 * (row.end - row.start)) / total}%`;
    seg.style.background = classColors[row.label] || "#888";
    let title = `${row.start.toFixed(1)}-${row.end.toFixed(1)} s: ${row.label}`;
    if (row.probabilities) {
      const best = Object.entries(row.probabilities).sort((a, b) => b[1] - a[1]);
      title += " (" + best.map(([c, p]) => `${c} ${(100 * p).toFixed(0)}%`).join(", ") + ")";
    }
    seg.title = title;
    timeline.append(seg);
  }
  $("timeline-axis").replaceChildren(el("span", {}, "0 s"),
                                     el("span", {}, `${total.toFixed(1)} s`));
  const legend = $("legend");
  legend.replaceChildren();
  for (const [cls, color] of Object.entries(classColors)) {
    const item = el("span", {}, cls);
    const swatch = el("span", {class: "swatch"});
    swatch.style.background = color;
    item.prepend(swatch);
    legend.append(item);
  }
  section.hidden = false;
}

function renderResult(result) {
  $("result-file").textContent = result.filename;
  $("top-label").textContent = result.label;
  $("result-meta").textContent =
    `(${result.duration_s.toFixed(2)} s, ${result.sampling_rate} Hz)`;
  renderBars(result);
  renderTimeline(result);
  $("result").hidden = false;
}

async function predict(blob, filename) {
  showError("");
  setStatus(`Predicting ${filename}\u2026`);
  const form = new FormData();
  form.append("file", blob, filename);
  try {
    const response = await fetch("predict", {method: "POST", body: form});
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const detail = typeof body.detail === "string" ? body.detail
        : JSON.stringify(body.detail || response.statusText);
      throw new Error(`${response.status}: ${detail}`);
    }
    renderResult(body);
    setStatus("Done.");
  } catch (err) {
    setStatus("");
    showError(err.message);
  }
}

// ------------------------------------------------------------------ recording
// MediaRecorder gives compressed audio (WebM/Opus in Chromium) that libsndfile on
// the server does not read; the browser decodes it and the page sends WAV.
function encodeWav(samples, rate) {
  const buffer = new ArrayBuffer(44 + 2 * samples.length);
  const view = new DataView(buffer);
  const text = (offset, s) => { for (let i = 0; i < s.length; i++) view.setUint8(offset + i, s.charCodeAt(i)); };
  text(0, "RIFF");
  view.setUint32(4, 36 + 2 * samples.length, true);
  text(8, "WAVE");
  text(12, "fmt ");
  view.setUint32(16, 16, true);        // fmt chunk size
  view.setUint16(20, 1, true);         // PCM
  view.setUint16(22, 1, true);         // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, 2 * rate, true);  // bytes per second
  view.setUint16(32, 2, true);         // bytes per frame
  view.setUint16(34, 16, true);        // bits per sample
  text(36, "data");
  view.setUint32(40, 2 * samples.length, true);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    view.setInt16(44 + 2 * i, s < 0 ? s * 0x8000 : s * 0x7fff, true);
  }
  return new Blob([buffer], {type: "audio/wav"});
}

async function toWav(blob) {
  const context = new OfflineAudioContext(1, 1, RECORD_RATE);
  const audio = await context.decodeAudioData(await blob.arrayBuffer());
  const mono = new Float32Array(audio.length);
  for (let c = 0; c < audio.numberOfChannels; c++) {
    const data = audio.getChannelData(c);
    for (let i = 0; i < data.length; i++) mono[i] += data[i] / audio.numberOfChannels;
  }
  return encodeWav(mono, audio.sampleRate);
}

let recorder = null;

async function startRecording() {
  showError("");
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({audio: true});
  } catch (err) {
    showError(`No microphone: ${err.message}`);
    return;
  }
  const chunks = [];
  recorder = new MediaRecorder(stream);
  recorder.addEventListener("dataavailable", (e) => chunks.push(e.data));
  recorder.addEventListener("stop", async () => {
    stream.getTracks().forEach((t) => t.stop());
    $("record-status").textContent = "";
    try {
      const wav = await toWav(new Blob(chunks, {type: recorder.mimeType}));
      await predict(wav, "recording.wav");
    } catch (err) {
      showError(`Could not decode the recording: ${err.message}`);
    }
  });
  recorder.start();
  $("record-button").disabled = true;
  $("stop-button").disabled = false;
  $("record-status").textContent = "Recording\u2026";
}

function stopRecording() {
  if (recorder && recorder.state !== "inactive") recorder.stop();
  $("record-button").disabled = false;
  $("stop-button").disabled = true;
}

$("upload-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const file = $("file-input").files[0];
  if (!file) {
    showError("Choose an audio file first.");
    return;
  }
  predict(file, file.name);
});
$("file-input").addEventListener("change", () => {
  const file = $("file-input").files[0];
  if (file) predict(file, file.name);
});
$("record-button").addEventListener("click", startRecording);
$("stop-button").addEventListener("click", stopRecording);
if (!window.MediaRecorder || !navigator.mediaDevices) {
  $("record-button").disabled = true;
  $("record-status").textContent = "Recording needs a browser with MediaRecorder (and HTTPS or localhost).";
}
loadInfo().catch((err) => showError(`Could not load the model's description: ${err.message}`));
