// Real clients against the front end, over loopback: librdkafka in this
// process, kafkajs through node (skipped, saying why, where it is not
// installed; ci/install-deps.sh installs it). These assert what the harness
// promises about a run, not what a client does under a fault (that is the
// campaign's result, README "Real clients").
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "idemcheck/clients/campaign.hpp"
#include "idemcheck/clients/run_file.hpp"

namespace {

using namespace idemcheck;
using clients::Client;

clients::RunConfig quiet_run(Client client, bool impl = false) {
  clients::RunConfig c;
  c.client = client;
  c.app.records = 20;
  c.app.partitions = 2;
  c.app.deadline_ms = 15000;
  c.impl = impl;
  return c;
}

void skip_unless_available(Client client) {
  if (client == Client::kafkajs) {
    const auto why = clients::kafkajs_unavailable(clients::default_kafkajs_dir());
    if (!why.empty()) GTEST_SKIP() << why;
  }
}

class RealClient : public ::testing::TestWithParam<Client> {};

TEST_P(RealClient, WithoutFaultsEveryRecordIsAcknowledgedOnceInOrder) {
  skip_unless_available(GetParam());
  for (const bool impl : {false, true}) {
    SCOPED_TRACE(impl ? "impl core" : "spec core");
    const auto r = clients::run_client(quiet_run(GetParam(), impl));
    ASSERT_EQ(r.driver.fatal, "");
    EXPECT_EQ(r.acknowledged, 20);
    std::size_t logged = 0;
    for (std::size_t q = 0; q < r.logs.size(); ++q) {
      for (std::size_t i = 0; i < r.logs[q].size(); ++i) {
        EXPECT_EQ(r.logs[q][i].first_offset, static_cast<std::int64_t>(i)) << "partition " << q;
        EXPECT_EQ(r.logs[q][i].records.first % 2, static_cast<std::int64_t>(q)) << "record n goes to partition n % 2";
      }
      logged += r.logs[q].size();
    }
    EXPECT_EQ(logged, 20u);
    for (const auto& rep : r.driver.reports) {
      ASSERT_TRUE(rep.reported);
      const auto& log = r.logs[static_cast<std::size_t>(rep.partition)];
      ASSERT_LT(rep.offset, static_cast<std::int64_t>(log.size()));
      EXPECT_EQ(log[static_cast<std::size_t>(rep.offset)].records.first, rep.record);
    }
    if (GetParam() == Client::librdkafka) {
      EXPECT_FALSE(r.deviation) << r.deviation->rule << ": " << r.deviation->detail;
      EXPECT_FALSE(r.model_deviation) << r.model_deviation->rule << ": " << r.model_deviation->detail;
    }
    bool idempotent_batches = false;
    for (const auto& e : r.trace) {
      for (const auto& b : e.batches) idempotent_batches = idempotent_batches || b.header.producer_id >= 0;
    }
    EXPECT_TRUE(idempotent_batches) << "the idempotent producer's batches carry a producer id";
    // The checker's verdict on this client without faults: kafkajs may reorder
    // its own concurrent sends (a finding, README), nothing else is allowed.
    for (const auto& a : r.anomalies) {
      if (GetParam() == Client::kafkajs && a.kind == spec::Anomaly::nonmonotonic_send) continue;
      ADD_FAILURE() << a;
    }
  }
}

TEST_P(RealClient, ACampaignMeetsEveryFaultKind) {
  skip_unless_available(GetParam());
  clients::CampaignConfig c;
  c.clients = {GetParam()};
  c.configurations = {clients::default_configurations().front()};
  c.schedules = static_cast<int>(std::size(frontend::kAllFaultKinds));
  c.faults = 1;
  c.reruns = 0;
  c.app.records = 20;
  c.app.partitions = 2;
  c.app.deadline_ms = 15000;
  const auto result = clients::run_campaign(c);
  ASSERT_EQ(result.cells.size(), 1u);
  const auto& cell = result.cells.front();
  EXPECT_EQ(cell.runs, c.schedules);
  std::set<std::string> fired;
  for (const auto k : cell.kinds) fired.insert(std::string(frontend::name(k)));
  EXPECT_EQ(cell.kinds.size(), std::size(frontend::kAllFaultKinds))
      << "fired: " << ::testing::PrintToString(fired);
  EXPECT_EQ(cell.acknowledged + cell.failed + cell.pending, c.schedules * c.app.records);
  ASSERT_EQ(result.clients.size(), 1u);
  EXPECT_GT(result.clients[0].seconds, 0);
}

INSTANTIATE_TEST_SUITE_P(Clients, RealClient, ::testing::Values(Client::librdkafka, Client::kafkajs),
                         [](const auto& info) { return std::string(clients::name(info.param)); });

// A trace of Produce requests, one batch each: (partition, pid, epoch, seq, first record, count).
frontend::Trace produce_trace(const std::vector<std::tuple<int, std::int64_t, int, std::int64_t, std::int64_t, int>>& batches) {
  frontend::Trace t;
  std::int64_t n = 0;
  for (const auto& [q, pid, epoch, seq, first, count] : batches) {
    frontend::TraceEvent e;
    e.kind = frontend::TraceKind::produce;
    e.number = ++n;
    frontend::BatchTrace b;
    b.partition = q;
    b.header = spec::Batch{pid, epoch, seq, count, 0};
    for (int i = 0; i < count; ++i) b.records.push_back(spec::RecordRange{0, first + i, 1});
    e.batches.push_back(b);
    t.push_back(e);
  }
  return t;
}

TEST(Conformance, TheModelsOwnStampsConform) {
  // Contiguous sequences, a retry with its stamp, a bump that restarts at 0 and re-stamps a retry.
  EXPECT_FALSE(clients::first_deviation(produce_trace(
      {{0, 7, 0, 0, 0, 2}, {0, 7, 0, 2, 2, 1}, {1, 7, 0, 0, 3, 1}, {0, 7, 0, 2, 2, 1}, {0, 7, 1, 0, 2, 1},
       {0, 7, 1, 1, 4, 1}})));
}

TEST(Conformance, EachRuleNamesItsDeviation) {
  const auto rule = [](const frontend::Trace& t) {
    const auto d = clients::first_deviation(t);
    return d ? d->rule : std::string("none");
  };
  EXPECT_EQ(rule(produce_trace({{0, 7, 0, 0, 0, 1}, {0, 7, 0, 2, 1, 1}})), "C1");
  EXPECT_EQ(rule(produce_trace({{0, 7, 0, 3, 0, 1}})), "C2");
  EXPECT_EQ(rule(produce_trace({{0, 7, 0, 0, 0, 1}, {0, 7, 0, 1, 1, 1}, {0, 7, 0, 1, 0, 1}})), "C3");
  EXPECT_EQ(rule(produce_trace({{0, 7, 0, 0, 0, 2}, {0, 7, 0, 2, 1, 2}})), "C4");
  EXPECT_EQ(rule(produce_trace({{0, 7, 1, 0, 0, 1}, {1, 7, 0, 0, 1, 1}})), "C5");
  const auto d = clients::first_deviation(produce_trace({{0, 7, 0, 0, 0, 1}, {0, 7, 0, 5, 1, 1}}));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->request, 2);
  EXPECT_EQ(d->trace_index, 1u);
}

