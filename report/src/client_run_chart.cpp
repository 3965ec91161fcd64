#include "idemcheck/report/client_run_chart.hpp"

#include <fmt/format.h>

#include "html_escape.hpp"

namespace idemcheck::report {

namespace {

using detail::html_escape;
using Row = clients::RunRow;

const char* colour(const Row& r) {
  if (r.kind == Row::Kind::fault || r.kind == Row::Kind::rejected) return "#c0392b";
  if (r.bad) return "#d35400";
  switch (r.kind) {
    case Row::Kind::request: return "#2c3e50";
    case Row::Kind::response: return "#27ae60";
    case Row::Kind::cluster: return "#8e44ad";
    case Row::Kind::report: return "#2980b9";
    default: return "#7f8c8d";
  }
}

}  // namespace

std::string client_run_chart(const clients::RunFile& file, const std::string& title) {
  const auto rows = clients::run_timeline(file);
  const int lanes = 1 + file.brokers;
  constexpr int kLaneWidth = 180, kRowHeight = 18, kTop = 40, kLeft = 60;
  const int width = kLeft + lanes * kLaneWidth + 20;
  const int height = kTop + static_cast<int>(rows.size()) * kRowHeight + 20;
  auto lane_x = [&](int lane) { return kLeft + lane * kLaneWidth + kLaneWidth / 2; };
  std::string svg = fmt::format("<svg xmlns='http://www.w3.org/2000/svg' width='{}' height='{}' id='chart'>\n", width,
                                height);
  svg += "<defs><marker id='arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='6' markerHeight='6' "
         "orient='auto-start-reverse'><path d='M 0 0 L 10 5 L 0 10 z'/></marker></defs>\n";
  for (int lane = 0; lane < lanes; ++lane) {
    const std::string label = lane == 0 ? std::string("client") : fmt::format("broker {}", lane - 1);
    svg += fmt::format("<text x='{}' y='20' text-anchor='middle' font-weight='bold'>{}</text>\n", lane_x(lane),
                       html_escape(label));
    svg += fmt::format("<line x1='{0}' y1='28' x2='{0}' y2='{1}' stroke='#bbb'/>\n", lane_x(lane), height - 10);
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    const int y = kTop + static_cast<int>(i) * kRowHeight;
    const int broker_lane = r.broker >= 0 ? 1 + r.broker : 0;
    const std::string tip = html_escape(fmt::format("{}. {} ms: {}", i + 1, r.ms, r.text));
    svg += fmt::format("<g class='row' data-row='{}'><title>{}</title>", i + 1, tip);
    svg += fmt::format("<text x='4' y='{}' font-size='11' fill='#555'>{}</text>", y + 4, i + 1);
    const char* c = colour(r);
    if (r.kind == Row::Kind::request) {
      svg += fmt::format("<line x1='{}' y1='{}' x2='{}' y2='{}' stroke='{}' marker-end='url(#arrow)'/>", lane_x(0), y,
                         lane_x(broker_lane), y, c);
    } else if (r.kind == Row::Kind::response) {
      svg += fmt::format("<line x1='{}' y1='{}' x2='{}' y2='{}' stroke='{}' marker-end='url(#arrow)'/>",
                         lane_x(broker_lane), y, lane_x(0), y, c);
    } else {
      const int lane = r.kind == Row::Kind::report ? 0 : broker_lane;
      svg += fmt::format("<circle cx='{}' cy='{}' r='5' fill='{}'/>", lane_x(lane), y, c);
    }
    svg += "</g>\n";
  }
  svg += "</svg>\n";

  std::string table = "<table><tr><th>#</th><th>ms</th><th>broker</th><th>event</th></tr>\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    table += fmt::format("<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                         r.bad || r.kind == Row::Kind::fault ? " class='bad'" : "", i + 1, r.ms,
                         r.broker >= 0 ? std::to_string(r.broker) : std::string(), html_escape(r.text));
  }
  table += "</table>\n";

  std::string head;
  for (const auto& line : clients::run_header(file)) head += "<p>" + html_escape(line) + "</p>\n";
  std::string verdict = "<h2>Verdicts</h2><ul>";
  if (file.anomalies.empty()) verdict += "<li>no anomaly</li>";
  for (const auto& a : file.anomalies) {
    verdict += fmt::format("<li class='bad'>{} (partition {}): {}</li>", html_escape(spec::name(a.kind)), a.partition,
                           html_escape(a.detail));
  }
  if (!file.fatal.empty()) verdict += "<li class='bad'>client: " + html_escape(file.fatal) + "</li>";
  verdict += "</ul>\n";
  return "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>" + html_escape(title) +
         "</title><style>body{font-family:sans-serif} td{font-family:monospace;font-size:12px;padding:0 6px}"
         " .bad{color:#c0392b}</style></head><body>\n<h1>" +
         html_escape(title) + "</h1>\n" + head + verdict + svg + "<h2>Timeline</h2>\n" + table + "</body></html>\n";
}

}  // namespace idemcheck::report
