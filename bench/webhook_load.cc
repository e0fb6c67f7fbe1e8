// chatshop-webhook-load: POSTs signed, realistic WhatsApp webhook bodies to a receiver at a given
// concurrency for a given time; prints requests/s, latency percentiles and failures, and (with
// --config) how many events reached chatshop's shard queues.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "apps/wiring.h"
#include "common/config.h"
#include "common/url.h"
#include "infra/rabbitmq.h"
#include "webhook/signature.h"
#include "whatsapp/envelope.h"

using namespace chatshop;
using Clock = std::chrono::steady_clock;

namespace {

// Realistic customer messages: kirana lists in English, Hinglish and Hindi (escaped by Meta).
const char* kTexts[] = {
    "2 atta 5kg, 1 kg sugar, maggi x5, doodh 2",
    "bhaiya 1 Fortune oil 1L aur 2 packet Parle-G bhej do",
    "2 किलो आटा, 1 मैगी और 12 अंडे भेज दो 🙏",
    "also add 1 litre Amul milk and 500g paneer",
    "Is Tata salt in stock? need 3",
};

struct Body {
  std::string json;
  std::string signature;
};

// Bodies for one connection: unique wamids, customers spread over shards.
std::vector<Body> MakeBodies(int connection, int count, const std::string& secret,
                             const std::string& phone_number_id) {
  std::vector<Body> bodies;
  for (int i = 0; i < count; ++i) {
    whatsapp::CustomerMessageSpec spec;
    spec.phone_number_id = phone_number_id;
    spec.display_phone_number = "15550783881";
    spec.from = "9198" + std::to_string(10000000 + connection * 100000 + i % 500);
    spec.name = "Customer " + std::to_string(i % 500);
    spec.wamid = "wamid.BENCH" + std::to_string(connection) + "x" + std::to_string(i);
    spec.timestamp = 1785900000 + i;
    spec.text = kTexts[i % (sizeof(kTexts) / sizeof(kTexts[0]))];
    std::string json = whatsapp::BuildCustomerWebhookBody(spec);
    bodies.push_back({json, webhook::SignatureHeader(secret, json)});
  }
  return bodies;
}

double Percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = std::min(sorted.size() - 1, static_cast<size_t>(p * (sorted.size() - 1) + 0.5));
  return sorted[i];
}

// A TCP connection to 127.0.0.1:port from loopback address `from`, or -1.
int Connect(int port, const std::string& from) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  inet_pton(AF_INET, from.c_str(), &local.sin_addr);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

// Hostile background for the measured load: `slow` connections trickling a request head one
// byte every two seconds (reconnecting when the server drops them), and `idle` keep-alive
// connections that sent one request and then say nothing. Spread over loopback addresses,
// 100 per address, so per-address caps do not simply refuse them.
class SlowClients {
 public:
  SlowClients(int port, int slow, int idle) : port_(port) {
    for (int i = 0; i < slow; ++i) slow_.push_back(Connect(port_, SlowAddress(i)));
    for (int i = 0; i < idle; ++i) {
      int fd = Connect(port_, "127.0.2." + std::to_string(1 + i / 100));
      const char kGet[] = "GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n";
      if (fd >= 0) (void)!::send(fd, kGet, sizeof(kGet) - 1, MSG_NOSIGNAL);
      idle_.push_back(fd);
    }
    thread_ = std::thread([this] { Trickle(); });
  }
  ~SlowClients() {
    stop_ = true;
    thread_.join();
    for (int fd : slow_)
      if (fd >= 0) ::close(fd);
    for (int fd : idle_)
      if (fd >= 0) ::close(fd);
  }
  int open_slow() const { return open_slow_.load(); }

 private:
  static std::string SlowAddress(int i) { return "127.0.1." + std::to_string(1 + i / 100); }

