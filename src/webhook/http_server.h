#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/config.h"
#include "common/metrics.h"
#include "common/result.h"
#include "webhook/event_server.h"
#include "webhook/ports.h"
#include "webhook/receiver.h"

namespace httplib {
class Server;
}

namespace chatshop::webhook {

// cpp-httplib 0.11's defaults cost ~40 ms per keep-alive request here: turn on TCP_NODELAY,
// size the thread pool for the expected number of connections, allow long keep-alive runs.
// For the internal listeners only (admin, worker metrics, sandbox): the public one is
// EventHttpServer.
void TuneHttpServer(httplib::Server& server, int threads);

// Binds `address` and starts serving on the calling thread until Stop(). The listen backlog is
// raised from httplib's compiled-in 5 (which stalls bursts of connects for ~1 s).
// kUnavailable when the address cannot be bound.
[[nodiscard]] Status ListenAndServe(httplib::Server& server, const common::ListenAddress& address);

// The public front's settings as [http] gives them.
FrontSettings FrontSettingsOf(const common::HttpSettings& http);

// Runs the readiness checks on their own thread every `interval` and keeps the last answer, so
// that a probe never waits for a server that hangs (a database outage must not make every
// /readyz take the driver's connect timeout). A result older than three intervals (a check
// stuck) counts as not ready. Thread-safe.
class CachedReadiness {
 public:
  CachedReadiness(std::vector<std::shared_ptr<ReadinessCheck>> checks,
                  std::chrono::milliseconds interval);
  ~CachedReadiness();

  struct Answer {
    bool ready = false;
    std::string report;  // one line per check: "name: ok" or "name: what is wrong"
  };
  // The last answer; never blocks on a check.
  Answer Current() const;
  // Runs every check now and waits for them (start-up and tests).
  void Refresh();

 private:
  void Loop();

  std::vector<std::shared_ptr<ReadinessCheck>> checks_;
  std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  Answer answer_;
  std::chrono::steady_clock::time_point checked_at_{};
  std::thread thread_;
};

// The gateway's HTTP: the public front (EventHttpServer) with the webhook (GET handshake, POST
// events) and /healthz, and the internal admin listener ([http] admin_listen, loopback by
// default) with /metrics, /readyz and /healthz. Thread-safe.
class GatewayHttpServer {
 public:
  GatewayHttpServer(const common::HttpSettings& http, WebhookReceiver& receiver,
                    common::MetricsRegistry& metrics,
                    std::vector<std::shared_ptr<ReadinessCheck>> readiness);
  ~GatewayHttpServer();

  // Serves both listeners on the calling thread (and one more) until Stop(); kUnavailable when
  // an address cannot be bound.
  [[nodiscard]] Status Run();
  // Makes Run() return. Safe from any thread (not from a signal handler).
  void Stop();

  // The public front's request handler: routes one parsed request.
  HttpReply Route(const HttpRequest& request);

 private:
  common::HttpSettings http_;
  WebhookReceiver& receiver_;
  common::MetricsRegistry& metrics_;
  CachedReadiness readiness_;
  std::unique_ptr<EventHttpServer> front_;
  std::unique_ptr<httplib::Server> admin_;
};

// A worker's /metrics (Prometheus) and /healthz, on their own address. Thread-safe.
class MetricsHttpServer {
 public:
  MetricsHttpServer(common::ListenAddress address, common::MetricsRegistry& metrics);
  ~MetricsHttpServer();
  [[nodiscard]] Status Run();
  void Stop();

 private:
  common::ListenAddress address_;
  std::unique_ptr<httplib::Server> server_;
};

}  // namespace chatshop::webhook
