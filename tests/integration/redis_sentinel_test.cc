// Redis behind Sentinel (issue 15): a master, a replica and one sentinel of this test's own on
// free loopback ports. The adapters find the master through the sentinel and keep working after
// a failover (SENTINEL FAILOVER), finding the promoted replica by themselves.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <thread>

#include "infra/redis_cache.h"
#include "infra/redis_connect.h"
#include "infra/redis_customer_limiter.h"
#include "support/process.h"
#include "support/stack.h"

namespace chatshop {
namespace {

using std::chrono::milliseconds;

std::string Cli(int port, const std::string& command) {
  auto result = testing::RunProgram(
      {"/bin/sh", "-c",
       "redis-cli -h 127.0.0.1 -p " + std::to_string(port) + " " + command + " 2>&1"});
  return result.output;
}

// redis-server's full path (the test starts it with execv).
const std::string& RedisServer() {
  static const std::string path = [] {
    auto found = testing::RunProgram({"/bin/sh", "-c", "command -v redis-server"});
    std::string first = found.output.substr(0, found.output.find('\n'));
    return first.empty() ? std::string("/usr/bin/redis-server") : first;
  }();
  return path;
}

// Polls `condition` every 50 ms until it holds or `limit` passes.
bool WaitFor(const std::function<bool()>& condition, milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return condition();
}

// Writes `text` to a fresh file in the test's temp folder (sentinel and CONFIG REWRITE write
// back into it).
std::string WriteConfig(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::trunc) << text;
  return path;
}

class SentinelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string tag = testing::UniqueName("sentinel");
    const std::string dir = ::testing::TempDir();
    auto data_node = [&](int port, const std::string& extra) {
      const std::string name = tag + "_" + std::to_string(port);
      const std::string conf =
          WriteConfig(name + ".conf", "port " + std::to_string(port) +
                                          "\nbind 127.0.0.1\nsave \"\"\nappendonly no\n"
                                          "repl-diskless-sync-delay 0\ndir " +
                                          dir + "\n" + extra);
      return std::make_unique<testing::ChildProcess>(std::vector<std::string>{RedisServer(), conf},
                                                     dir + "/" + name + ".log");
    };
    master_ = data_node(master_port_, "");
    replica_ =
        data_node(replica_port_, "replicaof 127.0.0.1 " + std::to_string(master_port_) + "\n");
    const std::string sentinel_conf =
        WriteConfig(tag + "_s.conf", "port " + std::to_string(sentinel_port_) +
                                         "\nbind 127.0.0.1\ndir " + dir + "\nsentinel monitor " +
                                         kMaster + " 127.0.0.1 " + std::to_string(master_port_) +
                                         " 1\nsentinel down-after-milliseconds " + kMaster +
                                         " 2000\nsentinel failover-timeout " + kMaster + " 6000\n");
    sentinel_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{RedisServer(), sentinel_conf, "--sentinel"},
        dir + "/" + tag + "_s.log");
    // Ready: the replica streams from the master and the sentinel knows it as a good replica.
    ASSERT_TRUE(WaitFor(
        [&] {
          return Cli(replica_port_, "INFO replication").find("master_link_status:up") !=
                 std::string::npos;
        },
        milliseconds(15000)))
        << "the replica did not sync";
    ASSERT_TRUE(WaitFor(
        [&] {
          const std::string replicas =
              Cli(sentinel_port_, std::string("SENTINEL replicas ") + kMaster);
          return replicas.find(std::to_string(replica_port_)) != std::string::npos &&
                 replicas.find("disconnected") == std::string::npos;
        },
        milliseconds(20000)))
        << "the sentinel did not see the replica";
  }

  void TearDown() override {
    sentinel_.reset();
    replica_.reset();
    master_.reset();
  }

  // The sentinels as the config names them: a dead one first, so that asking in turn is
  // exercised. The URL's host:port is not used with sentinels; its db is.
  infra::RedisTarget Target() const {
    return {"redis://127.0.0.1:1/2",
            {"127.0.0.1:" + std::to_string(testing::FreePort()),
             "127.0.0.1:" + std::to_string(sentinel_port_)},
            kMaster};
  }

  static constexpr const char* kMaster = "cs-test";
  int master_port_ = testing::FreePort();
  int replica_port_ = testing::FreePort();
  int sentinel_port_ = testing::FreePort();
  std::unique_ptr<testing::ChildProcess> master_, replica_, sentinel_;
};

orders::Catalog OneProduct(int64_t stock) {
  orders::Catalog catalog;
  catalog.products.push_back(
      {"ATTA-5", "Atta 5kg", orders::Money{28900}, stock, "pack", "staples", {}});
  return catalog;
}

