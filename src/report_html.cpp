// report_html(): the report as one self-contained page — inline SVG charts drawn here, the
// host's flowchart, tables, and a filter in plain JavaScript over the embedded aggregates.
#include "triage/report.hpp"

#include "triage/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace triage {

namespace {

// One colour per outcome (cycled), grey for mentions with no outcome: readable on white and in print.
constexpr std::array<std::string_view, 10> palette = {"#1e88e5", "#43a047", "#fb8c00", "#8e24aa", "#e53935",
                                                      "#00897b", "#6d4c41", "#3949ab", "#c0ca33", "#d81b60"};
constexpr std::string_view no_outcome_colour = "#9e9e9e";

std::string colour_of(std::size_t column, std::size_t columns) {
    return std::string(column + 1 == columns ? no_outcome_colour : palette[column % palette.size()]);
}

std::string column_name(const Flow& flow, std::size_t column) {
    return column < flow.outcomes().size() ? flow.outcomes()[column].name : "(no outcome)";
}

std::string column_title(const Flow& flow, std::size_t column) {
    return column < flow.outcomes().size() ? flow.outcomes()[column].title : "No outcome";
}

// "2026-11-22 09:00" (UTC), for headers and axes.
std::string minute_text(TimePoint t) {
    std::string iso = format_time(t);
    if (iso.size() >= 16) iso = iso.substr(0, 10) + " " + iso.substr(11, 5);
    return iso;
}

std::string first_action(const Outcome& o) {
    if (o.actions.empty()) return "";
    const Action& a = o.actions.front();
    if (a.kind == ActionKind::respond) return fmt::format("respond {}", to_string(a.channel));
    if (a.kind == ActionKind::escalate || a.kind == ActionKind::flag) return fmt::format("{} {}", to_string(a.kind), a.text);
    return std::string(to_string(a.kind));
}

// JSON text safe inside <script>: no "</" can close the element early.
std::string script_safe(std::string json) {
    for (std::size_t at = json.find("</"); at != std::string::npos; at = json.find("</", at + 3)) json.replace(at, 2, "<\\/");
    return json;
}

// The filter's data: outcomes, bucket starts, per-bucket counts, --by values and cells.
std::string embedded_data(const ReportData& data, const std::vector<ReportData::Bucket>& buckets,
                          const std::vector<ReportData::Breakdown>& breakdowns) {
    const Flow& flow = data.flow();
    JsonWriter json;
    json.begin_object().key("outcomes").begin_array();
    for (std::size_t c = 0; c <= flow.outcomes().size(); ++c) json.string(column_name(flow, c));
    json.end_array().key("buckets").begin_array();
    for (const auto& b : buckets) json.string(format_time(b.start));
    json.end_array().key("over").begin_array();
    for (const auto& b : buckets) {
        json.begin_array();
        for (std::uint64_t n : b.outcomes) json.number(static_cast<std::int64_t>(n));
        json.end_array();
    }
    json.end_array().key("by").begin_array();
    for (const auto& b : breakdowns) {
        json.begin_object().key("field").string(flow.fields()[b.field].name).key("values").begin_array();
        for (const auto& v : b.values) json.string(v);
        json.end_array().end_object();
    }
    json.end_array().key("cells").begin_array();
    for (const ReportData::Cell& c : data.cells()) {
        json.begin_array().number(c.bucket).number(c.outcome).number(c.field).number(c.value);
        json.number(static_cast<std::int64_t>(c.count)).end_array();
    }
    json.end_array().end_object();
    return script_safe(json.take());
}

// Outcomes over time as stacked bars: one <g class="bucket"> per hour or day, one <rect> per
// outcome with mentions in it (bottom to top in the flow's order). Not scaled by the page, so
// its 12 px text stays 12 px.
std::string over_time_svg(const ReportData& data, const std::vector<ReportData::Bucket>& buckets) {
    const bool daily = data.bucket_length() > std::chrono::hours(1);
    const double step = std::max(14.0, 960.0 / static_cast<double>(std::max<std::size_t>(buckets.size(), 1)));
    const double left = 56, top = 16, height = 220, bottom = 40;
    const double width = left + step * static_cast<double>(buckets.size()) + 16;
    std::uint64_t highest = 1;
    for (const auto& b : buckets) highest = std::max(highest, std::accumulate(b.outcomes.begin(), b.outcomes.end(), std::uint64_t{0}));
    std::string svg = fmt::format(
        "<svg id=\"over-time\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" "
        "viewBox=\"0 0 {0:.0f} {1:.0f}\" role=\"img\" aria-label=\"Outcomes per {2}\" data-highest=\"{3}\">\n"
        "<line x1=\"{4}\" y1=\"{5}\" x2=\"{0:.0f}\" y2=\"{5}\" stroke=\"#90a4ae\"/>\n"
        "<text class=\"axis\" id=\"over-time-highest\" x=\"{6}\" y=\"{7}\" text-anchor=\"end\">{3}</text>\n"
        "<text class=\"axis\" x=\"{6}\" y=\"{5}\" text-anchor=\"end\">0</text>\n",
        width, top + height + bottom, daily ? "day" : "hour", highest, left, top + height, left - 6, top + 12);
    const std::size_t columns = data.flow().outcomes().size() + 1;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        const double x = left + step * static_cast<double>(i);
        const std::string start = format_time(buckets[i].start);
        svg += fmt::format("<g class=\"bucket\" data-b=\"{}\" data-start=\"{}\"><title>{}</title>\n", i, start, minute_text(buckets[i].start));
        double y = top + height;
        for (std::size_t c = 0; c < columns; ++c) {
            const double h = height * static_cast<double>(buckets[i].outcomes[c]) / static_cast<double>(highest);
            y -= h;
            svg += fmt::format("<rect class=\"seg\" data-o=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\">"
                               "<title>{}: {}</title></rect>\n",
                               c, x + 1, y, step - 2, h, colour_of(c, columns), markup_escape(column_name(data.flow(), c)),
                               buckets[i].outcomes[c]);
        }
        // A label where it is read: every day's bar, or midnight and every sixth hour.
        const auto hour = std::chrono::duration_cast<std::chrono::hours>(buckets[i].start.time_since_epoch()).count() % 24;
        const std::size_t every = daily ? std::max<std::size_t>(1, static_cast<std::size_t>(60 / step) + 1) : 6;
        if ((daily && i % every == 0) || (!daily && hour % 6 == 0)) {
            const std::string iso = format_time(buckets[i].start);
            const std::string label = daily || hour == 0 ? iso.substr(5, 5) : iso.substr(11, 5);
            svg += fmt::format("<text class=\"axis\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", x, top + height + 18, label);
        }
        svg += "</g>\n";
    }
    return svg + "</svg>\n";
}

