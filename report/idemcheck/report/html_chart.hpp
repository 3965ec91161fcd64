// idemcheck/report/html_chart.hpp
//
// A replayed history drawn as a message sequence chart: one self-contained
// HTML page (inline CSS and SVG, no scripts, no external resources) with a
// lane per producer and per broker, requests and responses as arrows between
// lanes (lost ones dashed, ending in an X; zombie requests dashed), retries
// linked to the request that first carried the batch, the broker's cached
// batches per producer at each step, the first step where spec and impl
// disagree and the first step with an anomaly marked, and the log entries
// the anomalies are about highlighted, in the chart and in the final logs.
#pragma once

#include <string>
#include <vector>

#include "idemcheck/report/timeline.hpp"

namespace idemcheck::report {

struct ChartText {
  std::string title;                ///< e.g. the file's name
  std::string description;          ///< the file's description (may have line breaks)
  std::vector<std::string> notes;   ///< per step ("" none); may be empty
};

/// The page, as a string.
std::string html_chart(const Timeline& timeline, const ChartText& text);

}  // namespace idemcheck::report
