#include "webhook/http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>

#include "common/logging.h"

namespace chatshop::webhook {

void TuneHttpServer(httplib::Server& server, int threads) {
  server.set_tcp_nodelay(true);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_keep_alive_max_count(100000);
  // An idle keep-alive connection holds a pool thread, and stop() waits for it: keep the idle
  // timeout short so that shutdown drains within seconds.
  server.set_keep_alive_timeout(5);
  server.set_read_timeout(10);
  server.set_write_timeout(10);
  // Internal listeners take no bodies; the error handler's 413 covers Content-Length, and a
  // small cap bounds what a chunked body could make httplib hold.
  server.set_payload_max_length(64 * 1024);
}

Status ListenAndServe(httplib::Server& server, const common::ListenAddress& address) {
  // Debian ships httplib as a shared library with a backlog of 5 compiled in. The socket-options
  // hook hands us the listening socket before bind; calling listen() again after bind only
  // updates the backlog (Linux), so do that once httplib has listened.
  auto listening_socket = std::make_shared<std::atomic<int>>(-1);
  server.set_socket_options([listening_socket](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listening_socket->store(sock);
  });
  if (!server.bind_to_port(address.host, address.port)) {
    return MakeError(ErrorCode::kUnavailable, "cannot listen on " + address.ToString());
  }
  if (int sock = listening_socket->load(); sock >= 0) ::listen(sock, 1024);
  if (!server.listen_after_bind()) {
    return MakeError(ErrorCode::kUnavailable, "server on " + address.ToString() + " failed");
  }
  return Ok();
}

FrontSettings FrontSettingsOf(const common::HttpSettings& http) {
  FrontSettings s;
  s.listen = http.listen;
  s.limits.max_body_bytes = static_cast<size_t>(http.max_body_bytes);
  s.limits.max_header_line_bytes = static_cast<size_t>(http.max_header_line_bytes);
  s.limits.max_request_line_bytes = static_cast<size_t>(http.max_header_line_bytes);
  s.limits.max_header_count = static_cast<size_t>(http.max_header_count);
  s.limits.max_header_bytes = static_cast<size_t>(http.max_header_bytes);
  s.handler_threads = http.threads;
  s.request_timeout = std::chrono::milliseconds(http.request_timeout_ms);
  s.idle_timeout = std::chrono::milliseconds(http.idle_timeout_ms);
  s.write_timeout = std::chrono::milliseconds(http.request_timeout_ms);
  s.max_connections = http.max_connections;
  s.max_connections_per_address = http.max_connections_per_address;
  s.max_buffered_body_bytes = static_cast<size_t>(http.max_buffered_body_bytes);
  return s;
}

// ---------------------------------------------------------------------------------------------

CachedReadiness::CachedReadiness(std::vector<std::shared_ptr<ReadinessCheck>> checks,
                                 std::chrono::milliseconds interval)
    : checks_(std::move(checks)), interval_(interval) {
  answer_ = {false, "not checked yet\n"};
  thread_ = std::thread([this] { Loop(); });
}

CachedReadiness::~CachedReadiness() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

CachedReadiness::Answer CachedReadiness::Current() const {
  std::lock_guard lock(mutex_);
  Answer answer = answer_;
  if (checked_at_ != std::chrono::steady_clock::time_point{} &&
      std::chrono::steady_clock::now() - checked_at_ > 3 * interval_) {
    answer.ready = false;
    answer.report += "checks: stuck (last result is stale)\n";
  }
  return answer;
}

void CachedReadiness::Refresh() {
  Answer fresh{true, ""};
  for (const auto& check : checks_) {
    auto status = check->Check();
    fresh.ready = fresh.ready && status.has_value();
    fresh.report += check->name() + ": " + (status ? "ok" : status.error().ToString()) + "\n";
  }
  std::lock_guard lock(mutex_);
  answer_ = std::move(fresh);
  checked_at_ = std::chrono::steady_clock::now();
}

void CachedReadiness::Loop() {
  while (true) {
    Refresh();
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) return;
  }
}

// ---------------------------------------------------------------------------------------------

GatewayHttpServer::GatewayHttpServer(const common::HttpSettings& http, WebhookReceiver& receiver,
                                     common::MetricsRegistry& metrics,
                                     std::vector<std::shared_ptr<ReadinessCheck>> readiness)
    : http_(http),
      receiver_(receiver),
      metrics_(metrics),
      readiness_(std::move(readiness), std::chrono::milliseconds(http.readiness_interval_ms)),
      front_(std::make_unique<EventHttpServer>(
          FrontSettingsOf(http), [this](const HttpRequest& r) { return Route(r); }, metrics)),
      admin_(std::make_unique<httplib::Server>()) {
  TuneHttpServer(*admin_, 4);
  admin_->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    auto answer = readiness_.Current();
    res.status = answer.ready ? 200 : 503;
    res.set_content(answer.report, "text/plain");
  });
  admin_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_.RenderPrometheus(), "text/plain; version=0.0.4");
  });
  admin_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
}

GatewayHttpServer::~GatewayHttpServer() = default;

HttpReply GatewayHttpServer::Route(const HttpRequest& request) {
  const bool head = request.method == "HEAD";
  if (request.path == http_.webhook_path) {
    if (request.method == "GET") {
      return receiver_.HandleVerify(request.QueryParam("hub.mode"),
                                    request.QueryParam("hub.verify_token"),
                                    request.QueryParam("hub.challenge"));
    }
    if (request.method == "POST") {
      return receiver_.HandleEvents(request.Header("x-hub-signature-256"), request.body);
    }
    return {405, "method not allowed\n", "text/plain"};
  }
  if (request.path == "/healthz") {
    if (request.method == "GET" || head) return {200, head ? "" : "ok\n", "text/plain"};
    return {405, "method not allowed\n", "text/plain"};
  }
  return {404, "not found\n", "text/plain"};
}

Status GatewayHttpServer::Run() {
  auto log = common::GetLogger("webhook");
  log->info("gateway listening on {} path={}, admin on {}", http_.listen.ToString(),
            http_.webhook_path, http_.admin_listen.ToString());
  Status admin_status = Ok();
  std::atomic<bool> admin_done{false};
  std::thread admin([this, &admin_status, &admin_done] {
    admin_status = ListenAndServe(*admin_, http_.admin_listen);
    admin_done = true;
    front_->Stop();  // the admin listener failed to bind, or was stopped: the front goes too
  });
  // The admin listener is up before the front is: a probe asks it first.
  while (!admin_->is_running() && !admin_done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Status front_status = front_->Run();
  admin_->stop();
  admin.join();
  if (!admin_status) return admin_status;
  return front_status;
}

void GatewayHttpServer::Stop() { front_->Stop(); }

MetricsHttpServer::MetricsHttpServer(common::ListenAddress address,
                                     common::MetricsRegistry& metrics)
    : address_(std::move(address)), server_(std::make_unique<httplib::Server>()) {
  TuneHttpServer(*server_, 4);
  server_->Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics.RenderPrometheus(), "text/plain; version=0.0.4");
  });
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
}

MetricsHttpServer::~MetricsHttpServer() = default;

Status MetricsHttpServer::Run() { return ListenAndServe(*server_, address_); }

void MetricsHttpServer::Stop() { server_->stop(); }

}  // namespace chatshop::webhook