TEST(ClientRunFile, ARunSurvivesTheFileAndIsJudgedAlikeAgain) {
  auto config = quiet_run(Client::librdkafka);
  config.cluster.faults.at[3] = frontend::Fault{frontend::FaultKind::zombie};
  const auto r = clients::run_client(config);
  ASSERT_EQ(r.driver.fatal, "");
  const auto file = clients::to_run_file(config, r, "idempotent, in-flight 5", 0);
  const std::string text = clients::to_json(file);
  ASSERT_TRUE(clients::is_run_file(text));
  std::string error;
  const auto back = clients::from_json(text, error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->trace, file.trace);
  EXPECT_EQ(back->logs, file.logs);
  EXPECT_EQ(back->reports, file.reports);
  EXPECT_EQ(back->anomalies, file.anomalies);
  EXPECT_EQ(back->schedule, config.cluster.faults);
  clients::DriverResult d;
  d.reports = back->reports;
  EXPECT_EQ(clients::judge(back->logs, d, back->app, -1), r.anomalies);
}

TEST(ClientRunFile, MalformedFilesAreRejectedWithAReason) {
  std::string error;
  EXPECT_FALSE(clients::from_json("not json", error));
  EXPECT_NE(error, "");
  EXPECT_FALSE(clients::from_json(R"({"format":"idemcheck-client-run","version":1})", error));
  EXPECT_NE(error.find("malformed"), std::string::npos) << error;
  EXPECT_FALSE(clients::from_json(R"({"format":"something-else","version":1})", error));
  EXPECT_FALSE(clients::is_run_file(R"({"format":"history"})"));
}

}  // namespace
