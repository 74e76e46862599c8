/**
 * The browser script of report.html and index.html, as text (it runs in the page, not in
 * Node): reads the page's JSON data and draws uPlot charts — per ingress the load, latency
 * and served-by series with fault phases shaded and events marked, or per scenario its trend
 * across runs. Kept in plain ES2020 with no imports; headless Chromium runs it in the tests.
 */
export const clientScript = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var palette = ['#0969da', '#bf8700', '#8250df', '#1a7f37', '#cf222e', '#57606a'];
  var eventColors = { 'fault-applied': '#cf222e', 'fault-reverted': '#1a7f37', 'fault-failed': '#9a6700', 'abort': '#82071e', 'revert-all': '#6639ba', 'note': '#0969da' };
  var px = window.devicePixelRatio || 1;
  function widthOf(el) { return Math.max(320, Math.min(1050, (el.clientWidth || 900))); }
  function fmt(digits, unit) { return function (u, v) { return v == null ? '-' : v.toFixed(digits) + unit; }; }
  function secs(u, vals) { return vals.map(function (v) { return '+' + v + 's'; }); }

  function overlay(view) {
    return { hooks: {
      drawClear: [function (u) {
        var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
        ctx.save();
        ctx.font = Math.round(11 * px) + 'px system-ui, sans-serif';
        ctx.textBaseline = 'top';
        view.phases.forEach(function (p, i) {
          var x0 = u.valToPos(p.start, 'x', true), x1 = u.valToPos(p.end, 'x', true);
          ctx.fillStyle = p.faulty ? 'rgba(207, 34, 46, 0.12)' : (i % 2 ? 'rgba(0, 0, 0, 0.035)' : 'rgba(0, 0, 0, 0)');
          ctx.fillRect(x0, top, Math.max(0, x1 - x0), h);
          ctx.fillStyle = p.faulty ? '#a40e26' : '#59636e';
          ctx.fillText(p.name, x0 + 4 * px, top + 3 * px);
        });
        ctx.restore();
      }],
      draw: [function (u) {
        var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
        ctx.save();
        ctx.font = 'bold ' + Math.round(10 * px) + 'px system-ui, sans-serif';
        ctx.textBaseline = 'bottom';
        view.events.forEach(function (e, i) {
          var x = Math.round(u.valToPos(e.t, 'x', true));
          ctx.strokeStyle = eventColors[e.kind] || '#57606a';
          ctx.fillStyle = ctx.strokeStyle;
          ctx.lineWidth = 1.5 * px;
          ctx.setLineDash([5 * px, 3 * px]);
          ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + h); ctx.stroke();
          ctx.fillText(String(i + 1), x + 3 * px, top + h - 2 * px);
        });
        ctx.restore();
      }]
    } };
  }

  // A window's value holds over the whole window: draw steps, and close the last one at its end.
  var stepped = uPlot.paths && uPlot.paths.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined;
  function windowed(view, rows) {
    var t = rows[0];
    if (t.length === 0) return rows;
    return rows.map(function (col, i) { return col.concat([i === 0 ? t[t.length - 1] + view.windowS : col[col.length - 1]]); });
  }
  function steps(series) {
    return series.map(function (s, i) { if (i > 0 && stepped) { s.paths = stepped; s.points = { show: false }; } return s; });
  }

  function chart(parent, title, opts, rows) {
    var box = document.createElement('div');
    box.className = 'chart';
    var head = document.createElement('div');
    head.className = 'chart-title';
    head.textContent = title;
    box.appendChild(head);
    parent.appendChild(box);
    opts.width = widthOf(parent);
    opts.height = opts.height || 220;
    return new uPlot(opts, rows, box);
  }

  function drawRun(view) {
    var host = document.getElementById('charts');
    view.ingresses.forEach(function (ing) {
      var section = document.createElement('section');
      var h = document.createElement('h3');
      h.textContent = 'ingress ' + ing.name;
      section.appendChild(h);
      host.appendChild(section);
      if (ing.t.length === 0) { var p = document.createElement('p'); p.textContent = 'no windows recorded'; section.appendChild(p); return; }
      var sync = { key: 'ingress-' + ing.name };
      var xSeries = { label: 'time', value: fmt(1, ' s') };
      var xAxis = { label: 'seconds since the run started', values: secs };
      chart(section, 'request rate and error rate', {
        scales: { x: { time: false }, rate: { range: function (u, min, max) { return [0, Math.max(1, max * 1.15)]; } }, err: { range: function (u, min, max) { return [0, Math.max(5, max * 1.15)]; } } },
        series: steps([xSeries,
          { label: 'requests/s', scale: 'rate', stroke: '#0969da', width: 1.5, value: fmt(1, '/s') },
          { label: 'errors %', scale: 'err', stroke: '#cf222e', width: 1.5, value: fmt(2, '%') }]),
        axes: [xAxis, { scale: 'rate', label: 'requests/s' }, { scale: 'err', side: 1, label: 'errors %', grid: { show: false } }],
        cursor: { sync: sync }, plugins: [overlay(view)]
      }, windowed(view, [ing.t, ing.rate, ing.errorPct]));
      chart(section, 'latency p50 / p95 / p99 (ms)', {
        scales: { x: { time: false }, y: { range: function (u, min, max) { return [0, Math.max(10, max * 1.1)]; } } },
        series: steps([xSeries,
          { label: 'p50', stroke: '#1a7f37', width: 1.5, value: fmt(1, ' ms') },
          { label: 'p95', stroke: '#bf8700', width: 1.5, value: fmt(1, ' ms') },
          { label: 'p99', stroke: '#cf222e', width: 1.5, value: fmt(1, ' ms') }]),
        axes: [xAxis, { label: 'ms' }],
        cursor: { sync: sync }, plugins: [overlay(view)]
      }, windowed(view, [ing.t, ing.p50, ing.p95, ing.p99]));
      var clusters = view.clusters.filter(function (c) { return ing.servedBy[c]; });
      chart(section, 'share of requests served by each cluster (%)', {
        height: 180,
        scales: { x: { time: false }, y: { range: [0, 100] } },
        series: steps([xSeries].concat(clusters.map(function (c) {
          var color = palette[view.clusters.indexOf(c) % palette.length];
          return { label: c, stroke: color, width: 1.5, value: fmt(0, '%') };
        }))),
        axes: [xAxis, { label: '%' }],
        cursor: { sync: sync }, plugins: [overlay(view)]
      }, windowed(view, [ing.t].concat(clusters.map(function (c) { return ing.servedBy[c]; }))));
    });
  }

  function drawIndex(index) {
    index.scenarios.forEach(function (s, i) {
      var host = document.getElementById('trend-' + i);
      if (!host) return;
      var xs = s.points.map(function (p, j) { return j + 1; });
      var labels = s.points.map(function (p) { return p.label; });
      chart(host, s.name + ': worst p95 / p99 and error rate, run by run', {
        height: 200,
        scales: { x: { time: false, range: [0.5, xs.length + 0.5] }, ms: { range: function (u, min, max) { return [0, Math.max(10, max * 1.1)]; } }, err: { range: function (u, min, max) { return [0, Math.max(5, max * 1.15)]; } } },
        series: [{ label: 'run', value: function (u, v) { return v == null ? '-' : labels[v - 1] || ''; } },
          { label: 'p95', scale: 'ms', stroke: '#bf8700', width: 1.5, points: { show: true }, value: fmt(1, ' ms') },
          { label: 'p99', scale: 'ms', stroke: '#cf222e', width: 1.5, points: { show: true }, value: fmt(1, ' ms') },
          { label: 'errors %', scale: 'err', stroke: '#6639ba', width: 1.5, dash: [4, 3], points: { show: true }, value: fmt(2, '%') }],
        axes: [{ label: 'run', values: function (u, vals) { return vals.map(function (v) { return Number.isInteger(v) ? String(v) : ''; }); } },
          { scale: 'ms', label: 'ms' }, { scale: 'err', side: 1, label: 'errors %', grid: { show: false } }]
      }, [xs, s.points.map(function (p) { return p.p95; }), s.points.map(function (p) { return p.p99; }), s.points.map(function (p) { return p.errorPct; })]);
    });
  }

  if (data.kind === 'run') drawRun(data.view);
  else if (data.kind === 'index') drawIndex(data.index);
  document.documentElement.setAttribute('data-charts', 'drawn');
})();
`;
