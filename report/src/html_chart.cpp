#include "idemcheck/report/html_chart.hpp"

#include "html_escape.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace idemcheck::report {

namespace {

using EK = spec::Effect::Kind;

std::string esc(std::string_view s) { return detail::html_escape(s); }

template <class T>
std::string str(const T& v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

std::string short_error(spec::Error e) {
  switch (e) {
    case spec::Error::out_of_order_sequence_number: return "OUT_OF_ORDER_SEQ";
    case spec::Error::not_leader_or_follower: return "NOT_LEADER";
    case spec::Error::not_enough_replicas_after_append: return "NOT_ENOUGH_REPLICAS_AFTER_APPEND";
    default: return std::string(spec::name(e));
  }
}

constexpr std::array<const char*, 8> kPalette{"#1f6fb4", "#2a9d3a", "#8e44ad", "#b8860b",
                                               "#00838f", "#6d4c41", "#c2185b", "#455a64"};

// A message between lanes: a request (producer -> broker) or a response.
struct Message {
  bool request = true;
  std::uint64_t id = 0;  // request id
  int producer = 0;
  int broker = 0;
  std::size_t start = 0;
  std::optional<std::size_t> end;   // arrived (processed / received) at this step
  std::optional<std::size_t> cut;   // its connection broke (or the producer restarted) at this step
  bool lost = false;                // response_lost
  bool zombie = false;              // processed as a zombie
  bool mismatch = false;            // response arrived but failed the correlation check
  bool violating = false;           // wrote a log entry an anomaly is about
  std::string label;
  std::vector<std::uint64_t> batches;
  std::string color = "#333";
};

struct Layout {
  int producers = 1, brokers = 1, partitions = 1, window = 5;
  std::size_t steps = 0;
  int label_w = 360;
  int lane_gap = 230;
  int top = 86;
  int row_h = 44;
  [[nodiscard]] int producer_x(int p) const { return label_w + 70 + p * lane_gap; }
  [[nodiscard]] int broker_x(int b) const { return producer_x(producers) + 40 + b * lane_gap; }
  [[nodiscard]] int state_x(int q) const { return broker_x(brokers - 1) + 110 + q * state_w(); }
  [[nodiscard]] int state_w() const { return 90 + window * 84; }
  [[nodiscard]] int y(std::size_t step) const { return top + static_cast<int>(step) * row_h + row_h / 2; }
  [[nodiscard]] int rows_bottom() const { return top + static_cast<int>(steps) * row_h; }
  [[nodiscard]] int width() const { return state_x(partitions) + 20; }
};

}  // namespace

std::string html_chart(const Timeline& t, const ChartText& text) {
  Layout L;
  L.producers = t.config.producers;
  L.brokers = t.config.brokers;
  L.partitions = t.config.partitions;
  L.window = t.config.broker.window;
  L.steps = t.steps.size();

  // --- which log entries (and so which writes) the anomalies are about -------
  std::set<std::pair<int, std::size_t>> violating_entries;  // a set: a long history can have many
  for (const Involved& inv : t.involved) {
    for (const LogRef& r : inv.log_entries) violating_entries.emplace(r.partition, r.index);
  }
  auto is_violating = [&](const LogRef& r) { return violating_entries.contains({r.partition, r.index}); };

  // --- follow every message through the steps ---------------------------------
  std::vector<Message> msgs;
  std::map<std::uint64_t, std::size_t> request_of, response_of;  // request id -> index in msgs
  std::map<std::pair<int, std::uint64_t>, std::vector<std::size_t>> carried;  // (producer, batch) -> requests
  struct RetryLink {
    std::size_t from, to;
  };
  std::vector<RetryLink> retry_links;
  struct WriteMark {
    std::size_t step;
    int broker;
    LogRef entry;
    bool violating;
  };
  std::vector<WriteMark> writes;
  auto color_of = [](int producer, std::uint64_t batch) {
    return std::string(kPalette[(static_cast<std::size_t>(producer) * 3 + batch) % kPalette.size()]);
  };
  for (std::size_t i = 0; i < t.steps.size(); ++i) {
    const Step& s = t.steps[i];
    std::optional<std::size_t> processed_here;
    for (const spec::Effect& e : s.spec.effects) {
      switch (e.kind) {
        case EK::request_sent: {
          Message m;
          m.request = true;
          m.id = e.request;
          m.producer = e.producer;
          m.broker = e.broker;
          m.start = i;
          m.label = "req#" + std::to_string(e.request) + ":";
          request_of[e.request] = msgs.size();
          msgs.push_back(m);
          break;
        }
        case EK::batch_in_request: {
          const auto it = request_of.find(e.request);
          if (it == request_of.end()) break;
          Message& m = msgs[it->second];
          if (m.batches.empty()) m.color = color_of(e.producer, e.batch);
          m.batches.push_back(e.batch);
          m.label += " " + batch_label(e.stamp) + (e.retry ? " (retry)" : "");
          auto& prev = carried[{e.producer, e.batch}];
          if (e.retry && !prev.empty()) retry_links.push_back({prev.back(), it->second});
          prev.push_back(it->second);
          break;
        }
        case EK::request_processed: {
          const auto it = request_of.find(e.request);
          if (it == request_of.end()) break;
          Message& m = msgs[it->second];
          m.end = i;
          m.zombie = e.zombie;
          processed_here = it->second;
          if (!e.zombie && t.config.producer.acks != 0) {
            Message r;
            r.request = false;
            r.id = e.request;
            r.producer = e.producer;
            r.broker = e.broker;
            r.start = i;
            r.color = m.color;
            r.label = e.error != spec::Error::none ? "(" + short_error(e.error) + ")" : "";
            response_of[e.request] = msgs.size();
            msgs.push_back(r);
          }
          break;
        }
        case EK::batch_answered: {
          std::string a = "b" + std::to_string(e.batch) + " ";
          if (e.error != spec::Error::none) {
            a += short_error(e.error);
          } else {
            a += (e.duplicate ? "DUPLICATE @" : "WRITTEN @") + std::to_string(e.offset);
          }
          if (const auto it = response_of.find(e.request); it != response_of.end() && !e.zombie) {
            Message& r = msgs[it->second];
            r.label += (r.label.empty() ? "" : " ") + a;
          }
          break;
        }
        case EK::response_received:
        case EK::correlation_mismatch:
        case EK::response_lost: {
          const auto it = response_of.find(e.request);
          if (it == response_of.end()) break;
          Message& r = msgs[it->second];
          if (r.end || r.cut) break;
          if (e.kind == EK::response_lost) {
            r.lost = true;
            r.cut = i;
          } else {
            r.end = i;
            r.mismatch = e.kind == EK::correlation_mismatch;
          }
          break;
        }
        case EK::connection_broken:
        case EK::producer_restarted:
          for (Message& m : msgs) {
            const bool same = m.producer == e.producer && (e.kind == EK::producer_restarted || m.broker == e.broker);
            if (same && !m.end && !m.cut) m.cut = i;
          }
          break;
        default: break;
      }
    }
    for (const LogRef& w : s.written) {
      const bool v = is_violating(w);
      if (processed_here) {
        msgs[*processed_here].violating = msgs[*processed_here].violating || v;
        writes.push_back({i, msgs[*processed_here].broker, w, v});
      }
    }
  }

  // --- the page ------------------------------------------------------------------
  std::ostringstream h;
  const int log_top = L.rows_bottom() + 40;
  int log_rows_h = 0;
  for (const auto& log : t.logs) log_rows_h += 30 + static_cast<int>((log.size() + 7) / 8) * 34;
  const int height = log_top + 30 + log_rows_h + 20;
  const std::string title = text.title.empty() ? "idemcheck counterexample" : text.title;

  h << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << esc(title)
    << " - idemcheck replay</title>\n<style>\n"
       "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:16px;color:#222;background:#fff}\n"
       "h1{font-size:20px;margin:0 0 6px}\n"
       ".description{white-space:pre-wrap;max-width:1100px;margin:4px 0 8px;color:#333}\n"
       ".verdict{font-weight:bold;margin:6px 0}.verdict.bad{color:#b00020}.verdict.good{color:#1b7f2a}\n"
       ".anomalies li{color:#b00020}\n"
       "svg text{font-family:'DejaVu Sans Mono',monospace;font-size:12px;fill:#222}\n"
       "svg .lane-title{font-family:'DejaVu Sans',Arial,sans-serif;font-size:15px;font-weight:bold}\n"
       "svg .lane{stroke:#999;stroke-width:2}\n"
       "svg .step-row.odd{fill:#f5f6f8}svg .step-row.even{fill:#fff}\n"
       "svg .step-row.divergence{fill:#ffe3c2}svg .step-row.first-anomaly{fill:#ffd6dc}\n"
       "svg .step-num{font-weight:bold}\n"
       "svg .event-text{font-size:12px}svg .side-text{font-size:10.5px;fill:#666}\n"
       "svg .marker-text{font-size:11px;font-weight:bold}\n"
       "svg .arrow{fill:none;stroke-width:2}\n"
       "svg .arrow.lost{stroke-dasharray:6 4}svg .arrow.zombie{stroke-dasharray:2 3}\n"
       "svg .arrow.in-transit{stroke-dasharray:1 4;opacity:.6}\n"
       "svg .arrow.violating{stroke:#d00020 !important;stroke-width:4}\n"
       "svg .arrow-label{font-size:11px}svg .arrow-label.violating{fill:#d00020;font-weight:bold}\n"
       "svg .lost-mark{stroke:#d00020;stroke-width:3}\n"
       "svg .retry-link{fill:none;stroke-width:1.5;stroke-dasharray:3 3}\n"
       "svg .cache-box{fill:#eef4ff;stroke:#5577aa;stroke-width:1}\n"
       "svg .cache-box.unchanged{opacity:.45}\n"
       "svg .cache-text{font-size:10px}\n"
       "svg .write-mark{fill:#e8f5e9;stroke:#2a9d3a}svg .write-mark.violating{fill:#ffd6dc;stroke:#d00020;stroke-width:2}\n"
       "svg .log-entry{fill:#e8f5e9;stroke:#2a9d3a}\n"
       "svg .log-entry.violating{fill:#ffd6dc;stroke:#d00020;stroke-width:3}\n"
       "svg .section-title{font-family:'DejaVu Sans',Arial,sans-serif;font-size:14px;font-weight:bold}\n"
       ".legend{font-size:13px;color:#444;margin-top:8px;max-width:1200px}\n"
       "</style>\n</head>\n<body>\n";
  h << "<h1>" << esc(title) << "</h1>\n";
  if (!text.description.empty()) h << "<p class=\"description\">" << esc(text.description) << "</p>\n";
  const bool agreed = !t.first_divergence;
  if (t.impl_ran) {
    h << "<p class=\"verdict " << (agreed ? "good" : "bad") << "\">"
      << (agreed ? "spec and impl agree at every step"
                 : "spec and impl disagree from step " + std::to_string(*t.first_divergence + 1))
      << "</p>\n";
  }
  if (t.anomalies.empty()) {
    h << "<p class=\"verdict good\">no anomaly after the last step</p>\n";
  } else {
    h << "<p class=\"verdict bad\">anomalies after the last step"
      << (t.first_anomaly ? " (first present after step " + std::to_string(*t.first_anomaly + 1) + ")" : "")
      << ":</p>\n<ul class=\"anomalies\">\n";
    for (const auto& a : t.anomalies) h << "<li class=\"anomaly\">" << esc(str(a)) << "</li>\n";
    h << "</ul>\n";
  }

  h << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" << L.width() << "\" height=\"" << height
    << "\" viewBox=\"0 0 " << L.width() << " " << height << "\">\n";
  h << "<defs>\n";
  for (std::size_t c = 0; c < kPalette.size(); ++c) {
    h << "<marker id=\"head" << c << "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"11\" markerHeight=\"11\" "
      << "markerUnits=\"userSpaceOnUse\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"" << kPalette[c] << "\"/></marker>\n";
  }
  h << "<marker id=\"head-red\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"13\" markerHeight=\"13\" "
       "markerUnits=\"userSpaceOnUse\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#d00020\"/></marker>\n";
  h << "</defs>\n";
  auto head_of = [&](const std::string& color) {
    for (std::size_t c = 0; c < kPalette.size(); ++c) {
      if (color == kPalette[c]) return "head" + std::to_string(c);
    }
    return std::string("head0");
  };

  // Rows.
  for (std::size_t i = 0; i < t.steps.size(); ++i) {
    std::string cls = i % 2 ? "odd" : "even";
    if (t.first_divergence == i) cls += " divergence";
    if (t.first_anomaly == i) cls += " first-anomaly";
    h << "<rect class=\"step-row " << cls << "\" x=\"0\" y=\"" << L.top + static_cast<int>(i) * L.row_h << "\" width=\""
      << L.width() << "\" height=\"" << L.row_h << "\"/>\n";
  }
  // Lanes.
  const int lane_top = L.top - 22;
  for (int p = 0; p < L.producers; ++p) {
    h << "<text class=\"lane-title\" x=\"" << L.producer_x(p) << "\" y=\"" << lane_top - 10
      << "\" text-anchor=\"middle\">producer P" << p << "</text>\n";
    h << "<line class=\"lane producer-lane\" x1=\"" << L.producer_x(p) << "\" y1=\"" << lane_top << "\" x2=\""
      << L.producer_x(p) << "\" y2=\"" << L.rows_bottom() << "\"/>\n";
  }
  for (int b = 0; b < L.brokers; ++b) {
    h << "<text class=\"lane-title\" x=\"" << L.broker_x(b) << "\" y=\"" << lane_top - 10
      << "\" text-anchor=\"middle\">broker B" << b << "</text>\n";
    h << "<line class=\"lane broker-lane\" x1=\"" << L.broker_x(b) << "\" y1=\"" << lane_top << "\" x2=\""
      << L.broker_x(b) << "\" y2=\"" << L.rows_bottom() << "\"/>\n";
  }
  for (int q = 0; q < L.partitions; ++q) {
    h << "<text class=\"lane-title\" x=\"" << L.state_x(q) << "\" y=\"" << lane_top - 10 << "\">p" << q
      << ": producer state on the broker</text>\n";
  }
  h << "<text class=\"lane-title\" x=\"8\" y=\"" << lane_top - 10 << "\">step / event</text>\n";

  // Step texts: number, event, note, in-flight batches that changed.
  for (std::size_t i = 0; i < t.steps.size(); ++i) {
    const Step& s = t.steps[i];
    const int y = L.y(i);
    h << "<text class=\"step-num\" x=\"8\" y=\"" << y - 4 << "\">" << i + 1 << "</text>\n";
    h << "<text class=\"event-text\" x=\"36\" y=\"" << y - 4 << "\">" << esc(str(s.event)) << "</text>\n";
    std::string side;
    if (i < text.notes.size() && !text.notes[i].empty()) side = text.notes[i];
    for (int p : s.changed_producers) {
      std::string f;
      for (const auto& [q, st] : s.spec.in_flight[static_cast<std::size_t>(p)]) {
        f += (f.empty() ? "" : ", ") + batch_label(st);
      }
      if (!side.empty()) side += "; ";
      side += "P" + std::to_string(p) + " in flight: " + (f.empty() ? "none" : f);
    }
    if (!side.empty()) {
      h << "<text class=\"side-text\" x=\"36\" y=\"" << y + 12 << "\">" << esc(side.size() > 60 ? side.substr(0, 57) + "..." : side)
        << "<title>" << esc(side) << "</title></text>\n";
    }
    std::string marks;
    // The late-poll race is rare in Kafka: a story that needs it says so where it happens.
    const bool race = std::any_of(s.spec.effects.begin(), s.spec.effects.end(),
                                  [](const spec::Effect& e) { return e.kind == spec::Effect::Kind::late_poll; });
    if (race) marks += "\xE2\x8F\xB1 race: late poll";
    if (t.first_divergence == i) marks += (marks.empty() ? "" : "  ") + std::string("spec \xE2\x89\xA0 impl");
    if (t.first_anomaly == i) {
      std::string names;
      for (const auto& a : s.spec.anomalies) {
        const std::string n(spec::name(a.kind));
        if (names.find(n) == std::string::npos) names += (names.empty() ? "" : ", ") + n;
      }
      marks += (marks.empty() ? "" : "  ") + std::string("\xE2\x9A\xA0 ") + names;
    }
    if (!marks.empty()) {
      h << "<text class=\"marker-text\" x=\"" << L.label_w - 8 << "\" y=\"" << y + 12 << "\" text-anchor=\"end\" fill=\""
        << (t.first_anomaly == i ? "#d00020" : "#b35900") << "\">" << esc(marks) << "</text>\n";
    }
  }

  // Retry links: from the request that carried the batch before to the retry.
  for (const RetryLink& r : retry_links) {
    const Message& a = msgs[r.from];
    const Message& b = msgs[r.to];
    const int x = L.producer_x(a.producer);
    const int y1 = L.y(a.start), y2 = L.y(b.start);
    h << "<path class=\"retry-link\" stroke=\"" << b.color << "\" d=\"M" << x - 4 << "," << y1 << " C" << x - 46 << ","
      << y1 << " " << x - 46 << "," << y2 << " " << x - 4 << "," << y2 << "\"><title>retry of req#" << a.id
      << "</title></path>\n";
    h << "<text class=\"side-text\" x=\"" << x - 48 << "\" y=\"" << (y1 + y2) / 2 + 4 << "\" text-anchor=\"end\">retry of req#"
      << a.id << "</text>\n";
  }

  // Messages.
  for (const Message& m : msgs) {
    const int xs = m.request ? L.producer_x(m.producer) : L.broker_x(m.broker);
    const int xe = m.request ? L.broker_x(m.broker) : L.producer_x(m.producer);
    const int ys = L.y(m.start);
    std::string cls = m.request ? "arrow request" : "arrow response";
    int x2 = xe, y2 = ys;
    bool x_mark = false;
    if (m.end) {
      y2 = L.y(*m.end);
      if (m.zombie) cls += " zombie";
    } else if (m.cut) {
      y2 = L.y(*m.cut);
      x2 = xs + (xe - xs) * 4 / 10;
      cls += " lost";
      x_mark = true;
    } else {
      y2 = L.rows_bottom() - 4;
      x2 = xs + (xe - xs) / 2;
      cls += " in-transit";
    }
    if (m.violating) cls += " violating";
    const std::string color = m.violating ? "#d00020" : m.color;
    h << "<line class=\"" << cls << "\" data-request=\"" << m.id << "\" x1=\"" << xs << "\" y1=\"" << ys << "\" x2=\"" << x2
      << "\" y2=\"" << y2 << "\" stroke=\"" << color << "\"";
    if (!x_mark) h << " marker-end=\"url(#" << (m.violating ? std::string("head-red") : head_of(m.color)) << ")\"";
    h << "><title>" << esc(m.label) << "</title></line>\n";
    if (x_mark) {
      h << "<g class=\"lost-mark\"><line x1=\"" << x2 - 7 << "\" y1=\"" << y2 - 7 << "\" x2=\"" << x2 + 7 << "\" y2=\""
        << y2 + 7 << "\"/><line x1=\"" << x2 - 7 << "\" y1=\"" << y2 + 7 << "\" x2=\"" << x2 + 7 << "\" y2=\"" << y2 - 7
        << "\"/></g>\n";
    }
    std::string label = m.label;
    if (!m.request && m.mismatch) label += " (mismatch: dropped)";
    if (m.request && m.zombie) label += " (zombie)";
    if (x_mark) label += m.request ? " (lost)" : (m.lost ? " (response lost)" : " (connection broke)");
    if (label.empty()) continue;
    const bool rightwards = xe > xs;
    h << "<text class=\"arrow-label" << (m.violating ? " violating" : "") << "\" x=\"" << xs + (rightwards ? 8 : -8)
      << "\" y=\"" << (m.request ? ys - 5 : ys + 15) << "\" text-anchor=\"" << (rightwards ? "start" : "end") << "\" fill=\"" << color << "\">"
      << esc(label.size() > 44 ? label.substr(0, 42) + ".." : label) << "<title>" << esc(label) << "</title></text>\n";
  }

  // Writes, next to the broker that wrote them.
  for (const WriteMark& w : writes) {
    const auto& lb = t.logs[static_cast<std::size_t>(w.entry.partition)][w.entry.index];
    const std::string label = "p" + std::to_string(w.entry.partition) + "@" + std::to_string(lb.first_offset) + " " +
                              records_label(lb.records);
    const int x = L.broker_x(w.broker) + 8;
    const int y = L.y(w.step);
    h << "<rect class=\"write-mark" << (w.violating ? " violating" : "") << "\" x=\"" << x << "\" y=\"" << y + 2
      << "\" width=\"" << 8 + 7 * static_cast<int>(label.size()) << "\" height=\"16\" rx=\"3\"/>\n";
    h << "<text class=\"cache-text" << (w.violating ? " violating" : "") << "\" x=\"" << x + 4 << "\" y=\"" << y + 14
      << "\">" << esc(label) << "</text>\n";
  }

  // The broker's producer state per partition at each step.
  for (std::size_t i = 0; i < t.steps.size(); ++i) {
    const Step& s = t.steps[i];
    for (int q = 0; q < L.partitions; ++q) {
      const auto& entries = s.spec.entries[static_cast<std::size_t>(q)];
      const bool changed =
          std::find(s.changed_partitions.begin(), s.changed_partitions.end(), q) != s.changed_partitions.end();
      const int x0 = L.state_x(q);
      const int row_top = L.top + static_cast<int>(i) * L.row_h;
      const std::size_t shown = std::min<std::size_t>(entries.size(), 2);
      for (std::size_t k = 0; k < shown; ++k) {
        const spec::ProducerEntry& e = entries[k];
        const int y = row_top + 4 + static_cast<int>(k) * 19;
        h << "<g class=\"cache" << (changed ? " changed" : " unchanged") << "\"><text class=\"cache-text\" x=\"" << x0
          << "\" y=\"" << y + 12 << "\">pid" << e.producer_id << " e" << e.epoch << "</text>\n";
        for (std::size_t c = 0; c < e.batches.size(); ++c) {
          const int bx = x0 + 70 + static_cast<int>(c) * 84;
          h << "<rect class=\"cache-box" << (changed ? "" : " unchanged") << "\" x=\"" << bx << "\" y=\"" << y
            << "\" width=\"80\" height=\"17\" rx=\"2\"/><text class=\"cache-text\" x=\"" << bx + 3 << "\" y=\"" << y + 12
            << "\">" << esc(cached_label(e.batches[c])) << "</text>\n";
        }
        h << "</g>\n";
      }
      if (entries.size() > shown) {
        h << "<text class=\"side-text\" x=\"" << x0 << "\" y=\"" << row_top + L.row_h - 2 << "\">+" << entries.size() - shown
          << " more</text>\n";
      }
      if (entries.empty() && changed) {
        h << "<text class=\"side-text\" x=\"" << x0 << "\" y=\"" << row_top + 16 << "\">(no producer state)</text>\n";
      }
    }
  }

  // Final logs.
  int y = log_top;
  h << "<text class=\"section-title\" x=\"8\" y=\"" << y << "\">the logs after the last step (red: what the anomalies are about)</text>\n";
  y += 14;
  for (std::size_t q = 0; q < t.logs.size(); ++q) {
    const auto& log = t.logs[q];
    h << "<text class=\"event-text\" x=\"8\" y=\"" << y + 20 << "\">p" << q << " log" << (log.empty() ? " (empty)" : "")
      << "</text>\n";
    for (std::size_t k = 0; k < log.size(); ++k) {
      const auto& b = log[k];
      const bool v = is_violating(LogRef{static_cast<int>(q), k});
      const int bx = 80 + static_cast<int>(k % 8) * 170;
      const int by = y + 6 + static_cast<int>(k / 8) * 34;
      std::string label = "@" + std::to_string(b.first_offset) + " " + records_label(b.records);
      if (b.header.producer_id >= 0) {
        label += " pid" + std::to_string(b.header.producer_id) + " seq " + std::to_string(b.header.first_sequence);
      }
      if (b.zombie) label += " z";
      h << "<rect class=\"log-entry" << (v ? " violating" : "") << "\" x=\"" << bx << "\" y=\"" << by
        << "\" width=\"164\" height=\"26\" rx=\"3\"><title>" << esc(label) << (b.zombie ? " (written by a zombie request)" : "")
        << "</title></rect>\n";
      h << "<text class=\"cache-text\" x=\"" << bx + 5 << "\" y=\"" << by + 17 << "\">" << esc(label) << "</text>\n";
    }
    y += 30 + static_cast<int>((log.size() + 7) / 8) * 34;
  }
  h << "</svg>\n";
  h << "<p class=\"legend\">Arrows: requests (producer to broker) and responses (broker to producer), coloured by "
       "batch; a dashed arrow ending in an X was lost (its connection broke, or the response was lost); a dotted "
       "arrow is a zombie request, processed after its connection broke; a dashed curve on a producer lane links a "
       "retry to the request that carried the batch before. Red: the writes and log entries the anomalies are "
       "about. Orange row: first step where spec and impl disagree; pink row: first step with an anomaly. Right: "
       "each partition's producer state on the broker after the step (pid, epoch, cached batches: sequences and "
       "offsets); faded when the step did not change it.</p>\n";
  h << "</body>\n</html>\n";
  return h.str();
}

}  // namespace idemcheck::report
