// idemcheck/report/matrix_render.hpp
//
// The rule-variant matrix (properties/variant_matrix.hpp) as text: a terminal
// table, a markdown table, and a self-contained HTML page (inline CSS, no
// scripts) with the rule pairs as rows and the claims as columns. Every
// violated cell comes with its shortest counterexample's first anomaly and
// the command that replays it; every cell that holds says for how many
// histories. Library code: returns strings, prints nothing.
#pragma once

#include <string>
#include <vector>

#include "idemcheck/properties/variant_matrix.hpp"

namespace idemcheck::report {

/// What a rendering shows: the rows run, the claims (columns), the budget each cell had.
struct MatrixReport {
  std::vector<properties::MatrixRow> rows;
  std::vector<const properties::Claim*> claims;
  properties::ClaimBudget budget;
  double seconds = 0;  ///< wall time of the whole run
  int jobs = 1;        ///< rows run at once
};

/// The short label of a claim's column ("no-duplicate" for "idempotence-no-duplicate").
std::string claim_label(const properties::Claim& claim);
/// A cell as the tables print it: "x7" (violated, 7 events), "x7r" (only with the
/// late-poll race), "ok" (holds), "DIFF" (spec and impl disagreed).
std::string cell_text(const properties::MatrixCell& cell);
/// The command that replays a cell (the claim's own search under the row's rules).
std::string replay_command(const properties::MatrixRow& row, const properties::MatrixCell& cell,
                           const properties::ClaimBudget& budget);

/// The terminal table, a legend, and one line per violated cell with its replay command.
std::string matrix_text(const MatrixReport& report);
/// The same as markdown.
std::string matrix_markdown(const MatrixReport& report);
/// The same as one HTML page.
std::string matrix_html(const MatrixReport& report);

}  // namespace idemcheck::report
