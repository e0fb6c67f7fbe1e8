#include "webhook/event_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/logging.h"

namespace chatshop::webhook {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kListenId = 0;
constexpr uint64_t kWakeId = 1;
constexpr size_t kReadChunk = 16 * 1024;
// After refusing a request whose body is still arriving, keep reading (and dropping) for a
// moment so that the client sees our answer instead of a reset (RFC 9112 §9.6).
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr auto kSweepEvery = std::chrono::milliseconds(100);
// Replies still being handled when Stop() is called get this long to finish.
constexpr auto kDrainTime = std::chrono::seconds(15);

const char* ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string PeerAddress(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = {0};
  if (addr.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, text, sizeof(text));
  } else if (addr.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr, text, sizeof(text));
  }
  return text;
}

}  // namespace

struct EventHttpServer::Connection {
  enum class Phase { kReading, kHandling, kWriting, kLingering };

  Connection(uint64_t id_, int fd_, std::string peer_, const HttpLimits& limits)
      : id(id_), fd(fd_), peer(std::move(peer_)), parser(limits) {}

  uint64_t id;
  int fd;
  std::string peer;
  HttpRequestParser parser;
  Phase phase = Phase::kReading;
  std::string pending;  // read but not yet parsed: the start of a pipelined next request
  std::string out;
  size_t out_sent = 0;
  bool close_after_write = false;
  bool linger_after_write = false;
  bool continue_sent = false;
  bool keep_alive = true;
  bool head_request = false;  // HEAD: the answer has no body (RFC 9110 §9.3.2)
  bool closed = false;
  bool registered = false;  // in the epoll set (not while a handler has the request)
  uint32_t watched = 0;
  int requests_served = 0;
  size_t body_reserved = 0;
  Clock::time_point request_started = Clock::now();
  Clock::time_point idle_since = Clock::now();
  Clock::time_point write_started;
  Clock::time_point linger_until;
};

EventHttpServer::EventHttpServer(FrontSettings settings, RequestHandler handler,
                                 common::MetricsRegistry& metrics)
    : settings_(std::move(settings)),
      handler_(std::move(handler)),
      open_connections_(metrics.GetGauge("chatshop_http_connections", "Open client connections")),
      refused_total_(metrics.GetCounter("chatshop_http_connections_refused_total",
                                        "Connections refused at accept",
                                        {{"reason", "max_connections"}})),
      refused_per_address_(metrics.GetCounter("chatshop_http_connections_refused_total",
                                              "Connections refused at accept",
                                              {{"reason", "per_address"}})),
      timeouts_(metrics.GetCounter("chatshop_http_request_timeouts_total",
                                   "Requests not complete within [http] request_timeout_ms")),
      rejected_(metrics.GetCounter("chatshop_http_rejected_total",
                                   "Requests refused before reaching a handler (4xx/5xx framing)")),
      metrics_(metrics) {}

EventHttpServer::~EventHttpServer() {
  Stop();
  for (int fd : {epoll_fd_, listen_fd_, wake_fd_}) {
    if (fd >= 0) ::close(fd);
  }
}

void EventHttpServer::Stop() {
  stopping_ = true;
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof(one));
  }
}

// Run = listen, then the event loop on this thread with the handler pool beside it, then a
// drain; each step is its own function below.
Status EventHttpServer::Run() {
  if (auto listening = Listen(); !listening) return listening;
  if (auto polling = WatchListenerAndWakeup(); !polling) return polling;
  if (stopping_) return Ok();  // Stop() before the wake fd existed
  for (int i = 0; i < std::max(1, settings_.handler_threads); ++i) {
    pool_.emplace_back([this] { HandlerLoop(); });
  }
  EventLoop();
  StopHandlersAndClose();
  return Ok();
}

Status EventHttpServer::Listen() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(settings_.listen.port);
  const char* host = settings_.listen.host.empty() ? nullptr : settings_.listen.host.c_str();
  if (getaddrinfo(host, port.c_str(), &hints, &found) != 0 || found == nullptr) {
    return MakeError(ErrorCode::kUnavailable, "cannot resolve " + settings_.listen.ToString());
  }
  listen_fd_ = ::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int yes = 1;
  if (listen_fd_ >= 0) setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  const bool bound = listen_fd_ >= 0 &&
                     ::bind(listen_fd_, found->ai_addr, found->ai_addrlen) == 0 &&
                     ::listen(listen_fd_, 1024) == 0;
  freeaddrinfo(found);
  if (!bound) {
    return MakeError(ErrorCode::kUnavailable, "cannot listen on " + settings_.listen.ToString() +
                                                  ": " + std::strerror(errno));
  }
  sockaddr_storage local{};
  socklen_t local_len = sizeof(local);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&local), &local_len);
  bound_port_ = ntohs(local.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(local).sin6_port
                                                  : reinterpret_cast<sockaddr_in&>(local).sin_port);
  return Ok();
}