  void Trickle() {
    const std::string head = "POST /webhook HTTP/1.1\r\nHost: bench\r\nContent-Length: 10\r\n";
    size_t next = 0;
    while (!stop_) {
      int open = 0;
      for (size_t i = 0; i < slow_.size(); ++i) {
        if (slow_[i] < 0 || ::send(slow_[i], &head[next % head.size()], 1, MSG_NOSIGNAL) != 1) {
          if (slow_[i] >= 0) ::close(slow_[i]);
          slow_[i] = Connect(port_, SlowAddress(static_cast<int>(i)));
        } else {
          ++open;
        }
      }
      open_slow_ = open;
      ++next;
      for (int w = 0; w < 20 && !stop_; ++w)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  int port_;
  std::vector<int> slow_, idle_;
  std::atomic<bool> stop_{false};
  std::atomic<int> open_slow_{0};
  std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"chatshop-webhook-load: load generator for WhatsApp webhook receivers"};
  std::string url = "http://127.0.0.1:18080/webhook", secret, phone_number_id = "106540352242922";
  std::string config_path, label = "receiver";
  int connections = 64, seconds = 10, warmup = 2;
  cli.add_option("--url", url, "webhook URL");
  cli.add_option("--secret", secret, "app secret to sign with")->required();
  cli.add_option("--phone-number-id", phone_number_id, "tenant of the generated webhooks");
  cli.add_option("--connections", connections, "concurrent keep-alive connections");
  cli.add_option("--seconds", seconds, "measured duration");
  cli.add_option("--warmup", warmup, "unmeasured seconds before");
  cli.add_option("--label", label, "name printed with the results");
  bool delete_queues = false;
  int slow_clients = 0, idle_clients = 0;
  cli.add_option("--slow-clients", slow_clients,
                 "connections trickling a request head a byte every 2 s during the run");
  cli.add_option("--idle-clients", idle_clients, "idle keep-alive connections during the run");
  cli.add_option("--config", config_path,
                 "chatshop config: count events that reached its shard queues");
  cli.add_flag("--delete-queues", delete_queues,
               "with --config: delete that config's queues and exchanges afterwards");
  CLI11_PARSE(cli, argc, argv);

  common::UrlParts parts = common::SplitUrl(url);
  std::optional<infra::RabbitSettings> rabbit;
  uint64_t queued_before = 0;
  auto queued = [&]() -> uint64_t {
    uint64_t total = 0;
    for (int s = 0; s < rabbit->inbound_shards; ++s) {
      auto depth =
          infra::QueueDepth(*rabbit, infra::RabbitNames{rabbit->name_prefix}.InboundQueue(s));
      total += depth ? *depth : 0;
    }
    return total;
  };
  if (!config_path.empty()) {
    auto config = common::LoadConfigFile(config_path, common::ProcessEnvironment());
    if (!config) {
      for (const auto& e : config.error()) std::fprintf(stderr, "%s\n", e.c_str());
      return 2;
    }
    rabbit = apps::RabbitSettingsOf(*config);
    queued_before = queued();
  }

  std::unique_ptr<SlowClients> hostile;
  if (slow_clients > 0 || idle_clients > 0) {
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    const int port = std::stoi(parts.origin.substr(parts.origin.rfind(':') + 1));
    hostile = std::make_unique<SlowClients>(port, slow_clients, idle_clients);
  }

  std::atomic<bool> measuring{false}, stop{false};
  std::vector<std::vector<double>> latencies(connections);
  std::vector<uint64_t> failures(connections, 0);
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      auto bodies = MakeBodies(c, 2000, secret, phone_number_id);
      httplib::Client client(parts.origin);
      client.set_tcp_nodelay(true);
      client.set_keep_alive(true);
      client.set_read_timeout(30);
      const std::string path = parts.path.empty() ? "/" : parts.path;
      latencies[c].reserve(200000);
      for (size_t i = 0; !stop.load(); ++i) {
        const Body& body = bodies[i % bodies.size()];
        auto started = Clock::now();
        auto res = client.Post(path.c_str(), {{"X-Hub-Signature-256", body.signature}}, body.json,
                               "application/json");
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
        if (!measuring.load()) continue;
        if (res && res->status == 200) {
          latencies[c].push_back(ms);
        } else {
          ++failures[c];
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(warmup));
  measuring = true;
  auto started = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  measuring = false;
  double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  stop = true;
  for (auto& t : threads) t.join();

  std::vector<double> all;
  uint64_t failed = 0;
  for (int c = 0; c < connections; ++c) {
    all.insert(all.end(), latencies[c].begin(), latencies[c].end());
    failed += failures[c];
  }
  std::sort(all.begin(), all.end());
  std::printf(
      "%-10s connections=%d seconds=%.1f ok=%zu failed=%llu req/s=%.0f p50=%.2fms "
      "p90=%.2fms p99=%.2fms",
      label.c_str(), connections, elapsed, all.size(), static_cast<unsigned long long>(failed),
      all.size() / elapsed, Percentile(all, 0.50), Percentile(all, 0.90), Percentile(all, 0.99));
  if (hostile) {
    std::printf(" slow_clients=%d(open=%d) idle_clients=%d", slow_clients, hostile->open_slow(),
                idle_clients);
  }
  if (rabbit) {
    std::printf(" queued_events=%llu", static_cast<unsigned long long>(queued() - queued_before));
  }
  std::printf("\n");
  if (rabbit && delete_queues) (void)infra::DeleteTopology(*rabbit);
  return failed == 0 ? 0 : 1;
}