std::string legend_html(const Flow& flow) {
    std::string html = "<p class=\"legend\" id=\"outcome-legend\">";
    const std::size_t columns = flow.outcomes().size() + 1;
    for (std::size_t c = 0; c < columns; ++c)
        html += fmt::format("<span data-o=\"{}\"><i style=\"background:{}\"></i>{}</span> ", c, colour_of(c, columns),
                            markup_escape(column_title(flow, c)));
    return html + "</p>\n";
}

// The flowchart's legend: each shape and line Graphviz draws, as a small inline SVG beside its meaning.
std::string chart_legend_html() {
    auto item = [](std::string_view shape, std::string_view meaning) {
        return fmt::format("<li><svg width=\"44\" height=\"24\" viewBox=\"0 0 44 24\" aria-hidden=\"true\">{}</svg>{}</li>\n",
                           shape, meaning);
    };
    std::string html = "<ul class=\"chart-legend\" id=\"chart-legend\">\n";
    html += item("<polygon points=\"22,2 42,12 22,22 2,12\" fill=\"#fff\" stroke=\"#37474f\"/>",
                 "a question: the text is its question, hover it for the step's id; [n] mentions asked");
    for (const OutcomeFill& fill : outcome_fills())
        html += item(fmt::format("<rect x=\"3\" y=\"3\" width=\"38\" height=\"18\" rx=\"5\" fill=\"{}\" stroke=\"#37474f\"/>", fill.colour),
                     fmt::format("an outcome with a {}: [n mentions] ended there", fill.meaning));
    const std::string_view arrow = "<path d=\"M2,12 H36\" stroke=\"{}\" stroke-width=\"{}\"{}/><path d=\"M36,7 L42,12 L36,17 Z\" fill=\"{}\"/>";
    html += item(fmt::format(fmt::runtime(arrow), "#37474f", 3, "", "#37474f"),
                 "a branch, (n) the mentions that took it and arrived; thicker is busier");
    html += item(fmt::format(fmt::runtime(arrow), "#37474f", 1.5, " stroke-dasharray=\"5,3\"", "#37474f"), "the else branch");
    html += item(fmt::format(fmt::runtime(arrow), "#bdbdbd", 1.5, " stroke-dasharray=\"2,3\"", "#bdbdbd"), "a branch no mention took");
    html += item(fmt::format(fmt::runtime(arrow), "#c62828", 2, " stroke-dasharray=\"5,3\"", "#c62828"),
                 "a crisis route: while the crisis is on, mentions arriving at its start go to its end instead; "
                 "(n) the mentions it rerouted");
    return html + "</ul>\n";
}