Status EventHttpServer::WatchListenerAndWakeup() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    return MakeError(ErrorCode::kUnavailable, std::string("epoll: ") + std::strerror(errno));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenId;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  ev.data.u64 = kWakeId;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  return Ok();
}

// Until Stop(): accept, read, hand complete requests to the pool, write answers, sweep
// deadlines. After Stop(): no more accepts; requests in handlers are answered, up to kDrainTime.
void EventHttpServer::EventLoop() {
  auto log = common::GetLogger("http");
  next_id_ = 2;
  bool listening = true;
  auto last_sweep = Clock::now();
  auto drain_deadline = Clock::time_point::max();
  std::vector<epoll_event> events(512);
  while (true) {
    if (stopping_ && listening) {
      // Stop accepting; answer what handlers are working on, then leave.
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
      ::close(listen_fd_);
      listen_fd_ = -1;
      listening = false;
      drain_deadline = Clock::now() + kDrainTime;
    }
    if (!listening) {
      bool handling = false;
      for (auto& [id, c] : connections_) {
        if (!c->closed &&
            (c->phase == Connection::Phase::kHandling || c->phase == Connection::Phase::kWriting)) {
          handling = true;
        }
      }
      if (!handling || Clock::now() > drain_deadline) break;
    }
    int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 100);
    if (n < 0 && errno != EINTR) {
      log->error("epoll_wait failed: {}", std::strerror(errno));
      break;
    }
    for (int i = 0; i < n; ++i) {
      const uint64_t id = events[i].data.u64;
      if (id == kListenId) {
        if (listening) Accept();
        continue;
      }
      if (id == kWakeId) {
        DeliverCompleted();
        continue;
      }
      auto it = connections_.find(id);
      if (it == connections_.end()) continue;
      Connection& c = *it->second;
      const uint32_t what = events[i].events;
      if (what & EPOLLIN) OnReadable(c);
      if ((what & EPOLLOUT) && !c.closed) OnWritable(c);
      if ((what & (EPOLLERR | EPOLLHUP)) && !c.closed && !(what & EPOLLIN)) Close(c);
    }
    for (uint64_t id : closed_) connections_.erase(id);
    closed_.clear();
    if (Clock::now() - last_sweep >= kSweepEvery) {
      SweepDeadlines();
      last_sweep = Clock::now();
    }
  }
}

void EventHttpServer::StopHandlersAndClose() {
  {
    std::lock_guard lock(mutex_);
    pool_stopping_ = true;
  }
  work_ready_.notify_all();
  for (auto& t : pool_) t.join();
  pool_.clear();
  for (auto& [id, c] : connections_) Close(*c);
  connections_.clear();
}

void EventHttpServer::Accept() {
  while (true) {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    int fd =
        accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) {
        // Out of descriptors: the pending connection stays in the backlog and the listening
        // socket stays readable; the next sweep looks again instead of spinning here.
        common::GetLogger("http")->warn("out of file descriptors; not accepting for now");
        epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
        accept_paused_ = true;
      }
      return;
    }
    std::string peer = PeerAddress(addr);
    if (static_cast<int>(connections_.size()) >= settings_.max_connections) {
      refused_total_.Increment();
      ::close(fd);
      continue;
    }
    int& from_peer = per_address_[peer];
    if (from_peer >= settings_.max_connections_per_address) {
      refused_per_address_.Increment();
      static const char kBusy[] =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      [[maybe_unused]] auto sent = ::send(fd, kBusy, sizeof(kBusy) - 1, MSG_NOSIGNAL);
      ::close(fd);
      continue;
    }
    ++from_peer;
    int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    const uint64_t id = next_id_++;
    auto c = std::make_unique<Connection>(id, fd, std::move(peer), settings_.limits);
    Connection& ref = *c;
    connections_.emplace(id, std::move(c));
    open_connections_.Add(1);
    Watch(ref, EPOLLIN);
  }
}

void EventHttpServer::Watch(Connection& c, uint32_t events) {
  if (c.closed) return;
  if (c.registered && c.watched == events) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = c.id;
  if (epoll_ctl(epoll_fd_, c.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c.fd, &ev) != 0) {
    Close(c);
    return;
  }
  c.registered = true;
  c.watched = events;
}

