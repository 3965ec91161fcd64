// The librdkafka driver: the C API in this process. Settings map to
// librdkafka's names (CONFIGURATION.md of librdkafka 2.0.2):
// enable.idempotence, max.in.flight.requests.per.connection, acks,
// request.timeout.ms, message.timeout.ms (its delivery timeout), retries,
// retry.backoff.ms, linger.ms; compression is off because the front end
// cannot read compressed batches (cluster.hpp).
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <string>
#include <thread>

#include "driver_detail.hpp"
#include "idemcheck/clients/driver.hpp"

namespace idemcheck::clients::detail {

namespace {

using Clock = std::chrono::steady_clock;

struct Run {
  std::vector<DeliveryReport>* reports = nullptr;
  Clock::time_point t0;
  bool accepting = true;  // false once the deadline passed: purged records stay pending
};

// What the checker may conclude from a failed record: librdkafka says
// itself whether the record may have been written (rd_kafka_message_status).
spec::Error checker_error(rd_kafka_resp_err_t err, rd_kafka_msg_status_t status) {
  if (status == RD_KAFKA_MSG_STATUS_NOT_PERSISTED) return spec::Error::not_persisted;
  if (err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT || err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    return spec::Error::delivery_timeout;
  }
  if (err == RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND) return spec::Error::not_enough_replicas_after_append;
  if (err == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT) return spec::Error::request_timed_out;
  // Possibly persisted under any other name: a disconnect's kind of failure.
  return spec::Error::network_exception;
}

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* run = static_cast<Run*>(opaque);
  const auto n = reinterpret_cast<std::intptr_t>(m->_private);
  if (!run->accepting || n < 0 || static_cast<std::size_t>(n) >= run->reports->size()) return;
  DeliveryReport& r = (*run->reports)[static_cast<std::size_t>(n)];
  if (r.reported) return;
  r.reported = true;
  r.ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - run->t0).count();
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    r.offset = m->offset;
  } else {
    r.error = checker_error(m->err, rd_kafka_message_status(m));
    r.client_error = std::string(rd_kafka_err2name(m->err)) + ": " + rd_kafka_err2str(m->err);
  }
}

// Library code never prints: librdkafka's log lines are dropped.
void on_log(const rd_kafka_t*, int, const char*, const char*) {}

bool set(rd_kafka_conf_t* conf, const char* key, const std::string& value, std::string& error) {
  char buf[512];
  if (rd_kafka_conf_set(conf, key, value.c_str(), buf, sizeof buf) != RD_KAFKA_CONF_OK) {
    error = std::string("librdkafka rejects ") + key + "=" + value + ": " + buf;
    return false;
  }
  return true;
}

}  // namespace

DriverResult run_librdkafka(const std::string& bootstrap, const ProducerSettings& s, const Application& app) {
  DriverResult out;
  out.client_version = std::string("librdkafka ") + rd_kafka_version_str();
  out.reports.resize(static_cast<std::size_t>(app.records));
  for (int n = 0; n < app.records; ++n) {
    out.reports[static_cast<std::size_t>(n)].record = n;
    out.reports[static_cast<std::size_t>(n)].partition = n % app.partitions;
  }
  Run run;
  run.reports = &out.reports;
  run.t0 = Clock::now();

  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::string error;
  bool ok = set(conf, "bootstrap.servers", bootstrap, error) && set(conf, "client.id", "idemcheck-librdkafka", error) &&
            // librdkafka's request.timeout.ms is only the broker's ack timeout sent in the
            // request; its client-side request timeout is socket.timeout.ms (rdkafka_conf.c).
            set(conf, "request.timeout.ms", std::to_string(s.request_timeout_ms), error) &&
            set(conf, "socket.timeout.ms", std::to_string(s.request_timeout_ms), error) &&
            set(conf, "message.timeout.ms", std::to_string(s.delivery_timeout_ms), error) &&
            set(conf, "compression.codec", "none", error) && set(conf, "broker.address.family", "v4", error) &&
            // A short metadata refresh after errors lets a leader move be followed within a run.
            set(conf, "topic.metadata.refresh.interval.ms", "1000", error) &&
            set(conf, "socket.connection.setup.timeout.ms", "2000", error);
  if (ok && !s.client_defaults) {
    ok = set(conf, "enable.idempotence", s.idempotence ? "true" : "false", error) &&
         set(conf, "max.in.flight.requests.per.connection", std::to_string(s.max_in_flight), error) &&
         set(conf, "acks", std::to_string(s.acks), error) && set(conf, "retries", std::to_string(s.retries), error) &&
         set(conf, "retry.backoff.ms", std::to_string(s.retry_backoff_ms), error) &&
         set(conf, "linger.ms", std::to_string(s.linger_ms), error);
  }
  if (!ok) {
    rd_kafka_conf_destroy(conf);
    out.fatal = error;
    return out;
  }
  rd_kafka_conf_set_log_cb(conf, on_log);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_opaque(conf, &run);
  char buf[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, buf, sizeof buf);
  if (!rk) {
    out.fatal = std::string("librdkafka: cannot create the producer: ") + buf;
    return out;
  }
  const auto deadline = run.t0 + std::chrono::milliseconds(app.deadline_ms);
  for (int n = 0; n < app.records && Clock::now() < deadline; ++n) {
    const std::string value = std::to_string(app.app) + ":" + std::to_string(n);
    for (;;) {
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          rk, RD_KAFKA_V_TOPIC(app.topic.c_str()), RD_KAFKA_V_PARTITION(n % app.partitions),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<std::intptr_t>(n))), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && Clock::now() < deadline) {
        rd_kafka_poll(rk, 10);
        continue;
      }
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        DeliveryReport& r = out.reports[static_cast<std::size_t>(n)];
        r.reported = true;
        r.error = spec::Error::not_persisted;  // refused at the call: never left the application
        r.client_error = std::string(rd_kafka_err2name(err));
      }
      break;
    }
    rd_kafka_poll(rk, 0);
    if (app.send_interval_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(app.send_interval_ms));
  }
  while (rd_kafka_outq_len(rk) > 0 && Clock::now() < deadline) rd_kafka_poll(rk, 20);
  char fatal[512];
  if (rd_kafka_fatal_error(rk, fatal, sizeof fatal) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    out.fatal = std::string("librdkafka fatal error: ") + fatal;
  }
  // Past the deadline what is left stays pending: purge it without letting
  // the purge's reports count as the client's verdict.
  run.accepting = false;
  rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(rk, 0);
  rd_kafka_flush(rk, 1000);
  rd_kafka_destroy(rk);
  out.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - run.t0).count();
  return out;
}

}  // namespace idemcheck::clients::detail