std::string breakdown_tables(const ReportData& data, const std::vector<ReportData::Breakdown>& breakdowns) {
    const Flow& flow = data.flow();
    std::string html;
    for (std::size_t f = 0; f < breakdowns.size(); ++f) {
        const auto& b = breakdowns[f];
        const std::string& name = flow.fields()[b.field].name;
        html += fmt::format("<h2>Outcomes by {0}</h2>\n<table class=\"by\" data-f=\"{1}\" data-field=\"{0}\"><thead><tr><th>{0}</th>",
                            markup_escape(name), f);
        for (std::size_t c = 0; c <= flow.outcomes().size(); ++c)
            html += fmt::format("<th class=\"count\" data-o=\"{}\">{}</th>", c, markup_escape(column_title(flow, c)));
        html += "<th class=\"count\">Total</th></tr></thead><tbody>\n";
        for (std::size_t v = 0; v < b.values.size(); ++v) {
            html += fmt::format("<tr data-v=\"{}\"><td>{}</td>", v, markup_escape(b.values[v]));
            for (std::size_t c = 0; c < b.counts[v].size(); ++c)
                html += fmt::format("<td class=\"count\" data-o=\"{}\">{}</td>", c, b.counts[v][c]);
            html += fmt::format("<td class=\"count total\">{}</td></tr>\n",
                                std::accumulate(b.counts[v].begin(), b.counts[v].end(), std::uint64_t{0}));
        }
        html += "</tbody></table>\n";
    }
    return html;
}

std::string deadline_table(const ReportData& data) {
    std::string html = "<h2>Deadlines</h2>\n<p class=\"meta\">How long after the mention its action is due. "
                       "Business-hours deadlines that wait for the next opening are counted on the right.</p>\n"
                       "<table id=\"deadlines\"><tr><th>Action</th><th class=\"count\">≤ 1 h</th><th class=\"count\">≤ 4 h</th>"
                       "<th class=\"count\">≤ 1 day</th><th class=\"count\">Longer</th><th class=\"count\">At next opening</th></tr>\n";
    for (const auto& [kind, counts] : data.deadlines())
        html += fmt::format("<tr data-kind=\"{0}\"><td>{0}</td><td class=\"count\">{1}</td><td class=\"count\">{2}</td>"
                            "<td class=\"count\">{3}</td><td class=\"count\">{4}</td><td class=\"count\">{5}</td></tr>\n",
                            to_string(kind), counts.within[0], counts.within[1], counts.within[2], counts.within[3], counts.next_opening);
    if (data.deadlines().empty()) html += "<tr><td colspan=\"6\" class=\"meta\">No action with a deadline.</td></tr>\n";
    return html + "</table>\n";
}

