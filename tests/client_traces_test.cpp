// The real clients' findings, pinned: every run file in tests/corpus/clients/
// is a trace a campaign saved (librdkafka or kafkajs against the front end),
// and findings.json says what it shows. Replaying one needs no client: the
// verdicts are judged again from the saved log and reports, and the
// conformance checks run again on the saved trace, so each finding is checked
// deterministically on every build, sanitizers included, although the runs
// that produced them depended on real timers. findings.json holds, per file,
// the anomaly kinds, the first invariant deviation (conformance.hpp) and the
// first deviation from the model producer (model_replay.hpp) it pins, with a
// sentence saying which finding it is.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "idemcheck/clients/conformance.hpp"
#include "idemcheck/clients/model_replay.hpp"
#include "idemcheck/clients/run.hpp"
#include "idemcheck/clients/run_file.hpp"

namespace {

namespace fs = std::filesystem;
using namespace idemcheck;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Expected {
  std::set<std::string> anomalies;  // every anomaly kind the run shows, by name
  std::string conformance;          // the first invariant deviation's rule, "" for none
  std::string model;                // the first model-replay deviation's rule, "" for none
  std::string finding;              // what it pins, in words (for the failure message)
};

std::map<std::string, Expected> load_manifest(const fs::path& dir) {
  std::map<std::string, Expected> out;
  const auto j = nlohmann::json::parse(read_text(dir / "findings.json"));
  for (const auto& f : j.at("files")) {
    Expected e;
    for (const auto& a : f.at("anomalies")) e.anomalies.insert(a.get<std::string>());
    e.conformance = f.at("conformance").get<std::string>();
    e.model = f.at("model").get<std::string>();
    e.finding = f.at("finding").get<std::string>();
    out.emplace(f.at("file").get<std::string>(), std::move(e));
  }
  return out;
}

std::string joined(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) {
    if (!out.empty()) out.append(", ");
    out.append(x);
  }
  return out.empty() ? "none" : out;
}

TEST(ClientTraces, EveryPinnedFindingReplaysAsSaved) {
  const fs::path dir = IDEMCHECK_CLIENT_CORPUS_DIR;
  const auto manifest = load_manifest(dir);
  ASSERT_FALSE(manifest.empty()) << "findings.json lists no file";
  std::set<std::string> seen;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::path p = entry.path();
    if (p.extension() != ".json" || p.filename() == "findings.json") continue;
    const std::string name = p.filename().string();
    SCOPED_TRACE(name);
    seen.insert(name);
    const auto it = manifest.find(name);
    if (it == manifest.end()) {
      ADD_FAILURE() << name << " is not in findings.json: say what it pins";
      continue;
    }
    std::string error;
    const auto file = clients::from_json(read_text(p), error);
    if (!file) {
      ADD_FAILURE() << name << ": " << error;
      continue;
    }
    const auto again = clients::judge(*file);
    EXPECT_EQ(again, file->anomalies) << name << ": the checker no longer judges the saved run as it was judged";
    std::set<std::string> kinds;
    for (const auto& a : again) kinds.insert(std::string(spec::name(a.kind)));
    EXPECT_EQ(joined(kinds), joined(it->second.anomalies))
        << name << " (" << it->second.finding << "): the anomalies differ from the pinned ones";
    const auto d = clients::first_deviation(file->trace);
    EXPECT_EQ(d ? d->rule : std::string(), it->second.conformance)
        << name << " (" << it->second.finding << "): the first conformance deviation differs"
        << (d ? ": " + d->detail : std::string());
    const auto m = clients::first_model_deviation(file->trace);
    EXPECT_EQ(m ? m->rule : std::string(), it->second.model)
        << name << " (" << it->second.finding << "): the first deviation from the model producer differs"
        << (m ? ": " + m->detail : std::string());
  }
  for (const auto& [name, e] : manifest) {
    EXPECT_TRUE(seen.count(name)) << "findings.json lists " << name << ", which is not in the folder";
  }
}

}  // namespace
