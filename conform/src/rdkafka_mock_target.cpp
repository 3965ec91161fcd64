#include "idemcheck/conform/rdkafka_mock_target.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <stdexcept>

namespace idemcheck::conform {

namespace {

// Library code never prints: librdkafka's log lines are dropped.
void on_log(const rd_kafka_t*, int, const char*, const char*) {}

}  // namespace

struct RdkafkaMockCluster::Impl {
  rd_kafka_t* rk = nullptr;
  rd_kafka_mock_cluster_t* cluster = nullptr;
  ~Impl() {
    if (cluster != nullptr) rd_kafka_mock_cluster_destroy(cluster);
    if (rk != nullptr) rd_kafka_destroy(rk);
  }
};

RdkafkaMockCluster::RdkafkaMockCluster(int brokers, const std::string& topic) : impl_(std::make_unique<Impl>()) {
  if (brokers < 1) throw std::runtime_error("a mock cluster needs at least one broker");
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, on_log);
  // The handle only owns the mock cluster; it never connects anywhere.
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("librdkafka: cannot create a handle for the mock cluster: ") + err);
  }
  impl_->rk = rk;
  impl_->cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (impl_->cluster == nullptr) throw std::runtime_error("librdkafka: cannot start the mock cluster");
  const rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(impl_->cluster, topic.c_str(), 1, 1);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error("librdkafka mock: cannot create topic '" + topic + "': " + rd_kafka_err2str(e));
  }
}

RdkafkaMockCluster::~RdkafkaMockCluster() = default;

std::string RdkafkaMockCluster::bootstrap() const { return rd_kafka_mock_cluster_bootstraps(impl_->cluster); }

std::string RdkafkaMockCluster::librdkafka_version() { return rd_kafka_version_str(); }

}  // namespace idemcheck::conform