std::string crisis_section(const ReportData& data) {
    const Flow& flow = data.flow();
    if (flow.crises().empty()) return "";
    std::string html = fmt::format("<h2>Crisis modes</h2>\n<p class=\"meta\">{} mentions decided in crisis mode.</p>\n"
                                   "<table id=\"crises\"><tr><th>Crisis</th><th>Group</th><th>Entered</th><th>Left</th>"
                                   "<th>Because</th><th class=\"count\">Mentions</th></tr>\n",
                                   data.decided_in_crisis());
    for (const CrisisPeriod& p : data.crisis_periods()) {
        const Crisis& crisis = flow.crises()[p.crisis];
        std::string because = markup_escape(p.entered_because);
        if (!p.left_because.empty()) because += "<br><span class=\"meta\">left: " + markup_escape(p.left_because) + "</span>";
        html += fmt::format("<tr class=\"crisis\" data-crisis=\"{}\" data-group=\"{}\"><td>{}</td><td>{}</td>"
                            "<td class=\"entered\" data-time=\"{}\">{}</td><td class=\"left\" data-time=\"{}\">{}</td>"
                            "<td>{}</td><td class=\"count\">{}</td></tr>\n",
                            markup_escape(crisis.name), markup_escape(p.group), markup_escape(crisis.title.empty() ? crisis.name : crisis.title),
                            markup_escape(p.group), format_time(p.entered), minute_text(p.entered),
                            p.left ? format_time(*p.left) : "", p.left ? minute_text(*p.left) : "still active", because, p.mentions);
    }
    if (data.crisis_periods().empty()) html += "<tr><td colspan=\"6\" class=\"meta\">No crisis mode was entered.</td></tr>\n";
    if (data.crisis_periods_dropped() > 0)
        html += fmt::format("<tr><td colspan=\"6\" class=\"meta\">{} more periods not listed.</td></tr>\n", data.crisis_periods_dropped());
    return html + "</table>\n";
}

// The filter's controls: outcome, one --by field's value, and a range of buckets.
std::string filter_form(const ReportData& data, const std::vector<ReportData::Bucket>& buckets,
                        const std::vector<ReportData::Breakdown>& breakdowns) {
    const Flow& flow = data.flow();
    std::string html = "<form id=\"filter\" class=\"noprint\"><label>Outcome <select id=\"f-outcome\"><option value=\"\">all</option>";
    for (std::size_t c = 0; c <= flow.outcomes().size(); ++c)
        html += fmt::format("<option value=\"{}\">{}</option>", c, markup_escape(column_title(flow, c)));
    html += "</select></label>\n";
    for (std::size_t f = 0; f < breakdowns.size(); ++f) {
        html += fmt::format("<label>{} <select class=\"f-by\" data-f=\"{}\"><option value=\"\">all</option>",
                            markup_escape(flow.fields()[breakdowns[f].field].name), f);
        for (std::size_t v = 0; v < breakdowns[f].values.size(); ++v)
            html += fmt::format("<option value=\"{}\">{}</option>", v, markup_escape(breakdowns[f].values[v]));
        html += "</select></label>\n";
    }
    for (std::string_view end : {"from", "to"}) {
        html += fmt::format("<label>{} <select id=\"f-{}\">", end, end);
        for (std::size_t b = 0; b < buckets.size(); ++b)
            html += fmt::format("<option value=\"{}\"{}>{}</option>", b, end == "to" && b + 1 == buckets.size() ? " selected" : "",
                                minute_text(buckets[b].start));
        html += "</select></label>\n";
    }
    return html + "<span class=\"meta\">showing <b id=\"shown-total\">" + std::to_string(data.mentions()) +
           "</b> mentions</span></form>\n";
}

