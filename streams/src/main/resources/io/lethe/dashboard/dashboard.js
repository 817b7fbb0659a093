// Lethe live dashboard: follows /events (server-sent events) and draws one accuracy chart per model.
// Events: reset, evaluation, gaps, receipt, version, feed-error (see DashboardEvents.java for their fields).
'use strict';

const TASK_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22',
  '#7f7f7f', '#d62728'];
const MAX_ROWS = 12;

// Vertical markers (task transitions, erasures) drawn over the chart area; markers live in the plugin options.
const markerPlugin = {
  id: 'letheMarkers',
  afterDatasetsDraw(chart, args, options) {
    const { ctx, chartArea, scales } = chart;
    const rows = {};
    for (const marker of options.markers || []) {
      const x = scales.x.getPixelForValue(marker.step);
      if (!Number.isFinite(x) || x < chartArea.left - 1 || x > chartArea.right + 1) {
        continue;
      }
      ctx.save();
      ctx.strokeStyle = marker.color;
      ctx.lineWidth = marker.kind === 'erasure' ? 2 : 1;
      ctx.setLineDash(marker.kind === 'erasure' ? [] : [5, 4]);
      ctx.beginPath();
      ctx.moveTo(x, chartArea.top);
      ctx.lineTo(x, chartArea.bottom);
      ctx.stroke();
      const row = marker.kind === 'erasure' ? 1 : 0;
      const key = row + ':' + Math.round(x / 40);
      const shift = (rows[key] = (rows[key] || 0) + 1) - 1;
      ctx.fillStyle = marker.color;
      ctx.font = '11px system-ui, sans-serif';
      const text = marker.label;
      const width = ctx.measureText(text).width;
      const left = x + 3 + width > chartArea.right ? x - 3 - width : x + 3;
      ctx.fillText(text, left, chartArea.top + 12 + 13 * (2 * shift + row));
      ctx.restore();
    }
  },
};

const state = { models: new Map(), receipts: [], versions: [], connected: false, events: 0, errors: [] };

