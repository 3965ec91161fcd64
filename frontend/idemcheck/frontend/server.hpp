// idemcheck/frontend/server.hpp
//
// The front end's sockets: one listener per broker on loopback, each on an
// ephemeral port (so a leader move is a real Metadata change a client must
// follow to another address), and one thread that carries bytes between the
// clients and the Cluster (cluster.hpp), which makes every decision.
//
// As Kafka's socket server does (SocketServer.Processor), a connection is
// muted while one of its requests has no answer yet: requests on one
// connection are handled one at a time and answered in order. A held answer
// (hold-response) therefore also holds the requests behind it. A frame larger
// than socket.request.max.bytes (100 MiB) or with a negative size closes the
// connection, as Kafka's does.
//
// Guarantees: nothing a client sends can crash the server; stop() returns
// after the thread has ended and every socket is closed; the cluster is read
// only after stop() (or before start()).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "idemcheck/frontend/cluster.hpp"

namespace idemcheck::frontend {

class FrontEnd {
 public:
  /// Binds one listener per broker of `config` on 127.0.0.1 at an ephemeral
  /// port. Throws std::runtime_error if a socket cannot be opened, and
  /// std::invalid_argument for a config check_cluster_config rejects.
  explicit FrontEnd(ClusterConfig config);
  FrontEnd(const FrontEnd&) = delete;
  FrontEnd& operator=(const FrontEnd&) = delete;
  /// Stops the thread if it runs.
  ~FrontEnd();

  /// Start serving (once).
  void start();
  /// Stop serving, close every socket and join the thread (idempotent).
  void stop();

  /// "127.0.0.1:p0,127.0.0.1:p1,..." for a client's bootstrap list.
  [[nodiscard]] std::string bootstrap() const;
  [[nodiscard]] const std::vector<int>& ports() const;
  /// Produce requests received so far (safe while running).
  [[nodiscard]] std::int64_t produce_requests() const;
  /// The cluster: only after stop() or before start().
  [[nodiscard]] const Cluster& cluster() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace idemcheck::frontend
