#pragma once

// A whole chatshop deployment for end-to-end tests: its own config file, free ports, its own
// PostgreSQL schema (migrated, with the fixtures' shop registered through chatshopctl) and its
// own RabbitMQ names, on the servers of `scripts/stack up`. Programs are the real binaries.

#include <chrono>
#include <filesystem>
#include <utility>
#include <vector>
#include <memory>
#include <string>
#include <thread>

#include "infra/rabbitmq.h"
#include "support/process.h"
#include "support/stack.h"

namespace chatshop::testing {

inline constexpr const char* kShopNumberId = "106540352242922";
inline constexpr const char* kAppSecret = "e2e-app-secret";

class Deployment {
 public:
  // `rabbit_url` replaces the stack's broker URL (to put a TcpProxy in between).
  explicit Deployment(std::string rabbit_url = "");
  ~Deployment();  // stops the programs, fails the test if one did not exit cleanly, cleans up

  // Starts build/bin/chatshop-<program> with this deployment's config.
  void Start(const std::string& program);
  // Stops it and returns its exit status.
  int Stop(const std::string& program);

  const std::string& config_path() const { return config_path_; }
  int gateway_port() const { return gateway_port_; }
  int sandbox_port() const { return sandbox_port_; }
  const infra::RabbitSettings& rabbit() const { return rabbit_; }
  const TestSchema& schema() const { return schema_; }

  // Every message now waiting in the inbound shard queues, then in the parked queue.
  std::vector<infra::Delivery> TakeInbound() const;
  std::vector<infra::Delivery> TakeParked() const;

 private:
  TestSchema schema_;
  std::filesystem::path dir_;
  std::string config_path_;
  int gateway_port_ = 0;
  int sandbox_port_ = 0;
  infra::RabbitSettings rabbit_;
  // In start order; stopped in reverse, clients before the servers they hold connections to.
  std::vector<std::pair<std::string, std::unique_ptr<ChildProcess>>> programs_;
};

// build/bin/<name>
std::string Bin(const std::string& name);

// True once `done()` is, polling every 50 ms for up to `timeout`.
template <typename F>
bool WaitFor(F done, std::chrono::seconds timeout = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// GET http://127.0.0.1:<port><path> answered 200.
bool HttpOk(int port, const std::string& path);

}  // namespace chatshop::testing
