#include "idemcheck/frontend/server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace idemcheck::frontend {

namespace {

// Kafka's socket.request.max.bytes default.
constexpr std::int64_t kMaxFrame = 100 * 1024 * 1024;

void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL, 0);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int listen_loopback(int& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    throw std::runtime_error("cannot listen on loopback: " + why);
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  set_nonblocking(fd);
  return fd;
}

}  // namespace

struct FrontEnd::Impl {
  Cluster cluster;
  std::vector<int> listeners;
  std::vector<int> ports;
  int wake[2] = {-1, -1};
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::atomic<std::int64_t> produce_count{0};
  bool started = false;
  bool stopped = false;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();

  struct Held {
    std::int64_t due = 0;
    wire::Bytes frame;
    bool close = false;
  };
  struct Conn {
    int fd = -1;
    int broker = 0;
    std::vector<std::byte> in;
    std::vector<std::byte> out;
    std::size_t out_pos = 0;
    std::deque<Held> held;     // answers waiting for their time (the connection is muted meanwhile)
    bool close_after_flush = false;
    bool muted = false;        // an answer that never goes out (lose-response): nothing more is read
  };
  std::map<std::uint64_t, Conn> conns;
  std::uint64_t next_conn = 1;

  explicit Impl(ClusterConfig config) : cluster(std::move(config)) {}

  std::int64_t now() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  }

  void close_conn(std::uint64_t id, std::string_view why) {
    auto it = conns.find(id);
    if (it == conns.end()) return;
    ::close(it->second.fd);
    cluster.disconnected(it->second.broker, id, now(), why);
    conns.erase(it);
  }

  // A response frame's correlation id: the int32 after its size.
  static std::int32_t correlation_of(const wire::Bytes& frame) {
    return frame.size() < 8 ? -1 : wire::read_frame_size(wire::ByteView(frame).subspan(4, 4));
  }

  void queue_out(std::uint64_t id, Conn& c, const wire::Bytes& frame) {
    c.out.insert(c.out.end(), frame.begin(), frame.end());
    cluster.response_sent(c.broker, id, correlation_of(frame), now());
  }

  // Returns false if the connection was closed.
  bool handle_frames(std::uint64_t id) {
    for (;;) {
      auto it = conns.find(id);
      if (it == conns.end()) return false;
      Conn& c = it->second;
      if (!c.held.empty() || c.close_after_flush || c.muted) return true;
      if (c.in.size() < 4) return true;
      const std::int32_t signed_size = wire::read_frame_size(wire::ByteView(c.in.data(), 4));
      if (signed_size < 0 || signed_size > kMaxFrame) {
        close_conn(id, "invalid frame size");
        return false;
      }
      if (c.in.size() < 4 + static_cast<std::size_t>(signed_size)) return true;
      const wire::Bytes frame(c.in.begin() + 4, c.in.begin() + 4 + signed_size);
      c.in.erase(c.in.begin(), c.in.begin() + 4 + signed_size);
      const int broker = c.broker;
      const Reply r = cluster.handle(broker, id, frame, now());
      produce_count.store(cluster.produce_requests());
      if (r.restart_broker >= 0) {
        std::vector<std::uint64_t> victims;
        for (const auto& [cid, cc] : conns) {
          if (cc.broker == r.restart_broker) victims.push_back(cid);
        }
        for (const auto v : victims) close_conn(v, "broker restarted");
        return false;
      }
      auto again = conns.find(id);
      if (again == conns.end()) return false;
      Conn& cc = again->second;
      if (r.mute) {
        cc.muted = true;
        return true;
      }
      if (r.response) {
        if (r.delay_ms > 0) {
          cc.held.push_back(Held{now() + r.delay_ms, *r.response, r.close});
          return true;
        }
        queue_out(id, cc, *r.response);
        if (r.close) cc.close_after_flush = true;
      } else if (r.close) {
        close_conn(id, "fault");
        return false;
      }
    }
  }

  void run() {
    while (!stopping.load()) {
      std::vector<pollfd> fds;
      std::vector<std::int64_t> who;  // -1 - broker for listeners, connection id otherwise; -100 wake
      fds.push_back(pollfd{wake[0], POLLIN, 0});
      who.push_back(-100);
      for (std::size_t b = 0; b < listeners.size(); ++b) {
        fds.push_back(pollfd{listeners[b], POLLIN, 0});
        who.push_back(-1 - static_cast<std::int64_t>(b));
      }
      std::int64_t timeout = 1000;
      const std::int64_t t = now();
      for (auto& [id, c] : conns) {
        short ev = POLLIN;
        if (c.out_pos < c.out.size()) ev |= POLLOUT;
        fds.push_back(pollfd{c.fd, ev, 0});
        who.push_back(static_cast<std::int64_t>(id));
        if (!c.held.empty()) timeout = std::min(timeout, std::max<std::int64_t>(0, c.held.front().due - t));
      }
      const int n = ::poll(fds.data(), fds.size(), static_cast<int>(timeout));
      if (n < 0 && errno != EINTR) break;
      // Due answers first: they were sent "before" anything read in this round.
      std::vector<std::uint64_t> ids;
      for (const auto& [id, c] : conns) ids.push_back(id);
      for (const auto id : ids) {
        auto it = conns.find(id);
        if (it == conns.end()) continue;
        Conn& c = it->second;
        while (!c.held.empty() && c.held.front().due <= now()) {
          Held h = std::move(c.held.front());
          c.held.pop_front();
          queue_out(id, c, h.frame);
          if (h.close) c.close_after_flush = true;
        }
        if (c.held.empty()) handle_frames(id);
      }
      if (n <= 0) continue;
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        const std::int64_t w = who[i];
        if (w == -100) {
          char buf[64];
          while (::read(wake[0], buf, sizeof buf) > 0) {
          }
          continue;
        }
        if (w < 0) {
          const int broker = static_cast<int>(-1 - w);
          for (;;) {
            const int fd = ::accept(listeners[static_cast<std::size_t>(broker)], nullptr, nullptr);
            if (fd < 0) break;
            set_nonblocking(fd);
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            const std::uint64_t id = next_conn++;
            Conn c;
            c.fd = fd;
            c.broker = broker;
            conns.emplace(id, std::move(c));
            cluster.connected(broker, id, now());
          }
          continue;
        }
        const auto id = static_cast<std::uint64_t>(w);
        auto it = conns.find(id);
        if (it == conns.end()) continue;
        Conn& c = it->second;
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
          std::byte buf[65536];
          bool closed = false;
          for (;;) {
            const ssize_t got = ::read(c.fd, buf, sizeof buf);
            if (got > 0) {
              c.in.insert(c.in.end(), buf, buf + got);
              continue;
            }
            if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) closed = true;
            break;
          }
          if (!handle_frames(id)) continue;
          if (closed) {
            close_conn(id, "client closed");
            continue;
          }
        }
        auto again = conns.find(id);
        if (again == conns.end()) continue;
        Conn& cc = again->second;
        while (cc.out_pos < cc.out.size()) {
          const ssize_t put = ::send(cc.fd, cc.out.data() + cc.out_pos, cc.out.size() - cc.out_pos, MSG_NOSIGNAL);
          if (put > 0) {
            cc.out_pos += static_cast<std::size_t>(put);
            continue;
          }
          if (put < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
          close_conn(id, "send failed");
          break;
        }
        auto last = conns.find(id);
        if (last == conns.end()) continue;
        if (last->second.out_pos == last->second.out.size()) {
          last->second.out.clear();
          last->second.out_pos = 0;
          if (last->second.close_after_flush) close_conn(id, "closed after answer");
        }
      }
    }
    std::vector<std::uint64_t> ids;
    for (const auto& [id, c] : conns) ids.push_back(id);
    for (const auto id : ids) close_conn(id, "front end stopped");
  }
};

