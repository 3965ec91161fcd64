// The quick matrix: a few rule pairs against the claims whose outcome the
// variants change, on a small budget, with the outcomes the full matrix
// (README "Rule variants") reports; and the matrix page rendered by headless
// Chromium (the pairs as rows, a cell per claim, every counterexample with its
// replay command). The page test skips when Chromium is not installed.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "idemcheck/properties/variant_matrix.hpp"
#include "headless_chromium.hpp"
#include "idemcheck/report/matrix_render.hpp"

namespace idemcheck {
namespace {

namespace fs = std::filesystem;
using properties::RulePair;
using namespace testing_chromium;
using B = spec::BrokerRules;
using C = spec::ClientRules;

properties::ClaimBudget quick(std::uint64_t histories) {
  properties::ClaimBudget b;
  b.seed = 1;
  b.histories = histories;
  b.max_size = 60;
  return b;
}

const properties::Claim& claim(const std::string& id) {
  const properties::Claim* c = properties::find_claim(id);
  EXPECT_NE(c, nullptr) << id;
  return *c;
}

bool violated(RulePair pair, const std::string& id, std::uint64_t histories) {
  const auto row = properties::run_matrix_row(pair, {&claim(id)}, quick(histories));
  EXPECT_FALSE(row.cells.at(0).result.divergence) << id;
  return row.cells.at(0).result.counterexample.has_value();
}

TEST(VariantMatrix, PairsAndClaims) {
  EXPECT_EQ(properties::all_rule_pairs().size(), spec::all_broker_rules().size() * spec::all_client_rules().size());
  for (const properties::Claim* c : properties::matrix_claims()) {
    EXPECT_TRUE(c->profile.config.producer.idempotence) << c->id << ": the matrix shows idempotent claims only";
  }
  const properties::Claim v = properties::with_rules(claim("idempotence-no-reorder"), RulePair{B::kafka_4_5, C::java_2_4});
  EXPECT_EQ(v.profile.config.broker.rules, B::kafka_4_5);
  EXPECT_EQ(v.profile.config.client_rules, C::java_2_4);
  EXPECT_TRUE(properties::is_reference(RulePair{}));
}

// Finding 2 (an unknown producer is reordered) under the rules that change it.
TEST(VariantMatrix, FindingTwoIsOpenUnder25AndClosedByAProducerIdReset) {
  EXPECT_TRUE(violated(RulePair{B::kafka_2_5, C::java_2_5}, "idempotence-no-reorder", 1000));
  EXPECT_FALSE(violated(RulePair{B::kafka_2_5, C::java_2_4}, "idempotence-no-reorder", 1000))
      << "a 2.4 client fails the first batch and resets its id instead of re-sending both under a new epoch";
  EXPECT_FALSE(violated(RulePair{B::kafka_19880, C::java_2_5}, "idempotence-no-reorder", 1000))
      << "KAFKA-19880 answers UNKNOWN_PRODUCER_ID instead of writing the later batch";
}

// Finding 1 (a failure past the deadline bumps and re-writes a written batch) and KAFKA-14034.
TEST(VariantMatrix, Kafka14034ClosesFindingOne) {
  EXPECT_TRUE(violated(RulePair{B::kafka_2_5, C::java_2_5}, "idempotence-no-duplicate-known-producer", 1000));
  EXPECT_FALSE(violated(RulePair{B::kafka_2_5, C::kafka_14034}, "idempotence-no-duplicate-known-producer", 1000));
}

// Liveness: the stuck producer of the committed finding, and Kafka 4.5 making it shorter.
TEST(VariantMatrix, EverySendCompletesIsViolatedAndShorterOn45) {
  const auto at = [](RulePair p) {
    const auto row = properties::run_matrix_row(p, {&claim("idempotence-every-send-completes")}, quick(400));
    const auto& cx = row.cells.at(0).result.counterexample;
    return cx ? cx->shrunk.events.size() : std::size_t{0};
  };
  const std::size_t kafka_25 = at(RulePair{B::kafka_2_5, C::java_2_5});
  const std::size_t kafka_45 = at(RulePair{B::kafka_4_5, C::java_2_5});
  ASSERT_GT(kafka_25, 0u);
  ASSERT_GT(kafka_45, 0u);
  EXPECT_LT(kafka_45, kafka_25) << "on 4.5 a first batch that expires before any broker saw it is enough";
}

// --- the page ---------------------------------------------------------------------

report::MatrixReport small_report() {
  report::MatrixReport r;
  r.claims = {&claim("idempotence-no-reorder"), &claim("idempotence-no-lost-write")};
  r.budget = quick(300);
  for (RulePair p : {RulePair{B::kafka_2_5, C::java_2_5}, RulePair{B::kafka_2_5, C::java_2_4}}) {
    r.rows.push_back(properties::run_matrix_row(p, r.claims, r.budget));
  }
  return r;
}

TEST(VariantMatrix, TextAndMarkdownNameEveryCellAndItsReplay) {
  const report::MatrixReport r = small_report();
  ASSERT_TRUE(r.rows[0].cells[0].result.counterexample) << "the reference pair reorders an unknown producer";
  const std::string text = report::matrix_text(r);
  EXPECT_NE(text.find("kafka-2.5    java-2.4     ok    ok"), std::string::npos) << text;
  const std::string replay = report::replay_command(r.rows[0], r.rows[0].cells[0], r.budget);
  EXPECT_EQ(replay, "idemcheck claims --claim idempotence-no-reorder --set idemcheck.broker.rules=kafka-2.5 --set "
                    "idemcheck.client.rules=java-2.5 --seed 1 --histories 300 --max-size 60 --explain");
  EXPECT_NE(text.find(replay), std::string::npos);
  const std::string md = report::matrix_markdown(r);
  EXPECT_NE(md.find("| broker | client | no-reorder | no-lost-write |"), std::string::npos) << md;
  EXPECT_NE(md.find("| kafka-2.5 | java-2.4 | ok | ok |"), std::string::npos) << md;
}

TEST(VariantMatrix, BrowserBuildsThePage) {
  const auto chromium = find_chromium();
  if (!chromium) GTEST_SKIP() << "chromium is not installed (apt-get install chromium); not rendering the page";
  std::string tmpl = (fs::temp_directory_path() / "idemcheck-matrix-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const fs::path dir = tmpl;
  const report::MatrixReport r = small_report();
  const fs::path page = dir / "matrix.html";
  std::ofstream(page) << report::matrix_html(r);
  const std::string dom = run_capture(chromium_command(*chromium, dir / "profile", "--dump-dom", page));
  std::error_code ec;
  fs::remove_all(dir, ec);
  ASSERT_NE(dom.find("<table class=\"matrix\">"), std::string::npos) << dom.substr(0, 2000);
  EXPECT_EQ(count(dom, "<tr class=\"pair"), 2u);
  EXPECT_EQ(count(dom, "<tr class=\"pair reference\""), 1u);
  EXPECT_EQ(count(dom, "<td class=\"cell "), 4u);
  EXPECT_EQ(count(dom, "<td class=\"cell violated\""), 1u) << "only the reference pair's reorder";
  EXPECT_EQ(count(dom, "<li class=\"counterexample\""), 1u);
  EXPECT_NE(dom.find("--set idemcheck.client.rules=java-2.5"), std::string::npos);
}

}  // namespace
}  // namespace idemcheck
