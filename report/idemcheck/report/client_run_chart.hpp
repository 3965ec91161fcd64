// idemcheck/report/client_run_chart.hpp
//
// A real client's run (clients/run_file.hpp) as a self-contained HTML page: a
// message sequence chart with a lane for the client and one per broker,
// requests as arrows to the broker that read them, answers as arrows back,
// faults and cluster changes on the broker's lane, the client's reports on
// its own; rows that are part of an anomaly (a write that duplicated a
// record, a failed or missing report) marked. Every row is numbered as the
// text timeline numbers it, with its text in a tooltip and in a table below.
#pragma once

#include <string>

#include "idemcheck/clients/run_timeline.hpp"

namespace idemcheck::report {

/// The page; `title` is shown at its top (the file's name).
std::string client_run_chart(const clients::RunFile& file, const std::string& title);

}  // namespace idemcheck::report