FrontEnd::FrontEnd(ClusterConfig config) {
  if (const std::string why = check_cluster_config(config); !why.empty()) throw std::invalid_argument(why);
  const int brokers = config.brokers;
  impl_ = std::make_unique<Impl>(std::move(config));
  try {
    for (int b = 0; b < brokers; ++b) {
      int port = 0;
      impl_->listeners.push_back(listen_loopback(port));
      impl_->ports.push_back(port);
      impl_->cluster.set_port(b, port);
    }
    if (::pipe(impl_->wake) != 0) throw std::runtime_error("pipe failed");
    set_nonblocking(impl_->wake[0]);
  } catch (...) {
    for (const int fd : impl_->listeners) ::close(fd);
    throw;
  }
}

FrontEnd::~FrontEnd() {
  stop();
  for (const int fd : impl_->listeners) ::close(fd);
  if (impl_->wake[0] >= 0) ::close(impl_->wake[0]);
  if (impl_->wake[1] >= 0) ::close(impl_->wake[1]);
}

void FrontEnd::start() {
  if (impl_->started) return;
  impl_->started = true;
  impl_->thread = std::thread([this] { impl_->run(); });
}

void FrontEnd::stop() {
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  impl_->stopping.store(true);
  const char c = 'x';
  [[maybe_unused]] const auto w = ::write(impl_->wake[1], &c, 1);
  impl_->thread.join();
}

std::string FrontEnd::bootstrap() const {
  std::string out;
  for (const int p : impl_->ports) {
    if (!out.empty()) out += ',';
    out += "127.0.0.1:";
    out += std::to_string(p);
  }
  return out;
}

const std::vector<int>& FrontEnd::ports() const { return impl_->ports; }
std::int64_t FrontEnd::produce_requests() const { return impl_->produce_count.load(); }
const Cluster& FrontEnd::cluster() const { return impl_->cluster; }

}  // namespace idemcheck::frontend
