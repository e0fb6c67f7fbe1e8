#include "webhook/http_server.h"

#include <sys/socket.h>

#include <atomic>

#include <httplib.h>

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

GatewayHttpServer::GatewayHttpServer(const common::HttpSettings& http, WebhookReceiver& receiver,
                                     common::MetricsRegistry& metrics,
                                     std::vector<std::shared_ptr<ReadinessCheck>> readiness)
    : http_(http),
      receiver_(receiver),
      metrics_(metrics),
      readiness_(std::move(readiness)),
      server_(std::make_unique<httplib::Server>()) {
  TuneHttpServer(*server_, http_.threads);
  // httplib answers 413 from Content-Length before reading a body that is too large.
  server_->set_payload_max_length(static_cast<size_t>(http_.max_body_bytes));
  Routes();
}

GatewayHttpServer::~GatewayHttpServer() = default;

void GatewayHttpServer::Routes() {
  auto reply = [](httplib::Response& res, const HttpReply& r) {
    res.status = r.status;
    res.set_content(r.body, r.content_type.c_str());
  };

  server_->Get(http_.webhook_path, [this, reply](const httplib::Request& req,
                                                 httplib::Response& res) {
    reply(res, receiver_.HandleVerify(req.get_param_value("hub.mode"),
                                      req.get_param_value("hub.verify_token"),
                                      req.get_param_value("hub.challenge")));
  });

  // The signature is checked here, with the whole body: httplib's pre-routing handler runs
  // before the body is read.
  server_->Post(http_.webhook_path, [this, reply](const httplib::Request& req,
                                                  httplib::Response& res) {
    reply(res, receiver_.HandleEvents(req.get_header_value("X-Hub-Signature-256"), req.body));
  });

  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });

  server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    std::string body;
    bool ready = true;
    for (const auto& check : readiness_) {
      auto status = check->Check();
      ready = ready && status.has_value();
      body += check->name() + ": " + (status ? "ok" : status.error().ToString()) + "\n";
    }
    res.status = ready ? 200 : 503;
    res.set_content(body, "text/plain");
  });

  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_.RenderPrometheus(), "text/plain; version=0.0.4");
  });

  server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 413) res.set_content("payload too large\n", "text/plain");
  });
}

Status GatewayHttpServer::Run() {
  common::GetLogger("webhook")->info("gateway listening on {} path={}", http_.listen.ToString(),
                                     http_.webhook_path);
  return ListenAndServe(*server_, http_.listen);
}

void GatewayHttpServer::Stop() { server_->stop(); }

MetricsHttpServer::MetricsHttpServer(common::ListenAddress address, common::MetricsRegistry& metrics)
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
