// The gateway's public front against hostile HTTP: framing it refuses before keeping a byte,
// bodies it never lets grow the process, deadlines, connection caps, slow clients that must not
// starve Meta — each with "nothing lost": a signed webhook sent after the abuse is still queued.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "support/deployment.h"
#include "support/fixtures.h"
#include "support/stack.h"
#include "support/tcp_proxy.h"
#include "webhook/signature.h"

namespace chatshop {
namespace {

using namespace std::chrono_literals;
using testing::HttpOk;
using testing::WaitFor;

// A TCP client for requests no HTTP library would send, optionally from another loopback
// address (127.0.0.0/8 all reach lo), so per-address caps can be exercised.
class RawClient {
 public:
  explicit RawClient(int port, const std::string& from = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, from.c_str(), &local.sin_addr);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  // False once the server stopped taking bytes (closed or reset).
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Whatever arrives until the server closes the connection or `timeout` passes.
  std::string ReadUntilClosed(std::chrono::milliseconds timeout = 10s) {
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buffer[8192];
      ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      got.append(buffer, static_cast<size_t>(n));
    }
    return got;
  }

  // One response: its head and a Content-Length body.
  std::string ReadResponse(std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      size_t head_end = buffer_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        size_t length = 0;
        size_t cl = buffer_.find("Content-Length: ");
        if (cl != std::string::npos && cl < head_end) length = std::stoul(buffer_.substr(cl + 16));
        if (buffer_.size() >= head_end + 4 + length) {
          std::string response = buffer_.substr(0, head_end + 4 + length);
          buffer_.erase(0, head_end + 4 + length);
          return response;
        }
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char chunk[8192];
      ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
    return std::exchange(buffer_, "");
  }

  bool closed() const { return closed_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string buffer_;
};

// The status code of a raw response ("HTTP/1.1 413 …" → 413), 0 when there is none.
int StatusOf(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

// Resident memory of process `pid`, in bytes.
size_t ResidentBytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6)) * 1024;
  }
  return 0;
}

// The webhook fixture with its wamid replaced, so each body is a message of its own.
std::string TextWebhook(const std::string& wamid) {
  std::string body = testing::ReadWebhookFixture("01_text_order.json");
  const std::string original =
      "wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhggQjFFMEZFMUNFMTc5OUJBRDU5MTk3NzQzRDlCQUNENDkA";
  body.replace(body.find(original), original.size(), wamid);
  return body;
}

void RaiseOwnFileLimit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

class FrontDoorTest : public ::testing::Test {
 protected:
  // Starts the gateway with [http] overrides given as CHATSHOP_HTTP_<KEY>=value.
  void StartGateway(std::vector<std::string> env = {}) {
    // A small ASan quarantine, so that freed memory is given back as it would be in production
    // and the resident-size checks measure what the gateway holds, not the sanitizer.
    env.push_back("ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=4:malloc_context_size=5");
    deployment_.StartAs("gateway", "gateway", {}, env);
    ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment_.admin_port(), "/readyz"); }));
    gateway_pid_ = deployment_.Pid("gateway");
  }

  int PostSigned(const std::string& body) {
    httplib::Client client("127.0.0.1", deployment_.gateway_port());
    client.set_read_timeout(30);
    auto res = client.Post(
        "/webhook", {{"X-Hub-Signature-256", webhook::SignatureHeader(testing::kAppSecret, body)}},
        body, "application/json");
    return res ? res->status : 0;
  }

  // The signed webhook with wamid `id` is answered 200 and lands in the inbound queue.
  void ExpectNothingLost(const std::string& id) {
    ASSERT_EQ(PostSigned(TextWebhook(id)), 200);
    auto queued = deployment_.TakeInbound();
    EXPECT_TRUE(std::any_of(queued.begin(), queued.end(), [&](const auto& d) {
      return d.body.find(id) != std::string::npos;
    })) << "the valid webhook sent after the abuse was not queued";
  }

  size_t ResidentLimit() const {
    // Plain build: the gateway's whole resident size stays under 64 MB. Under ASan the runtime
    // itself takes tens of MB (shadow memory), so the growth over the start is what is bounded.
    return kSanitized ? baseline_rss_ + 64 * 1024 * 1024 : 64 * 1024 * 1024;
  }

  testing::Deployment deployment_;
  pid_t gateway_pid_ = 0;
  size_t baseline_rss_ = 0;
};