function modelState(name) {
  let model = state.models.get(name);
  if (model) {
    return model;
  }
  document.getElementById('waiting')?.remove();
  const card = document.getElementById('model-card').content.firstElementChild.cloneNode(true);
  card.dataset.model = name;
  card.querySelector('.model-name').textContent = name;
  // Cards in model-name order, so a page reloaded mid-run lays them out the same way.
  const later = [...document.querySelectorAll('#models article.model')].find((c) => c.dataset.model > name);
  document.getElementById('models').insertBefore(card, later || null);
  const chart = new Chart(card.querySelector('canvas'), {
    type: 'line',
    data: { datasets: [] },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', intersect: false },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'examples learned' } },
        y: { min: 0, max: 100, title: { display: true, text: 'accuracy on the task (%)' } },
      },
      plugins: {
        legend: { position: 'bottom' },
        letheMarkers: { markers: [] },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.parsed.y.toFixed(2)} % at ${c.parsed.x}` } },
      },
    },
    plugins: [markerPlugin],
  });
  model = { name, card, chart, datasets: new Map(), lastTask: null, transitions: [], erasures: new Map(),
    evaluations: 0, afterErasure: 0, dirty: false };
  state.models.set(name, model);
  return model;
}

function dataset(model, task) {
  let ds = model.datasets.get(task);
  if (!ds) {
    const color = TASK_COLORS[task % TASK_COLORS.length];
    ds = { label: `task ${task}`, data: [], borderColor: color, backgroundColor: color, pointRadius: 2,
      borderWidth: 1.5, tension: 0 };
    model.datasets.set(task, ds);
    model.chart.data.datasets.push(ds);
    model.chart.data.datasets.sort((a, b) => Number(a.label.split(' ')[1]) - Number(b.label.split(' ')[1]));
  }
  return ds;
}

function refreshMarkers(model) {
  const markers = model.transitions.map((t) => ({ kind: 'transition', step: t.step, color: '#667085',
    label: `task ${t.task} starts` }));
  for (const [step, count] of model.erasures) {
    markers.push({ kind: 'erasure', step, color: '#d92d20', label: count === 1 ? 'erasure' : `${count} erasures` });
  }
  model.chart.options.plugins.letheMarkers.markers = markers;
  model.card.dataset.transitionMarkers = String(model.transitions.length);
  model.card.dataset.erasureMarkers = String(model.erasures.size);
  model.dirty = true;
}

function onEvaluation(ev) {
  const model = modelState(ev.model);
  for (const [task, accuracy] of Object.entries(ev.tasks)) {
    dataset(model, Number(task)).data.push({ x: ev.step, y: accuracy });
  }
  if (!ev.afterErasure && ev.currentTask >= 0) {
    if (model.lastTask !== null && ev.currentTask !== model.lastTask) {
      model.transitions.push({ step: ev.step, task: ev.currentTask });
      refreshMarkers(model);
    }
    model.lastTask = ev.currentTask;
  }
  model.evaluations++;
  if (ev.afterErasure) {
    model.afterErasure++;
  }
  const metrics = ev.metrics || {};
  const fmt = (v) => (v === undefined ? 'n/a' : v.toFixed(2));
  // The average over the tasks met so far: later tasks' sets are not a fair part of it yet.
  const met = Object.entries(ev.tasks).filter(([task]) => Number(task) <= ev.currentTask).map(([, a]) => a);
  const average = met.length ? met.reduce((a, b) => a + b, 0) / met.length : undefined;
  model.card.querySelector('.model-meta').textContent = `version ${ev.version} · ${ev.step.toLocaleString()} examples learned`
    + ` · learning task ${ev.currentTask} · average over tasks 0–${ev.currentTask} ${fmt(average)} %`
    + ` · min-ACC ${fmt(metrics.min_acc)} %`
    + (metrics.acc_task_end === undefined ? '' : ` · at the last task end: ACC ${fmt(metrics.acc_task_end)} %`
      + `, BWT ${fmt(metrics.bwt_task_end)}`)
    + ` · WC-ACC ${fmt(metrics.wc_acc)} % · WF10 ${fmt(metrics.wf10)} · ${model.evaluations} evaluations`;
  model.dirty = true;
}

function onGaps(ev) {
  const model = modelState(ev.model);
  const body = model.card.querySelector('table.gaps tbody');
  body.replaceChildren(...ev.transitions.map((g) => row([g.newTask, g.step.toLocaleString(), g.oldTask,
    g.before.toFixed(2), g.minimum.toFixed(2), g.depth.toFixed(2), g.recovery < 0 ? 'not recovered' : g.recovery.toLocaleString()])));
}

function onReceipt(ev) {
  if (ev.step !== undefined && ev.status === 'COMPLETED' && ev.examplesRemoved > 0) {
    const model = modelState(ev.model);
    model.erasures.set(ev.step, (model.erasures.get(ev.step) || 0) + 1);
    refreshMarkers(model);
  }
  const m = ev.metrics || {};
  let check = '';
  if (ev.residual !== undefined) {
    check = `residual ${ev.residual.toExponential(1)}`;
  } else if (m.forget_accuracy !== undefined) {
    check = `forget acc ${m.forget_accuracy.toFixed(1)} %`
      + (m.test_accuracy_holdout !== undefined ? `, test ${m.test_accuracy_holdout.toFixed(1)} %` : '');
  } else {
    check = ev.method || '';
  }
  state.receipts.unshift(row([time(ev.completedAt), ev.model, ev.requestId, ev.status, ev.examplesRemoved,
    ev.version ?? '', ev.latencyMs, check], [1, 2, 7], ev.status));
  state.receipts.length = Math.min(state.receipts.length, MAX_ROWS);
  document.querySelector('#receipts tbody').replaceChildren(...state.receipts);
}

function onVersion(ev) {
  state.versions.unshift(row([time(ev.createdAt), ev.model, ev.version, ev.trigger,
    ev.examplesLearned.toLocaleString(), ev.examplesRetained.toLocaleString(), ev.erasures], [1, 3]));
  state.versions.length = Math.min(state.versions.length, MAX_ROWS);
  document.querySelector('#versions tbody').replaceChildren(...state.versions);
}

// A network retraining in this process: its erasures' receipts and its next version wait for it.
function onRetraining(ev) {
  const el = document.getElementById('retraining');
  state.retraining = ev.models;
  if (ev.models.length === 0) {
    el.hidden = true;
    el.textContent = '';
    return;
  }
  el.hidden = false;
  el.textContent = ev.models.map((m) => `${m.model}: retraining (${m.reason}) ${m.percent.toFixed(0)} %`
    + ` (${m.done.toLocaleString()} of ${m.total.toLocaleString()}, ${m.seconds.toFixed(0)} s);`
    + ' its erasure receipts and new versions wait, input waits in Kafka').join(' · ');
}

function row(cells, textColumns = [], statusClass = '') {
  const tr = document.createElement('tr');
  cells.forEach((value, i) => {
    const td = document.createElement('td');
    td.textContent = String(value);
    if (textColumns.includes(i)) {
      td.className = 'text';
    }
    if (i === 3 && statusClass) {
      td.classList.add(statusClass);
    }
    tr.appendChild(td);
  });
  return tr;
}

function time(ms) {
  return new Date(ms).toLocaleTimeString();
}

function reset() {
  for (const model of state.models.values()) {
    model.chart.destroy();
    model.card.remove();
  }
  state.models.clear();
  state.receipts = [];
  state.versions = [];
  document.querySelector('#receipts tbody').replaceChildren();
  document.querySelector('#versions tbody').replaceChildren();
}

function setConnection(kind, text) {
  const el = document.getElementById('connection');
  el.className = `status ${kind}`;
  el.dataset.state = kind;
  el.textContent = text;
}

function redraw() {
  for (const model of state.models.values()) {
    if (model.dirty) {
      model.dirty = false;
      model.chart.update('none');
    }
  }
  requestAnimationFrame(redraw);
}

function handler(fn) {
  return (message) => {
    state.events++;
    try {
      fn(JSON.parse(message.data));
    } catch (e) {
      state.errors.push(String(e));
      console.error('dashboard event failed', e, message.data);
    }
  };
}

function connect() {
  const source = new EventSource('events');
  source.onopen = () => { state.connected = true; setConnection('live', 'live'); };
  source.onerror = () => { state.connected = false; setConnection('lost', 'disconnected: retrying…'); };
  source.addEventListener('reset', handler(reset));
  source.addEventListener('evaluation', handler(onEvaluation));
  source.addEventListener('gaps', handler(onGaps));
  source.addEventListener('receipt', handler(onReceipt));
  source.addEventListener('version', handler(onVersion));
  source.addEventListener('retraining', handler(onRetraining));
  source.addEventListener('feed-error', handler((e) => state.errors.push(`${e.topic}: ${e.message}`)));
}

// What the page shows, in numbers: read by the end-to-end browser test and handy in the console.
window.letheDashboard = {
  summary() {
    const models = {};
    for (const [name, model] of state.models) {
      const pointsPerTask = {};
      for (const [task, ds] of model.datasets) {
        pointsPerTask[task] = ds.data.length;
      }
      models[name] = { pointsPerTask, transitionMarkers: model.transitions.length, erasureMarkers: model.erasures.size,
        erasuresMarked: [...model.erasures.values()].reduce((a, b) => a + b, 0), evaluations: model.evaluations,
        afterErasureEvaluations: model.afterErasure,
        gapRows: model.card.querySelectorAll('table.gaps tbody tr').length };
    }
    return { connected: state.connected, events: state.events, errors: state.errors.slice(), models,
      receiptRows: state.receipts.length, versionRows: state.versions.length, retraining: state.retraining || [] };
  },
};

requestAnimationFrame(redraw);
connect();
