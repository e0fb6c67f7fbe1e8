#pragma once

// A whole chatshop deployment for end-to-end tests: its own config file, free ports, its own
// PostgreSQL schema (migrated, with the fixtures' shop registered through chatshopctl) and its
// own RabbitMQ names, on the servers of `scripts/stack up`. Programs are the real binaries.

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

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
  // Starts it under `name` (for Stop and Kill) with more arguments and environment variables
  // (CHATSHOP_<SECTION>_<KEY>=value overrides a config key).
  void StartAs(const std::string& name, const std::string& program,
               const std::vector<std::string>& args, const std::vector<std::string>& env = {});
  // Stops it and returns its exit status.
  int Stop(const std::string& program);
  // Kills it (SIGKILL), like a crash: it gets no chance to finish anything.
  void Kill(const std::string& program);
  // Its process id (0 when not started).
  pid_t Pid(const std::string& program) const;

  const std::string& config_path() const { return config_path_; }
  int gateway_port() const { return gateway_port_; }
  // The gateway's internal listener: /metrics, /readyz.
  int admin_port() const { return admin_port_; }
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
  int admin_port_ = 0;
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

// A customer chatting with the shop (kShopNumberId) on the sandbox's customer side.
class SandboxCustomer {
 public:
  SandboxCustomer(int sandbox_port, std::string wa_id, std::string name = "Ramesh")
      : port_(sandbox_port), wa_id_(std::move(wa_id)), name_(std::move(name)) {}

  // Sends a text (replying to message `quoting` when given); returns its wamid ("" on failure,
  // which also fails the test).
  std::string Says(const std::string& text, const std::string& quoting = "");
  // Taps the button or list row `reply_id` of a message the shop sent.
  std::string Taps(const std::string& reply_id);
  // Sends a picture (or a PDF): `bytes` of type `mime_type`.
  std::string SendsMedia(const std::string& bytes, const std::string& mime_type);
  // Every message the shop sent this customer, oldest first, as the sandbox recorded them:
  // {"id": wamid, "payload": the /messages body, …}.
  nlohmann::json Replies() const;
  // Waits until there are at least `count` replies and returns them all (fails the test on
  // timeout and returns what there is).
  nlohmann::json WaitForReplies(size_t count) const;

  const std::string& wa_id() const { return wa_id_; }

 private:
  std::string Send(nlohmann::json body);
  int port_;
  std::string wa_id_;
  std::string name_;
};

// The text a customer reads in a /messages body: a text body or an interactive body.
std::string BodyText(const nlohmann::json& payload);

// The reply ids a /messages body offers (buttons and list rows), each followed by a space.
std::string ButtonIds(const nlohmann::json& payload);

inline bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace chatshop::testing