constexpr std::string_view style_sheet = R"(<style>
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #263238; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #cfd8dc; } h3 { font-size: 1rem; }
.meta { color: #607d8b; }
.chart { overflow-x: auto; }
.scroll { overflow-x: auto; }
svg text.axis { font-size: 12px; fill: #455a64; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #eceff1; vertical-align: top; }
td.count, th.count { text-align: right; font-variant-numeric: tabular-nums; }
.bar { background: #90a4ae; height: .6rem; border-radius: .3rem; }
.example { color: #455a64; font-size: .9rem; }
.chart-legend { list-style: none; padding: 0; columns: 2 24rem; } .chart-legend li { break-inside: avoid; margin: .15rem 0; }
.chart-legend svg { vertical-align: middle; margin-right: .5rem; }
summary { cursor: pointer; color: #37474f; }
.legend span { margin-right: 1rem; white-space: nowrap; } .legend i { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; border-radius: .15rem; vertical-align: -.05rem; }
#filter { position: sticky; top: 0; background: #fff; padding: .5rem 0; border-bottom: 1px solid #cfd8dc; z-index: 1; }
#filter label { margin-right: 1rem; } select { font-size: 14px; }
.hidden { display: none; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } .chart { break-inside: avoid; overflow: visible; } .chart svg { max-width: 100%; height: auto; } .noprint { display: none; } }
</style>)";

// The filter: recomputes the bars, the outcome and --by tables and the sample from the
// embedded cells. A --by filter narrows the other --by tables to nothing (the cells are per field).
constexpr std::string_view filter_script = R"(<script>
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var nb = data.buckets.length, nc = data.outcomes.length;
  function chosen() {
    var o = document.getElementById('f-outcome').value, f = -1, v = -1;
    document.querySelectorAll('select.f-by').forEach(function (s) {
      if (s.value !== '' && f < 0) { f = +s.dataset.f; v = +s.value; }
    });
    document.querySelectorAll('select.f-by').forEach(function (s) { s.disabled = f >= 0 && +s.dataset.f !== f; });
    return { o: o === '' ? -1 : +o, f: f, v: v,
             from: +document.getElementById('f-from').value, to: +document.getElementById('f-to').value };
  }
  function apply() {
    var c = chosen(), i, b, o, per = [], byCount = data.by.map(function (field) {
      return field.values.map(function () { var z = []; for (var k = 0; k < nc; ++k) z.push(0); return z; });
    });
    function wanted(bk, oc) { return bk >= c.from && bk <= c.to && (c.o < 0 || c.o === oc); }
    for (b = 0; b < nb; ++b) { per.push([]); for (o = 0; o < nc; ++o) per[b].push(c.f < 0 && wanted(b, o) ? data.over[b][o] : 0); }
    data.cells.forEach(function (x) {
      if (!wanted(x[0], x[1])) return;
      if (c.f >= 0 && x[2] === c.f && x[3] === c.v) per[x[0]][x[1]] += x[4];
      if (c.f < 0 || (x[2] === c.f && x[3] === c.v)) byCount[x[2]][x[3]][x[1]] += x[4];
    });
    var highest = 1, total = 0, totals = [];
    for (o = 0; o < nc; ++o) totals.push(0);
    for (b = 0; b < nb; ++b) { var s = 0; for (o = 0; o < nc; ++o) { s += per[b][o]; totals[o] += per[b][o]; } highest = Math.max(highest, s); total += s; }
    var svg = document.getElementById('over-time'), top = 16, height = 220;
    document.getElementById('over-time-highest').textContent = highest;
    svg.querySelectorAll('g.bucket').forEach(function (g) {
      var bk = +g.dataset.b, y = top + height;
      g.querySelectorAll('rect.seg').forEach(function (r) {
        var oc = +r.dataset.o, h = height * per[bk][oc] / highest;
        y -= h;
        r.setAttribute('y', y.toFixed(1)); r.setAttribute('height', h.toFixed(1));
        r.classList.toggle('hidden', per[bk][oc] === 0);
      });
    });
    document.querySelectorAll('#outcomes tr[data-o]').forEach(function (tr) {
      var oc = +tr.dataset.o;
      tr.querySelector('td.n').textContent = totals[oc];
      tr.classList.toggle('hidden', c.o >= 0 && c.o !== oc);
    });
    document.querySelectorAll('#outcome-legend span[data-o]').forEach(function (s) { s.classList.toggle('hidden', c.o >= 0 && c.o !== +s.dataset.o); });
    document.querySelectorAll('table.by').forEach(function (t) {
      var f = +t.dataset.f;
      t.querySelectorAll('[data-o]').forEach(function (cell) { cell.classList.toggle('hidden', c.o >= 0 && c.o !== +cell.dataset.o); });
      t.querySelectorAll('tbody tr').forEach(function (tr) {
        var v = +tr.dataset.v, sum = 0;
        tr.querySelectorAll('td[data-o]').forEach(function (td) { var n = byCount[f][v][+td.dataset.o]; td.textContent = n; sum += n; });
        tr.querySelector('td.total').textContent = sum;
        tr.classList.toggle('hidden', c.f >= 0 && (c.f !== f || c.v !== v));
      });
    });
    document.querySelectorAll('#sample tr[data-o]').forEach(function (tr) {
      var ok = wanted(+tr.dataset.b, +tr.dataset.o) && (c.f < 0 || +tr.dataset['v' + c.f] === c.v);
      tr.classList.toggle('hidden', !ok);
    });
    document.getElementById('shown-total').textContent = total;
  }
  document.getElementById('filter').addEventListener('change', apply);
})();
</script>)";

