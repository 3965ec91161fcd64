#include "idemcheck/report/matrix_render.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "html_escape.hpp"
#include "idemcheck/spec/checker.hpp"

namespace idemcheck::report {

namespace {

using properties::MatrixCell;
using properties::MatrixRow;
using detail::html_escape;

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string pair_text(const MatrixRow& row) {
  return std::string(spec::name(row.pair.broker)) + " x " + std::string(spec::name(row.pair.client));
}

// The first anomaly of the shrunk counterexample, or what else the cell says.
std::string cell_detail(const MatrixCell& cell) {
  const auto& r = cell.result;
  std::ostringstream os;
  if (r.divergence) {
    os << "spec and impl disagree on the " << r.divergence->what << " at event " << r.divergence->step + 1
       << " of history " << r.divergence_index;
  } else if (r.counterexample) {
    const auto& cx = *r.counterexample;
    if (!cx.anomalies.empty()) os << cx.anomalies.front();
    os << " (" << cx.shrunk.events.size() << " events, shrunk from " << cx.original.events.size() << "; history "
       << cx.history_index << (r.needs_race ? "; needs the late-poll race" : "") << ")";
  } else {
    os << "holds for " << r.histories << " histories";
  }
  return os.str();
}

std::string cell_class(const MatrixCell& cell) {
  if (cell.result.divergence) return "diverged";
  return cell.result.counterexample ? "violated" : "holds";
}

std::string header_line(const MatrixReport& r) {
  std::ostringstream os;
  os << r.rows.size() << " rule pair(s) x " << r.claims.size() << " claim(s); seed " << r.budget.seed << ", up to "
     << r.budget.histories << " histories per cell, max size " << r.budget.max_size << "; " << std::fixed
     << std::setprecision(1) << r.seconds << " s with " << r.jobs << " job(s)";
  return os.str();
}

const char* kBounded =
    "Bounded checker (idemcheck prove, Z3 and the explicit search): its small world has the reference rules only "
    "(kafka-2.5 x java-2.5), so only that row has a bounded verdict: see docs/prove.md.";

}  // namespace

std::string claim_label(const properties::Claim& claim) {
  const std::string prefix = "idempotence-";
  return claim.id.starts_with(prefix) ? claim.id.substr(prefix.size()) : claim.id;
}

std::string cell_text(const MatrixCell& cell) {
  const auto& r = cell.result;
  if (r.divergence) return "DIFF";
  if (!r.counterexample) return "ok";
  std::ostringstream os;  // not "x" + std::to_string(...): g++ 12 warns falsely on that at -O2
  os << "x" << r.counterexample->shrunk.events.size() << (r.needs_race ? "r" : "");
  return os.str();
}

std::string replay_command(const MatrixRow& row, const MatrixCell& cell, const properties::ClaimBudget& budget) {
  std::ostringstream os;
  os << "idemcheck claims --claim " << cell.claim->id << " --set idemcheck.broker.rules=" << spec::name(row.pair.broker)
     << " --set idemcheck.client.rules=" << spec::name(row.pair.client) << " --seed " << budget.seed
     << " --histories " << budget.histories << " --max-size " << budget.max_size << " --explain";
  return os.str();
}

std::string matrix_text(const MatrixReport& r) {
  std::ostringstream os;
  os << "idemcheck matrix: " << header_line(r) << "\n\n";
  os << pad("broker", 13) << pad("client", 13);
  for (std::size_t c = 0; c < r.claims.size(); ++c) os << pad(std::to_string(c + 1), 6);
  os << "\n";
  for (const MatrixRow& row : r.rows) {
    os << pad(std::string(spec::name(row.pair.broker)), 13) << pad(std::string(spec::name(row.pair.client)), 13);
    for (const MatrixCell& cell : row.cells) os << pad(cell_text(cell), 6);
    os << "\n";
  }
  os << "\nclaims:\n";
  for (std::size_t c = 0; c < r.claims.size(); ++c) {
    os << "  " << pad(std::to_string(c + 1), 3) << pad(r.claims[c]->id, 40) << r.claims[c]->article << "\n";
  }
  os << "cells: xN = violated, shortest counterexample found N events (r: only with the late-poll race); ok = holds\n"
        "for every history of the cell's budget; DIFF = spec and impl disagreed (a defect).\n"
     << kBounded << "\n\ncounterexamples:\n";
  for (const MatrixRow& row : r.rows) {
    for (const MatrixCell& cell : row.cells) {
      if (!cell.result.counterexample && !cell.result.divergence) continue;
      os << "  " << pair_text(row) << ", " << cell.claim->id << ": " << cell_detail(cell) << "\n    replay: "
         << replay_command(row, cell, r.budget) << "\n";
    }
  }
  return os.str();
}

std::string matrix_markdown(const MatrixReport& r) {
  std::ostringstream os;
  os << "`idemcheck matrix`: " << header_line(r) << ".\n\n| broker | client |";
  for (const auto* c : r.claims) os << " " << claim_label(*c) << " |";
  os << "\n|---|---|";
  for (std::size_t c = 0; c < r.claims.size(); ++c) os << "---|";
  os << "\n";
  for (const MatrixRow& row : r.rows) {
    os << "| " << spec::name(row.pair.broker) << " | " << spec::name(row.pair.client) << " |";
    for (const MatrixCell& cell : row.cells) os << " " << cell_text(cell) << " |";
    os << "\n";
  }
  os << "\nxN = violated, shortest counterexample found N events (r: only with the late-poll race); ok = holds for "
        "every history of the cell's budget; DIFF = spec and impl disagreed. "
     << kBounded << "\n\nCounterexamples:\n\n";
  for (const MatrixRow& row : r.rows) {
    for (const MatrixCell& cell : row.cells) {
      if (!cell.result.counterexample && !cell.result.divergence) continue;
      os << "- " << pair_text(row) << ", `" << cell.claim->id << "`: " << cell_detail(cell) << "  \n  `"
         << replay_command(row, cell, r.budget) << "`\n";
    }
  }
  return os.str();
}

std::string matrix_html(const MatrixReport& r) {
  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>idemcheck matrix</title>\n<style>\n"
        "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
        "table.matrix{border-collapse:collapse;font-size:13px}\n"
        "table.matrix th,table.matrix td{border:1px solid #bbb;padding:3px 6px;text-align:center}\n"
        "table.matrix th.claim{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:normal}\n"
        "td.rules{text-align:left;font-family:monospace;white-space:nowrap}\n"
        "tr.reference td.rules{font-weight:bold}\n"
        "td.violated{background:#f4b6b6}\ntd.holds{background:#c8e6c0}\ntd.diverged{background:#222;color:#fff}\n"
        "li.counterexample code{font-size:12px}\n"
        "</style></head><body>\n<h1>Rule variants: which broker and client rules make which claims hold</h1>\n<p class=\"run\">"
     << html_escape(header_line(r)) << "</p>\n<table class=\"matrix\">\n<tr><th>broker</th><th>client</th>";
  for (const auto* c : r.claims) os << "<th class=\"claim\" title=\"" << html_escape(c->article) << "\">" << html_escape(claim_label(*c)) << "</th>";
  os << "</tr>\n";
  std::size_t n = 0;
  for (const MatrixRow& row : r.rows) {
    os << "<tr class=\"pair" << (properties::is_reference(row.pair) ? " reference" : "") << "\"><td class=\"rules\">"
       << spec::name(row.pair.broker) << "</td><td class=\"rules\">" << spec::name(row.pair.client) << "</td>";
    for (const MatrixCell& cell : row.cells) {
      const bool found = cell.result.counterexample || cell.result.divergence;
      os << "<td class=\"cell " << cell_class(cell) << "\" title=\"" << html_escape(cell_detail(cell)) << "\">";
      if (found) {
        os << "<a href=\"#cx" << n << "\">" << html_escape(cell_text(cell)) << "</a>";
        ++n;
      } else {
        os << "ok";
      }
      os << "</td>";
    }
    os << "</tr>\n";
  }
  os << "</table>\n<p>xN = violated, shortest counterexample found N events (r: only with the late-poll race); ok = "
        "holds for every history of the cell's budget; DIFF = spec and impl disagreed. "
     << html_escape(kBounded) << "</p>\n<h2>Counterexamples</h2>\n<ol class=\"counterexamples\">\n";
  n = 0;
  for (const MatrixRow& row : r.rows) {
    for (const MatrixCell& cell : row.cells) {
      if (!cell.result.counterexample && !cell.result.divergence) continue;
      os << "<li class=\"counterexample\" id=\"cx" << n++ << "\"><b>" << html_escape(pair_text(row)) << "</b>, "
         << html_escape(cell.claim->id) << ": " << html_escape(cell_detail(cell)) << "<br><code>"
         << html_escape(replay_command(row, cell, r.budget)) << "</code></li>\n";
    }
  }
  os << "</ol>\n</body></html>\n";
  return os.str();
}

}  // namespace idemcheck::report
