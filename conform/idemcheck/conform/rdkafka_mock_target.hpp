// idemcheck/conform/rdkafka_mock_target.hpp
//
// librdkafka's mock cluster (rdkafka_mock.h) as an in-process target of the
// wire differential: `brokers` mock brokers on loopback ports, serving one
// topic of one partition created up front (rd_kafka_mock_topic_create), with
// the mock's own, randomly chosen, leader. Built only with
// IDEMCHECK_BUILD_CLIENTS (library idemcheck_conform_mock), where librdkafka
// is part of the build.
//
// The mock's threads serve the brokers until the object is destroyed;
// librdkafka's log lines are dropped (library code never prints).
#pragma once

#include <memory>
#include <string>

namespace idemcheck::conform {

class RdkafkaMockCluster {
 public:
  /// Starts the mock cluster and creates `topic` with one partition
  /// (replication factor 1). Throws std::runtime_error naming what failed.
  RdkafkaMockCluster(int brokers, const std::string& topic);
  RdkafkaMockCluster(const RdkafkaMockCluster&) = delete;
  RdkafkaMockCluster& operator=(const RdkafkaMockCluster&) = delete;
  /// Stops the brokers.
  ~RdkafkaMockCluster();

  /// "127.0.0.1:p0,127.0.0.1:p1,..." (rd_kafka_mock_cluster_bootstraps).
  [[nodiscard]] std::string bootstrap() const;
  /// librdkafka's version, as rd_kafka_version_str() gives it.
  [[nodiscard]] static std::string librdkafka_version();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace idemcheck::conform