std::string sample_table(const ReportData& data, const std::vector<ReportData::Breakdown>& breakdowns) {
    const Flow& flow = data.flow();
    const auto bucket_seconds = data.bucket_length().count();
    const std::vector<ReportExample> sample = data.sample();
    // Collapsed: up to ReportSettings::sample rows would otherwise be most of the page.
    std::string html = fmt::format("<h2>Sample of mentions</h2>\n<details id=\"sample-details\"><summary>Show the {} sampled "
                                   "mentions</summary>\n<p class=\"meta\">Drawn evenly from the whole stream; the filter narrows it.</p>\n"
                                   "<div class=\"scroll\"><table id=\"sample\"><tr><th>Time</th><th>Outcome</th>",
                                   sample.size());
    for (const auto& b : breakdowns) html += fmt::format("<th>{}</th>", markup_escape(flow.fields()[b.field].name));
    html += "<th>Mention</th></tr>\n";
    const std::int64_t first = data.first() ? std::chrono::duration_cast<std::chrono::seconds>(data.first()->time_since_epoch()).count() : 0;
    const std::int64_t first_bucket = first >= 0 ? first / bucket_seconds * bucket_seconds : first;
    for (const ReportExample& e : sample) {
        const std::int64_t at = std::chrono::duration_cast<std::chrono::seconds>(e.time.time_since_epoch()).count();
        const std::size_t column = e.outcome == no_outcome ? flow.outcomes().size() : e.outcome;
        html += fmt::format("<tr data-o=\"{}\" data-b=\"{}\"", column, (at - first_bucket) / bucket_seconds);
        for (std::size_t f = 0; f < breakdowns.size() && f < e.by.size(); ++f) {
            const auto& values = breakdowns[f].values;
            auto it = std::find(values.begin(), values.end(), e.by[f]);
            html += fmt::format(" data-v{}=\"{}\"", f, it != values.end() ? it - values.begin() : static_cast<std::ptrdiff_t>(values.size()) - 1);
        }
        html += fmt::format("><td>{}</td><td>{}</td>", minute_text(e.time), markup_escape(column_title(flow, column)));
        for (std::size_t f = 0; f < breakdowns.size() && f < e.by.size(); ++f) html += "<td>" + markup_escape(e.by[f]) + "</td>";
        html += fmt::format("<td class=\"example\">{}</td></tr>\n", markup_escape(e.text));
    }
    return html + "</table></div></details>\n";
}

}  // namespace