TEST_F(SentinelTest, AdaptersFindTheMasterAndFollowAFailover) {
  const std::string prefix = testing::UniqueName("sent");
  infra::RedisCatalogCache cache({Target(), prefix, 60});
  infra::RedisCustomerLimiter limiter({Target(), prefix});

  ASSERT_TRUE(infra::PingRedis(Target()));
  ASSERT_TRUE(cache.Put(7, {OneProduct(1), 1}));
  // It went to the master, in the URL's database.
  EXPECT_NE(Cli(master_port_, "-n 2 EXISTS " + prefix + ":catalog:7").find('1'), std::string::npos);
  auto admitted = limiter.Admit(7, "919800000001", "wamid.1", 100, milliseconds(60000));
  ASSERT_TRUE(admitted) << admitted.error().message;

  // The replica is promoted; the old master becomes its replica.
  ASSERT_TRUE(WaitFor(
      [&] {
        return Cli(sentinel_port_, std::string("SENTINEL failover ") + kMaster).find("OK") !=
               std::string::npos;
      },
      milliseconds(10000)));
  ASSERT_TRUE(WaitFor([&] { return Cli(replica_port_, "ROLE").rfind("master", 0) == 0; },
                      milliseconds(15000)))
      << "the replica was not promoted";

  // Both adapters, with the connections they held to the old master, end up writing to the
  // new one (a call during the switch may fail, like any Redis call during a failover).
  ASSERT_TRUE(WaitFor(
      [&] {
        return cache.Put(7, {OneProduct(2), 2}).has_value() &&
               Cli(replica_port_, "-n 2 GET " + prefix + ":catalog:7").find("\"version\":2") !=
                   std::string::npos;
      },
      milliseconds(20000)))
      << "the cache did not follow the failover";
  auto got = cache.Get(7);
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->version, 2);
  EXPECT_TRUE(WaitFor(
      [&] {
        return limiter.Admit(7, "919800000001", "wamid.2", 100, milliseconds(60000)).has_value();
      },
      milliseconds(20000)))
      << "the limiter did not follow the failover";
  // A fresh connection goes to the promoted replica too.
  ASSERT_TRUE(infra::PingRedis(Target()));
}

TEST(SentinelUnreachableTest, NoSentinelAnsweringIsUnavailableAndQuotesNoPassword) {
  infra::RedisTarget target{"redis://:pw-sentinel-secret@127.0.0.1:1/0",
                            {"127.0.0.1:" + std::to_string(testing::FreePort())},
                            "nobody"};
  auto opened = infra::OpenRedis(target);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(opened.error().message.find("pw-sentinel-secret"), std::string::npos);
  infra::RedisCatalogCache cache({target, "x", 60});
  EXPECT_FALSE(cache.Get(1));
}

// A sentinel that names whichever address the test says (SENTINEL get-master-addr-by-name's
// answer, whatever was asked), so that a stale sentinel can be played exactly.
class FakeSentinel {
 public:
  FakeSentinel() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), length), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    serving_ = std::thread([this] { Serve(); });
  }
  ~FakeSentinel() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);  // wakes accept()
    serving_.join();
    ::close(fd_);
  }
  void Name(int master_port) { named_ = master_port; }
  std::string Address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void Serve() {
    while (!stop_) {
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      char request[512];
      if (::read(client, request, sizeof request) > 0) {
        const std::string port = std::to_string(named_.load());
        const std::string reply =
            "*2\r\n$9\r\n127.0.0.1\r\n$" + std::to_string(port.size()) + "\r\n" + port + "\r\n";
        (void)!::write(client, reply.data(), reply.size());
      }
      ::close(client);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> named_{0};
  std::atomic<bool> stop_{false};
  std::thread serving_;
};

// Two plain Redis servers; the fake sentinel names one. A master demoted under a held
// connection answers -READONLY: the adapter drops it and asks the sentinel again, and a
// sentinel that still names the demoted one is not believed (ROLE).
TEST(SentinelDemotionTest, AReadOnlyReplyDropsTheConnectionAndADemotedMasterIsRefused) {
  const std::string dir = ::testing::TempDir();
  const int a_port = testing::FreePort(), b_port = testing::FreePort();
  auto server = [&](int port) {
    return std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{RedisServer(), "--port", std::to_string(port), "--bind",
                                 "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir},
        dir + "/" + testing::UniqueName("demoted") + ".log");
  };
  auto a = server(a_port);
  auto b = server(b_port);
  ASSERT_TRUE(WaitFor(
      [&] {
        return Cli(a_port, "PING").find("PONG") != std::string::npos &&
               Cli(b_port, "PING").find("PONG") != std::string::npos;
      },
      milliseconds(10000)));
  FakeSentinel sentinel;
  sentinel.Name(a_port);
  const infra::RedisTarget target{"redis://127.0.0.1:1/0", {sentinel.Address()}, "cs"};
  const std::string prefix = testing::UniqueName("demoted");
  infra::RedisCatalogCache cache({target, prefix, 60});
  ASSERT_TRUE(cache.Put(1, {OneProduct(1), 1}));
  EXPECT_NE(Cli(a_port, "EXISTS " + prefix + ":catalog:1").find('1'), std::string::npos);

  // A becomes B's replica behind the cache's back (nothing closes the cache's connection).
  ASSERT_NE(Cli(a_port, "REPLICAOF 127.0.0.1 " + std::to_string(b_port)).find("OK"),
            std::string::npos);
  // Synced, so that what the cache hears next is -READONLY, not -LOADING.
  ASSERT_TRUE(WaitFor(
      [&] {
        return Cli(a_port, "INFO replication").find("master_link_status:up") != std::string::npos;
      },
      milliseconds(10000)));
  // The sentinel still names A: the write is refused (READONLY), and a fresh connection to A
  // is refused too, since ROLE says it is a replica.
  auto refused = cache.Put(1, {OneProduct(2), 2});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  auto opened = infra::OpenRedis(target);
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("not a master"), std::string::npos)
      << opened.error().message;
  EXPECT_FALSE(cache.Put(1, {OneProduct(2), 2}));

  // Once the sentinel names B, the very next call reaches it.
  sentinel.Name(b_port);
  ASSERT_TRUE(cache.Put(1, {OneProduct(3), 3}));
  EXPECT_NE(Cli(b_port, "GET " + prefix + ":catalog:1").find("\"version\":3"), std::string::npos);
  auto got = cache.Get(1);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->version, 3);
}

}  // namespace
}  // namespace chatshop
