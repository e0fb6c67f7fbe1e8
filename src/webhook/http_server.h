#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/metrics.h"
#include "common/result.h"
#include "webhook/ports.h"
#include "webhook/receiver.h"

namespace httplib {
class Server;
}

namespace chatshop::webhook {

// cpp-httplib 0.11's defaults cost ~40 ms per keep-alive request here: turn on TCP_NODELAY,
// size the thread pool for the expected number of connections, allow long keep-alive runs.
void TuneHttpServer(httplib::Server& server, int threads);

// Binds `address` and starts serving on the calling thread until Stop(). The listen backlog is
// raised from httplib's compiled-in 5 (which stalls bursts of connects for ~1 s).
// kUnavailable when the address cannot be bound.
[[nodiscard]] Status ListenAndServe(httplib::Server& server, const common::ListenAddress& address);

// The gateway's HTTP front: the webhook (GET handshake, POST events) plus /healthz, /readyz and
// /metrics. Thread-safe.
class GatewayHttpServer {
 public:
  GatewayHttpServer(const common::HttpSettings& http, WebhookReceiver& receiver,
                    common::MetricsRegistry& metrics,
                    std::vector<std::shared_ptr<ReadinessCheck>> readiness);
  ~GatewayHttpServer();

  // Serves on the calling thread until Stop(); kUnavailable when the address cannot be bound.
  [[nodiscard]] Status Run();
  // Makes Run() return. Safe from any thread (not from a signal handler).
  void Stop();

 private:
  void Routes();

  common::HttpSettings http_;
  WebhookReceiver& receiver_;
  common::MetricsRegistry& metrics_;
  std::vector<std::shared_ptr<ReadinessCheck>> readiness_;
  std::unique_ptr<httplib::Server> server_;
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