TEST_F(FrontDoorTest, FramingIsDecidedBeforeABodyByteIsKeptOnEveryPath) {
  StartGateway({"CHATSHOP_HTTP_MAX_HEADER_COUNT=20"});
  struct Case {
    std::string name;
    std::string request;
    int status;
  };
  std::vector<Case> cases;
  const std::string big_length = "Content-Length: 3145729\r\n\r\n";
  for (std::string path : {"/webhook", "/healthz", "/no-such-path"}) {
    const std::string post = "POST " + path + " HTTP/1.1\r\nHost: x\r\n";
    cases.push_back({path + " over max_body_bytes by Content-Length", post + big_length, 413});
    cases.push_back({path + " without a length", post + "\r\n", 411});
    cases.push_back(
        {path + " gzip", post + "Content-Encoding: gzip\r\nContent-Length: 10\r\n\r\n", 415});
    cases.push_back({path + " brotli chunked",
                     post + "Content-Encoding: br\r\nTransfer-Encoding: chunked\r\n\r\n", 415});
    cases.push_back(
        {path + " deflate", post + "Content-Encoding: deflate\r\nContent-Length: 1\r\n\r\n", 415});
    cases.push_back({path + " smuggling (CL and TE)",
                     post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400});
    cases.push_back({path + " unknown transfer coding",
                     post + "Transfer-Encoding: gzip, chunked\r\n\r\n", 501});
    cases.push_back({path + " two different lengths",
                     post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", 400});
  }
  const std::string get = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  cases.push_back(
      {"header line too long", get + "X-A: " + std::string(9000, 'a') + "\r\n\r\n", 431});
  std::string many = get;
  for (int i = 0; i < 30; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  cases.push_back({"too many headers", many + "\r\n", 431});
  std::string bulky = get;
  for (int i = 0; i < 19; ++i)
    bulky += "X-" + std::to_string(i) + ": " + std::string(4000, 'v') + "\r\n";
  cases.push_back({"header block too large", bulky + "\r\n", 431});
  cases.push_back(
      {"request line too long", "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n", 414});
  cases.push_back({"folded header", get + "X-A: a\r\n b\r\n\r\n", 400});
  cases.push_back({"no Host", "GET /healthz HTTP/1.1\r\n\r\n", 400});
  cases.push_back({"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505});
  cases.push_back({"absolute target", "GET http://evil.example/ HTTP/1.1\r\nHost: x\r\n\r\n", 400});
  cases.push_back({"binary garbage",
                   std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n",
                   400});
  cases.push_back({"NUL in a header", get + std::string("X-A: a\0b\r\n\r\n", 11), 400});
  cases.push_back({"bad chunk size",
                   "POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                   400});
  cases.push_back(
      {"unsupported expectation",
       "POST /webhook HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\n", 417});
  cases.push_back({"unsigned webhook",
                   "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", 401});
  cases.push_back({"metrics are not public", "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 404});
  cases.push_back({"readiness is not public", "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n", 404});
  cases.push_back({"DELETE on the webhook", "DELETE /webhook HTTP/1.1\r\nHost: x\r\n\r\n", 405});
  ASSERT_GE(cases.size(), 35u);

  for (const auto& c : cases) {
    RawClient client(deployment_.gateway_port());
    ASSERT_TRUE(client.connected()) << c.name;
    client.Send(c.request);
    const std::string response = client.ReadResponse();
    EXPECT_EQ(StatusOf(response), c.status) << c.name << ": " << response.substr(0, 80);
  }
  // 413 by Content-Length comes before the body: the client has not sent a byte of it.
  RawClient expect(deployment_.gateway_port());
  expect.Send("POST /webhook HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n" + big_length);
  EXPECT_EQ(StatusOf(expect.ReadResponse()), 413);
  // Within the limit, Expect: 100-continue is honoured.
  RawClient proceed(deployment_.gateway_port());
  proceed.Send(
      "POST /webhook HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  EXPECT_EQ(StatusOf(proceed.ReadResponse()), 100);
  proceed.Send("{}");
  EXPECT_EQ(StatusOf(proceed.ReadResponse()), 401);

  ExpectNothingLost("wamid.after-framing-campaign");
}

TEST_F(FrontDoorTest, HugeChunkedAndCompressedBodiesNeverGrowTheGateway) {
  StartGateway();
  baseline_rss_ = ResidentBytes(gateway_pid_);
  ASSERT_GT(baseline_rss_, 0u);

  // 300 MB chunked: refused (413) as soon as it passes 3 MiB; we stop sending once answered.
  RawClient chunked(deployment_.gateway_port());
  chunked.Send("POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  const std::string chunk = "10000\r\n" + std::string(0x10000, 'a') + "\r\n";
  size_t sent = 0;
  size_t peak = 0;
  while (sent < 300u * 1024 * 1024 && chunked.Send(chunk)) {
    sent += 0x10000;
    if (sent % (4 * 1024 * 1024) == 0) peak = std::max(peak, ResidentBytes(gateway_pid_));
    if (sent > 8u * 1024 * 1024) break;  // well past the limit: the answer is already there
  }
  const std::string answer = chunked.ReadResponse();
  EXPECT_EQ(StatusOf(answer), 413) << answer.substr(0, 80);
  EXPECT_LE(peak, ResidentLimit());

  // Compressed bodies are refused before anything is read, let alone inflated: a 3 MB gzip
  // bomb (~3 GB inflated) and brotli alike.
  std::mt19937 random(7);
  std::string compressed(3 * 1024 * 1024 - 100, '\0');
  for (auto& c : compressed) c = static_cast<char>(random());
  for (const char* encoding : {"gzip", "br", "deflate"}) {
    std::vector<std::unique_ptr<RawClient>> parallel;
    for (int i = 0; i < 4; ++i) {
      parallel.push_back(std::make_unique<RawClient>(deployment_.gateway_port()));
      parallel.back()->Send(
          "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Encoding: " + std::string(encoding) +
          "\r\nContent-Length: " + std::to_string(compressed.size()) + "\r\n\r\n");
    }
    for (auto& client : parallel) {
      client->Send(compressed);  // may stop early: the server answered and closed
      EXPECT_EQ(StatusOf(client->ReadResponse()), 415) << encoding;
    }
    peak = std::max(peak, ResidentBytes(gateway_pid_));
  }
  // Bodies with no length at all: 411, unread.
  for (int i = 0; i < 4; ++i) {
    RawClient client(deployment_.gateway_port());
    client.Send("POST /webhook HTTP/1.1\r\nHost: x\r\n\r\n" + std::string(1024 * 1024, 'x'));
    EXPECT_EQ(StatusOf(client.ReadResponse()), 411);
  }
  peak = std::max(peak, ResidentBytes(gateway_pid_));
  EXPECT_LE(peak, ResidentLimit())
      << "resident " << peak / 1024 << " KiB (start " << baseline_rss_ / 1024 << " KiB)";
  ExpectNothingLost("wamid.after-body-floods");
}

TEST_F(FrontDoorTest, DeadlinesCloseTricklingIdleAndSilentConnections) {
  StartGateway({"CHATSHOP_HTTP_REQUEST_TIMEOUT_MS=1000", "CHATSHOP_HTTP_IDLE_TIMEOUT_MS=1000"});
  // A client trickling its head a byte at a time: each read is "on time", the request is not.
  RawClient trickle(deployment_.gateway_port());
  std::string response;
  const std::string head = "POST /webhook HTTP/1.1\r\nHost: x\r\n";
  const auto started = std::chrono::steady_clock::now();
  for (size_t i = 0; i < head.size() && !trickle.closed(); ++i) {
    trickle.Send(head.substr(i, 1));
    response += trickle.ReadUntilClosed(300ms);
  }
  response += trickle.ReadUntilClosed();
  EXPECT_EQ(StatusOf(response), 408);
  EXPECT_TRUE(trickle.closed());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);

  // Keep-alive: one request answered, then the idle connection is closed.
  RawClient idle(deployment_.gateway_port());
  idle.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(StatusOf(idle.ReadResponse()), 200);
  idle.ReadUntilClosed(10s);
  EXPECT_TRUE(idle.closed()) << "an idle keep-alive connection stayed open";

  // A connection that never sends anything.
  RawClient silent(deployment_.gateway_port());
  silent.ReadUntilClosed(10s);
  EXPECT_TRUE(silent.closed());

  ExpectNothingLost("wamid.after-deadlines");
}

TEST_F(FrontDoorTest, ConnectionsFromOneAddressAreCapped) {
  StartGateway({"CHATSHOP_HTTP_MAX_CONNECTIONS_PER_ADDRESS=10"});
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 10; ++i) {
    held.push_back(std::make_unique<RawClient>(deployment_.gateway_port(), "127.0.0.3"));
    held.back()->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(StatusOf(held.back()->ReadResponse()), 200) << "connection " << i;
  }
  RawClient eleventh(deployment_.gateway_port(), "127.0.0.3");
  EXPECT_EQ(StatusOf(eleventh.ReadResponse()), 503);
  EXPECT_TRUE(eleventh.ReadUntilClosed(5s).empty() || eleventh.closed());

  RawClient other(deployment_.gateway_port(), "127.0.0.4");
  other.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(StatusOf(other.ReadResponse()), 200) << "another address is not affected";

  held.clear();  // their slots are given back
  EXPECT_TRUE(WaitFor([&] {
    RawClient again(deployment_.gateway_port(), "127.0.0.3");
    again.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    return StatusOf(again.ReadResponse()) == 200;
  }));
  ExpectNothingLost("wamid.after-connection-cap");
}

// With the old thread-per-connection server, 1 200 held connections took every one of its 64
// threads and signed POSTs waited for a connection to time out. Here they must all be answered.
TEST_F(FrontDoorTest, TricklingAndIdleClientsDoNotStarveSignedWebhooks) {
  RaiseOwnFileLimit();
  StartGateway();
  std::vector<std::unique_ptr<RawClient>> tricklers;
  for (int i = 0; i < 1000; ++i) {
    // Ten source addresses, 100 each: under the per-address cap, so the event loop holds them.
    tricklers.push_back(std::make_unique<RawClient>(deployment_.gateway_port(),
                                                    "127.0.1." + std::to_string(1 + i / 100)));
    ASSERT_TRUE(tricklers.back()->connected()) << i;
    tricklers.back()->Send("P");
  }
  std::vector<std::unique_ptr<RawClient>> idlers;
  for (int i = 0; i < 200; ++i) {
    idlers.push_back(std::make_unique<RawClient>(deployment_.gateway_port(), "127.0.2.1"));
    idlers.back()->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(StatusOf(idlers.back()->ReadResponse()), 200) << "idle connection " << i;
  }
  std::atomic<bool> stop{false};
  std::thread trickling([&] {
    const std::string head = "OST /webhook HTTP/1.1\r\nHost: x\r\n";
    for (size_t i = 0; !stop && i < head.size(); ++i) {
      for (auto& t : tricklers) t->Send(head.substr(i, 1));
      for (int w = 0; w < 20 && !stop; ++w) std::this_thread::sleep_for(100ms);
    }
  });
  std::vector<double> latencies_ms;
  for (int i = 0; i < 100; ++i) {
    const auto sent = std::chrono::steady_clock::now();
    EXPECT_EQ(PostSigned(TextWebhook("wamid.starve-" + std::to_string(i))), 200) << i;
    latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent).count());
  }
  stop = true;
  trickling.join();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  std::cout << "signed POSTs with 1000 trickling + 200 idle connections: p50 " << latencies_ms[49]
            << " ms, p99 " << latencies_ms[98] << " ms (informational; "
            << "bench/run-webhook --slow-clients measures it)\n";
  EXPECT_EQ(deployment_.TakeInbound().size(), 100u) << "every signed webhook queued";
}

}  // namespace
}  // namespace chatshop

namespace chatshop {
namespace {

int StackAmqpPort() {
  const std::string& url = testing::StackConfig().rabbitmq.url;
  return std::stoi(url.substr(url.rfind(':') + 1));
}

// A broker that stops reading (a proxy holds our bytes): the webhook is answered 503 by the
// publish deadline instead of hanging, the gateway recovers by itself, and nothing is queued
// twice.
TEST(FrontDoorBrokerTest, StalledBrokerMeans503ByThePublishDeadline) {
  testing::TcpProxy proxy(StackAmqpPort());
  testing::Deployment deployment("amqp://guest:guest@127.0.0.1:" + std::to_string(proxy.port()));
  deployment.StartAs("gateway", "gateway", {}, {"CHATSHOP_RABBITMQ_PUBLISH_TIMEOUT_MS=1000"});
  ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment.admin_port(), "/readyz"); }));
  auto post = [&](const std::string& id) {
    const std::string body = TextWebhook(id);
    httplib::Client client("127.0.0.1", deployment.gateway_port());
    client.set_read_timeout(30);
    auto res = client.Post(
        "/webhook", {{"X-Hub-Signature-256", webhook::SignatureHeader(testing::kAppSecret, body)}},
        body, "application/json");
    return res ? res->status : 0;
  };
  ASSERT_EQ(post("wamid.before-stall"), 200);

  proxy.Hold();
  const auto sent = std::chrono::steady_clock::now();
  EXPECT_EQ(post("wamid.during-stall"), 503) << "no confirm: Meta must redeliver";
  EXPECT_LT(std::chrono::steady_clock::now() - sent, 10s) << "the publish deadline did not hold";
  proxy.Release();

  EXPECT_TRUE(WaitFor([&] { return post("wamid.after-stall") == 200; }))
      << "the gateway did not reconnect";
  // Meta redelivers what got 503; the queue may hold the stalled copy too (it reached the
  // broker's socket before the reset), and the worker's inbox dedupes by wamid.
  EXPECT_EQ(post("wamid.during-stall"), 200);
  std::map<std::string, int> copies;
  for (const auto& d : deployment.TakeInbound()) ++copies[d.message_id];
  EXPECT_EQ(copies.size(), 3u);
  for (const auto& [id, n] : copies) EXPECT_LE(n, 2) << id;
}

}  // namespace
}  // namespace chatshop
