#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/config.h"
#include "common/metrics.h"
#include "common/result.h"
#include "webhook/http_request_parser.h"
#include "webhook/receiver.h"

namespace chatshop::webhook {

// How the public front treats connections. Every figure bounds what one client can hold.
struct FrontSettings {
  common::ListenAddress listen;
  HttpLimits limits;
  int handler_threads = 64;  // requests handled at once (a webhook POST waits for the broker)
  std::chrono::milliseconds request_timeout{10000};  // first byte of a request → last byte
  std::chrono::milliseconds idle_timeout{60000};     // keep-alive connection with no request
  std::chrono::milliseconds write_timeout{10000};    // a response not taken by the client
  int max_connections = 10000;
  int max_connections_per_address = 256;
  size_t max_buffered_body_bytes = 64 * 1024 * 1024;  // bodies held at once, all connections
};

// Handles one complete request; called on a handler thread, may block (the webhook waits for
// the broker's confirm). Must be thread-safe.
using RequestHandler = std::function<HttpReply(const HttpRequest&)>;

// The public HTTP/1.1 listener: one epoll thread owns every socket, so a slow or idle client
// costs a file descriptor and a few hundred bytes, never a thread; complete requests go to a
// pool of handler threads and their replies come back to the event thread. Every limit is
// enforced before bytes are kept (HttpRequestParser), every connection has deadlines (whole
// request, idle keep-alive, write), and connections are capped in all and per address.
// Thread-safe: Run() on one thread, Stop() from any.
class EventHttpServer {
 public:
  EventHttpServer(FrontSettings settings, RequestHandler handler, common::MetricsRegistry& metrics);
  ~EventHttpServer();

  // Binds and serves on the calling thread until Stop(); kUnavailable when the address cannot
  // be bound or the event loop cannot be set up.
  [[nodiscard]] Status Run();
  // Makes Run() return once the requests being handled are answered. Safe from any thread.
  void Stop();
  // The bound port once Run() is serving (useful with port 0); 0 before.
  int port() const { return bound_port_.load(); }

 private:
  struct Connection;
  struct Completed {
    uint64_t connection_id;
    HttpReply reply;
  };

  [[nodiscard]] Status Listen();  // binds settings_.listen; records bound_port_
  [[nodiscard]] Status WatchListenerAndWakeup();
  void EventLoop();
  void StopHandlersAndClose();
  void Accept();
  void OnReadable(Connection& c);
  void OnWritable(Connection& c);
  void ProcessInput(Connection& c);
  void Dispatch(Connection& c);
  void Respond(Connection& c, const HttpReply& reply, bool close);
  void RespondError(Connection& c, int status, const std::string& reason);
  void FlushOutput(Connection& c);
  void AfterResponse(Connection& c);
  void Close(Connection& c);
  void Watch(Connection& c, uint32_t events);
  void SweepDeadlines();
  void DeliverCompleted();
  void HandlerLoop();
  bool ReserveBody(Connection& c, size_t bytes);
  void ReleaseBody(Connection& c);

  FrontSettings settings_;
  RequestHandler handler_;
  std::atomic<int> bound_port_{0};
  std::atomic<bool> stopping_{false};
  int epoll_fd_ = -1;
  int listen_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: replies ready, or stop

  // Event-thread state.
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections_;
  std::unordered_map<std::string, int> per_address_;
  std::vector<uint64_t> closed_;  // closed during this pass, erased at its end
  size_t buffered_body_bytes_ = 0;
  bool accept_paused_ = false;  // out of file descriptors: the listener rests until a sweep

  // Handler pool.
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<std::pair<uint64_t, std::shared_ptr<HttpRequest>>> work_;
  std::vector<Completed> completed_;
  bool pool_stopping_ = false;
  std::vector<std::thread> pool_;

  common::Gauge& open_connections_;
  common::Counter& refused_total_;
  common::Counter& refused_per_address_;
  common::Counter& timeouts_;
  common::Counter& rejected_;
  common::MetricsRegistry& metrics_;
};

}  // namespace chatshop::webhook