// long because: the page's sections in reading order, each a call or a short loop
std::string report_html(const ReportData& data, std::string_view svg, std::uint64_t unread, std::string_view extra_html) {
    const Flow& flow = data.flow();
    const Traffic& traffic = data.traffic();
    const auto buckets = data.buckets();
    const auto breakdowns = data.breakdowns();
    const std::string first = data.first() ? format_time(*data.first()) : "", last = data.last() ? format_time(*data.last()) : "";
    std::string page = fmt::format(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{0} — traffic report</title>\n{1}</head><body>\n"
        "<h1>{0}</h1>\n<p class=\"meta\" id=\"range\">Mentions from <time id=\"range-first\" datetime=\"{2}\">{3}</time> "
        "to <time id=\"range-last\" datetime=\"{4}\">{5}</time> UTC · version {6}</p>\n"
        "<p id=\"totals\"><b><span id=\"mentions\">{7}</span></b> mentions decided · {8} lines that could not be read · "
        "{9} with no outcome · {10} decided in crisis mode</p>\n",
        markup_escape(flow.name()), style_sheet, first, first.empty() ? "—" : minute_text(*data.first()), last,
        last.empty() ? "—" : minute_text(*data.last()), flow.version(), traffic.mentions, unread, traffic.fell_through,
        data.decided_in_crisis());
    page += filter_form(data, buckets, breakdowns);
    page += fmt::format("<h2>Outcomes over time</h2>\n<p class=\"meta\">Mentions per {} (UTC), stacked by outcome.</p>\n",
                        data.bucket_length() > std::chrono::hours(1) ? "day" : "hour");
    page += legend_html(flow) + "<div class=\"chart\">" + over_time_svg(data, buckets) + "</div>\n";

    const double total = static_cast<double>(std::max<std::uint64_t>(traffic.mentions, 1));
    page += "<h2>Outcomes</h2>\n<table id=\"outcomes\"><tr><th>Outcome</th><th>What to do</th><th class=\"count\">Mentions</th>"
            "<th class=\"count\">Share</th><th style=\"width:25%\"></th></tr>\n";
    std::vector<std::uint32_t> order(flow.outcomes().size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return traffic.outcome_counts[a] > traffic.outcome_counts[b]; });
    for (std::uint32_t o : order) {
        const Outcome& outcome = flow.outcomes()[o];
        const double share = 100.0 * static_cast<double>(traffic.outcome_counts[o]) / total;
        page += fmt::format("<tr data-o=\"{}\"><td><b>{}</b><br><span class=\"meta\">{}</span></td><td>{}</td>"
                            "<td class=\"count n\" data-outcome=\"{}\">{}</td><td class=\"count\">{:.1f}%</td>"
                            "<td><div class=\"bar\" style=\"width:{:.1f}%\"></div></td></tr>\n",
                            o, markup_escape(outcome.title), markup_escape(outcome.name), markup_escape(first_action(outcome)),
                            markup_escape(outcome.name), traffic.outcome_counts[o], share, share);
    }
    page += fmt::format("<tr data-o=\"{}\"><td><b>No outcome</b></td><td></td><td class=\"count n\">{}</td><td></td><td></td></tr>\n</table>\n",
                        flow.outcomes().size(), traffic.fell_through);
    page += breakdown_tables(data, breakdowns);
    page += deadline_table(data);
    page += crisis_section(data);
    page += "<h2>Where the traffic went</h2>\n" + chart_legend_html() + "<div class=\"chart\">";
    page += svg;
    page += "</div>\n<h2>Busiest paths</h2>\n<table id=\"paths\"><tr><th>Path</th><th class=\"count\">Mentions</th></tr>\n";
    for (const auto& [path, count] : data.busiest_paths())
        page += fmt::format("<tr><td>{}</td><td class=\"count\">{}</td></tr>\n", markup_escape(path), count);
    page += "</table>\n<h2>Escalations by team</h2>\n<table id=\"escalations\"><tr><th>Team</th><th class=\"count\">Mentions</th></tr>\n";
    for (const auto& [team, count] : data.escalations())
        page += fmt::format("<tr><td>{}</td><td class=\"count\">{}</td></tr>\n", markup_escape(team), count);
    if (data.escalations().empty()) page += "<tr><td colspan=\"2\" class=\"meta\">No escalations.</td></tr>\n";
    page += "</table>\n<h2>Example mentions</h2>\n<p class=\"meta\">Sampled across the whole span, no two alike.</p>\n";
    const auto examples = data.examples();
    for (std::uint32_t o : order) {
        if (examples[o].empty()) continue;
        page += fmt::format("<h3>{}</h3>\n<ul>\n", markup_escape(flow.outcomes()[o].title));
        for (const ReportExample& e : examples[o])
            page += fmt::format("<li class=\"example\"><code>{}</code> <span class=\"meta\">{}</span> {}</li>\n", markup_escape(e.id),
                                minute_text(e.time), markup_escape(e.text));
        page += "</ul>\n";
    }
    page += sample_table(data, breakdowns);
    page += extra_html;
    page += "<script type=\"application/json\" id=\"report-data\">" + embedded_data(data, buckets, breakdowns) + "</script>\n";
    page += filter_script;
    page += "\n</body></html>\n";
    return page;
}

}  // namespace triage