void EventHttpServer::OnReadable(Connection& c) {
  char buffer[kReadChunk];
  if (c.phase == Connection::Phase::kLingering) {
    // Drop whatever the refused client still sends until it closes or the linger time ends.
    while (true) {
      ssize_t n = ::read(c.fd, buffer, sizeof(buffer));
      if (n > 0) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      Close(c);
      return;
    }
  }
  if (c.phase != Connection::Phase::kReading) return;
  ssize_t n = ::read(c.fd, buffer, sizeof(buffer));
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    Close(c);  // the client went away (mid-request or idle): nothing to answer
    return;
  }
  if (n < 0) return;
  c.pending.append(buffer, static_cast<size_t>(n));
  ProcessInput(c);
}

void EventHttpServer::ProcessInput(Connection& c) {
  while (!c.closed && c.phase == Connection::Phase::kReading && !c.pending.empty()) {
    const bool was_started = c.parser.started();
    const size_t used = c.parser.Feed(c.pending);
    c.pending.erase(0, used);
    if (!was_started && c.parser.started()) c.request_started = Clock::now();
    if (c.parser.failed()) {
      RespondError(c, c.parser.failure().status, c.parser.failure().reason);
      return;
    }
    if (c.parser.head_complete()) {
      // Count the body against the budget of all connections before keeping more of it.
      const size_t held =
          std::max<size_t>(c.parser.content_length(), c.parser.request().body.size());
      if (held > c.body_reserved && !ReserveBody(c, held - c.body_reserved)) {
        RespondError(c, 503, "server busy, retry later");
        return;
      }
      if (c.parser.request().expect_continue && !c.continue_sent && !c.parser.complete()) {
        c.continue_sent = true;
        static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
        // The previous response was written completely, so the socket buffer has room.
        if (::send(c.fd, kContinue, sizeof(kContinue) - 1, MSG_NOSIGNAL) !=
            static_cast<ssize_t>(sizeof(kContinue) - 1)) {
          Close(c);
          return;
        }
      }
    }
    if (c.parser.complete()) {
      Dispatch(c);
      return;
    }
    if (used == 0) return;
  }
}

bool EventHttpServer::ReserveBody(Connection& c, size_t bytes) {
  if (buffered_body_bytes_ + bytes > settings_.max_buffered_body_bytes) return false;
  buffered_body_bytes_ += bytes;
  c.body_reserved += bytes;
  return true;
}

void EventHttpServer::ReleaseBody(Connection& c) {
  buffered_body_bytes_ -= c.body_reserved;
  c.body_reserved = 0;
}

void EventHttpServer::Dispatch(Connection& c) {
  c.phase = Connection::Phase::kHandling;
  // The handler owns the request now; stop watching the socket (a hang-up would otherwise be
  // reported again and again) until the reply comes back.
  if (c.registered) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
    c.registered = false;
  }
  auto request = std::make_shared<HttpRequest>(std::move(c.parser.request()));
  request->peer = c.peer;
  c.keep_alive = request->keep_alive;
  c.head_request = request->method == "HEAD";
  {
    std::lock_guard lock(mutex_);
    work_.emplace_back(c.id, std::move(request));
  }
  work_ready_.notify_one();
}

void EventHttpServer::HandlerLoop() {
  auto log = common::GetLogger("http");
  while (true) {
    std::pair<uint64_t, std::shared_ptr<HttpRequest>> job;
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [this] { return pool_stopping_ || !work_.empty(); });
      if (work_.empty()) return;
      job = std::move(work_.front());
      work_.pop_front();
    }
    HttpReply reply;
    try {
      reply = handler_(*job.second);
    } catch (const std::exception& e) {
      log->error("request handler failed: {}", e.what());
      reply = {500, "internal error\n", "text/plain"};
    }
    job.second.reset();  // free the body before the reply travels back
    {
      std::lock_guard lock(mutex_);
      completed_.push_back({job.first, std::move(reply)});
    }
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof(one));
  }
}

void EventHttpServer::DeliverCompleted() {
  uint64_t count = 0;
  [[maybe_unused]] auto n = ::read(wake_fd_, &count, sizeof(count));
  std::vector<Completed> done;
  {
    std::lock_guard lock(mutex_);
    done.swap(completed_);
  }
  for (auto& item : done) {
    auto it = connections_.find(item.connection_id);
    if (it == connections_.end() || it->second->closed) continue;
    Connection& c = *it->second;
    ReleaseBody(c);
    Respond(c, item.reply, !c.keep_alive || stopping_);
  }
}

