"""The Jinja2 template of ``report.html``: one self-contained page (CSS inline, plots as base64).

Kept in a module rather than a data file so that it ships with the package however it is
installed. The small script at the end marks ``<body data-images="ok">`` once every
image has decoded (``"broken"`` otherwise); the render test reads that mark back.
"""

from __future__ import annotations

# ruff: noqa: E501 - HTML and CSS lines are kept whole for readability

TEMPLATE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ suite }} · agentrt eval</title>
<style>
  :root { --ink:#1f2933; --mute:#616e7c; --line:#e4e7eb; --ok:#2f8f55; --bad:#c0392b; --accent:#3b6ea5; }
  * { box-sizing: border-box; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
         margin: 0; background: #f5f7fa; }
  header { background: #1f2933; color: #fff; padding: 20px 32px 18px; }
  header h1 { margin: 0 0 4px; font-size: 22px; font-weight: 600; }
  header p { margin: 0; color: #cbd2d9; }
  main { max-width: 1180px; margin: 0 auto; padding: 20px 32px 40px; }
  .cards { display: flex; gap: 14px; flex-wrap: wrap; margin: 4px 0 18px; }
  .card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; min-width: 170px; }
  .card .v { font-size: 26px; font-weight: 650; }
  .card .l { color: var(--mute); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
  .card .s { color: var(--mute); font-size: 12px; }
  section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; margin-bottom: 16px; }
  h2 { font-size: 16px; margin: 0 0 10px; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; }
  th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { color: var(--mute); font-weight: 600; background: #fafbfc; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  .ok { color: var(--ok); font-weight: 600; } .bad { color: var(--bad); font-weight: 600; }
  .err { color: #8e44ad; font-weight: 600; }
  .plots { display: flex; flex-wrap: wrap; gap: 12px; }
  .plots img { max-width: 100%; height: auto; align-self: flex-start; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
  .grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
  @media (max-width: 900px) { .grid2 { grid-template-columns: 1fr; } }
  code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
  pre { background: #f0f2f5; padding: 8px 10px; border-radius: 6px; white-space: pre-wrap; word-break: break-all; margin: 4px 0; }
  .why { color: var(--mute); max-width: 420px; }
  .chain span { display: inline-block; margin-right: 4px; font-weight: 400; }
  footer { color: var(--mute); font-size: 12px; text-align: center; padding: 8px; }
</style>
</head>
<body data-images="pending">
<header>
  <h1>{{ suite }}</h1>
  <p>{{ info.description }} — scene <code>{{ info.scene }}</code>, seeds {{ seeds.start }}–{{ seeds.start + seeds.episodes - 1 }}</p>
</header>
<main>
<div class="cards">
  <div class="card"><div class="l">success</div><div class="v">{{ pct(agg.success_rate) }}</div>
    <div class="s">95% CI {{ pct(agg.success_ci95[0]) }}–{{ pct(agg.success_ci95[1]) }}</div></div>
  <div class="card"><div class="l">episodes</div><div class="v">{{ agg.episodes }}</div>
    <div class="s">{{ agg.successes }} succeeded{% if agg.errors %}, {{ agg.errors }} worker errors{% endif %}</div></div>
  {% if agg.avg_chain_length is defined %}
  <div class="card"><div class="l">avg chain length</div><div class="v">{{ "%.2f"|format(agg.avg_chain_length) }}</div>
    <div class="s">of {{ info.chain_length }}; 95% CI {{ "%.2f"|format(agg.avg_chain_length_ci95[0]) }}–{{ "%.2f"|format(agg.avg_chain_length_ci95[1]) }}</div></div>
  {% endif %}
  <div class="card"><div class="l">subgoals</div><div class="v">{{ pct(agg.subgoals.success_rate) }}</div>
    <div class="s">{{ agg.subgoals.succeeded }}/{{ agg.subgoals.attempted }} succeeded</div></div>
  <div class="card"><div class="l">replans / episode</div><div class="v">{{ "%.2f"|format(agg.planning.replans_per_episode) }}</div>
    <div class="s">plan validity {{ pct(agg.planning.plan_validity) }}</div></div>
  <div class="card"><div class="l">sim time / episode</div><div class="v">{{ "%.0f"|format(agg.time.sim_time_s_mean) }} s</div>
    <div class="s">{{ "%.0f"|format(agg.time.steps_mean) }} steps; wall {{ "%.0f"|format(agg.time.wall_time_s_mean) }} s</div></div>
</div>

{% if plots %}
<section><h2>Plots</h2><div class="plots">
  {% for p in plots %}<img src="data:image/png;base64,{{ p.data }}" alt="{{ p.alt }}" title="{{ p.alt }}">{% endfor %}
</div></section>
{% endif %}

<div class="grid2">
{% for tag in info.group_by %}{% set groups = agg["by_" + tag] %}
<section><h2>Success by {{ tag }}</h2>
<table class="by-tag"><thead><tr><th>{{ tag }}</th><th class="num">episodes</th><th class="num">success</th><th class="num">rate</th><th>95% CI</th></tr></thead>
<tbody>{% for value, g in groups.items() %}<tr><td>{{ value }}</td><td class="num">{{ g.episodes }}</td><td class="num">{{ g.successes }}</td>
<td class="num">{{ pct(g.success_rate) }}</td><td>{{ pct(g.success_ci95[0]) }}–{{ pct(g.success_ci95[1]) }}</td></tr>{% endfor %}</tbody></table>
</section>
{% endfor %}
{% if agg.success_at_length is defined %}
<section><h2>Success at chain length</h2>
<table class="chain-table"><thead><tr><th>i</th><th class="num">success at i</th><th class="num">episodes ending at i</th></tr></thead>
<tbody><tr><td>0</td><td class="num">—</td><td class="num">{{ agg.chain_length_histogram["0"] }}</td></tr>
{% for i, r in agg.success_at_length.items() %}<tr><td>{{ i }}</td><td class="num">{{ pct(r) }}</td>
<td class="num">{{ agg.chain_length_histogram[i] }}</td></tr>{% endfor %}</tbody></table>
</section>
{% endif %}
<section><h2>Skills</h2>
<table class="skills"><thead><tr><th>skill</th><th class="num">attempts</th><th class="num">success</th><th>95% CI</th><th>outcomes</th><th class="num">steps</th><th class="num" title="other objects knocked out of their place">disturbed</th></tr></thead>
<tbody>{% for name, s in agg.skills.items() %}<tr><td><code>{{ name }}</code></td><td class="num">{{ s.attempts }}</td><td class="num">{{ pct(s.success_rate) }}</td>
<td>{{ pct(s.success_ci95[0]) }}–{{ pct(s.success_ci95[1]) }}</td><td>{% for k, v in s.outcomes.items() %}{{ k }} {{ v }}{% if not loop.last %}, {% endif %}{% endfor %}</td>
<td class="num">{{ "%.0f"|format(s.steps_mean) }}</td><td class="num">{{ s.get("disturbed_objects", 0) }}</td></tr>{% endfor %}</tbody></table>
</section>
<section><h2>Planning and safety</h2>
<table class="planning"><tbody>
<tr><td>instructions given</td><td class="num">{{ agg.planning.instructions }}</td></tr>
<tr><td>planner calls (plans + replans)</td><td class="num">{{ agg.planning.plan_calls }}</td></tr>
<tr><td>plan repairs (drafts the planner corrected)</td><td class="num">{{ agg.planning.get("plan_repairs", 0) }}</td></tr>
<tr><td>invalid plans (failed validation)</td><td class="num">{{ agg.planning.invalid_plans }}</td></tr>
<tr><td>planning errors / rejected instructions</td><td class="num">{{ agg.planning.planning_errors }} / {{ agg.planning.rejected_instructions }}</td></tr>
<tr><td>replans</td><td class="num">{{ agg.planning.replans }}</td></tr>
<tr><td>constitution rejections</td><td class="num">{% if config.constitution %}{{ agg.constitution.rejections }}{% else %}not reviewed{% endif %}</td></tr>
<tr><td>instruction outcomes</td><td class="num">{% for k, v in agg.planning.stage_outcomes.items() %}{{ k }} {{ v }}{% if not loop.last %}, {% endif %}{% endfor %}</td></tr>
</tbody></table>
</section>
{% if agg.metrics is defined %}
<section><h2>Suite metrics</h2>
<table class="metrics"><thead><tr><th>metric</th><th class="num">mean</th><th>95% CI</th><th class="num">episodes</th></tr></thead>
<tbody>{% for k, m in agg.metrics.items() %}<tr><td>{{ k }}</td><td class="num">{{ "%.3f"|format(m.mean) }}</td>
<td>{{ "%.3f"|format(m.ci95[0]) }}–{{ "%.3f"|format(m.ci95[1]) }}</td><td class="num">{{ m.episodes }}</td></tr>{% endfor %}</tbody></table>
</section>
{% endif %}
</div>

<section><h2>Episodes</h2>
<table class="episodes"><thead><tr><th class="num">#</th><th class="num">seed</th>{% for tag in tags %}<th>{{ tag }}</th>{% endfor %}
<th>result</th>{% if info.chain_length %}<th class="num">chain</th>{% endif %}<th class="num">steps</th><th class="num">replans</th>
<th class="num">sim s</th><th class="num">wall s</th><th>instructions / why not</th><th>video</th></tr></thead>
<tbody>{% for e in episodes %}<tr>
<td class="num">{{ e.index }}</td><td class="num">{{ e.seed }}</td>{% for tag in tags %}<td>{{ e.tags.get(tag, "") }}</td>{% endfor %}
<td>{% if e.status == "error" %}<span class="err">error</span>{% elif e.success %}<span class="ok">✓ success</span>{% else %}<span class="bad">✗ failure</span>{% endif %}</td>
{% if info.chain_length %}<td class="num">{{ e.chain_length }}/{{ info.chain_length }}</td>{% endif %}
<td class="num">{{ e.steps }}</td><td class="num">{{ e.stages|sum(attribute="replans") }}</td>
<td class="num">{{ "%.1f"|format(e.sim_time_s) }}</td><td class="num">{{ "%.1f"|format(e.wall_time_s) }}</td>
<td class="why">{% if info.chain_length %}<div class="chain">{% for text in e.instructions %}{% set st = e.stages[loop.index0] if loop.index0 < e.stages|length else none %}
<span class="{{ 'ok' if st and st.success else ('bad' if st else '') }}">{{ loop.index }}. {{ text }}</span><br>{% endfor %}</div>{% endif %}
{{ why(e) }}</td>
<td>{% if e.video %}<a href="{{ e.video }}">mp4</a>{% else %}—{% endif %}</td></tr>{% endfor %}</tbody></table>
</section>

<section><h2>Configuration and how to rerun</h2>
<pre>{{ rerun_command }}</pre>
<table class="config"><tbody>
{% for k, v in config.items() %}<tr><td>{{ k }}</td><td><code>{{ v }}</code></td></tr>{% endfor %}
<tr><td>code version</td><td><code>{{ code_version }}</code>{% if code_versions|length > 1 %} (episodes from {{ code_versions|join(", ") }}){% endif %}</td></tr>
<tr><td>command as typed</td><td><code>{{ command }}</code></td></tr>
<tr><td>run</td><td>{{ run.workers }} worker(s), {{ run.episodes_run }} episodes run, {{ run.episodes_resumed }} resumed,
{{ "%.0f"|format(run.elapsed_s) }} s, {{ "%.0f"|format(run.episodes_per_hour) }} episodes/hour, finished {{ run.finished_at }}</td></tr>
</tbody></table>
</section>
</main>
<footer>agentrt eval · success is decided by simulator predicates over each instruction's goal literals</footer>
<script>
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.every(function (im) { return im.complete && im.naturalWidth > 0; });
  document.body.setAttribute("data-images", ok ? "ok" : "broken");
  document.body.setAttribute("data-image-count", String(imgs.length));
});
</script>
</body>
</html>
"""