void EventHttpServer::Respond(Connection& c, const HttpReply& reply, bool close) {
  if (c.closed) return;
  std::string head = "HTTP/1.1 " + std::to_string(reply.status) + " " + ReasonPhrase(reply.status) +
                     "\r\nContent-Type: " + reply.content_type +
                     "\r\nContent-Length: " + std::to_string(reply.body.size()) + "\r\n";
  if (close) head += "Connection: close\r\n";
  head += "\r\n";
  c.out = std::move(head);
  if (!c.head_request) c.out += reply.body;
  c.head_request = false;
  c.out_sent = 0;
  c.close_after_write = close;
  c.phase = Connection::Phase::kWriting;
  c.write_started = Clock::now();
  FlushOutput(c);
}

void EventHttpServer::RespondError(Connection& c, int status, const std::string& reason) {
  rejected_.Increment();
  metrics_
      .GetCounter("chatshop_http_rejected_by_status_total", "Requests refused by the front",
                  {{"status", std::to_string(status)}})
      .Increment();
  ReleaseBody(c);
  c.linger_after_write = true;  // the client may still be sending what we refused
  Respond(c, {status, reason + "\n", "text/plain"}, /*close=*/true);
}

void EventHttpServer::OnWritable(Connection& c) {
  if (c.phase == Connection::Phase::kWriting) FlushOutput(c);
}

void EventHttpServer::FlushOutput(Connection& c) {
  while (c.out_sent < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent, MSG_NOSIGNAL);
    if (n > 0) {
      c.out_sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      Watch(c, EPOLLOUT);
      return;
    }
    Close(c);
    return;
  }
  c.out.clear();
  c.out.shrink_to_fit();
  c.out_sent = 0;
  AfterResponse(c);
}

void EventHttpServer::AfterResponse(Connection& c) {
  if (c.closed) return;
  if (c.close_after_write) {
    if (!c.linger_after_write) {
      Close(c);
      return;
    }
    ::shutdown(c.fd, SHUT_WR);
    c.phase = Connection::Phase::kLingering;
    c.linger_until = Clock::now() + kLingerTime;
    c.pending.clear();
    Watch(c, EPOLLIN);
    return;
  }
  ++c.requests_served;
  c.parser.Reset();
  c.continue_sent = false;
  c.phase = Connection::Phase::kReading;
  c.idle_since = Clock::now();
  Watch(c, EPOLLIN);
  if (!c.pending.empty()) {
    c.request_started = Clock::now();
    ProcessInput(c);
  }
}

void EventHttpServer::Close(Connection& c) {
  if (c.closed) return;
  c.closed = true;
  closed_.push_back(c.id);  // freed after this pass of the event loop: callers may still hold c
  if (c.registered) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
  ::close(c.fd);
  ReleaseBody(c);
  if (auto it = per_address_.find(c.peer); it != per_address_.end() && --it->second <= 0) {
    per_address_.erase(it);
  }
  open_connections_.Add(-1);
}

void EventHttpServer::SweepDeadlines() {
  const auto now = Clock::now();
  if (accept_paused_ && listen_fd_ >= 0) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kListenId;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev) == 0) accept_paused_ = false;
  }
  for (auto& [id, ptr] : connections_) {
    Connection& c = *ptr;
    if (c.closed) continue;
    switch (c.phase) {
      case Connection::Phase::kReading: {
        // A request (or a new connection's first one) must arrive whole in request_timeout:
        // trickling a byte at a time does not extend it. Between requests, idle_timeout.
        const bool waiting_first = c.requests_served == 0 && !c.parser.started();
        if (c.parser.started() || waiting_first) {
          const auto since = c.parser.started() ? c.request_started : c.idle_since;
          if (now - since > settings_.request_timeout) {
            timeouts_.Increment();
            if (c.parser.started()) {
              RespondError(c, 408, "request not received in time");
            } else {
              Close(c);
            }
          }
        } else if (now - c.idle_since > settings_.idle_timeout) {
          Close(c);
        }
        break;
      }
      case Connection::Phase::kWriting:
        if (now - c.write_started > settings_.write_timeout) Close(c);
        break;
      case Connection::Phase::kLingering:
        if (now > c.linger_until) Close(c);
        break;
      case Connection::Phase::kHandling:
        break;  // the handler has its own deadline (the broker's confirm)
    }
  }
}

}  // namespace chatshop::webhook
