#include "support/deployment.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <fstream>
#include <iostream>

#include "common/crypto.h"

namespace chatshop::testing {

namespace fs = std::filesystem;

std::string Bin(const std::string& name) { return std::string(CHATSHOP_BIN_DIR) + "/" + name; }

std::string SandboxCustomer::Send(nlohmann::json body) {
  body["phone_number_id"] = kShopNumberId;
  body["from"] = wa_id_;
  body["name"] = name_;
  httplib::Client sandbox("127.0.0.1", port_);
  auto res = sandbox.Post("/sandbox/customer/messages", body.dump(), "application/json");
  EXPECT_TRUE(res) << "sandbox unreachable";
  if (!res) return "";
  EXPECT_EQ(res->status, 200) << res->body;
  if (res->status != 200) return "";
  return nlohmann::json::parse(res->body).value("wamid", "");
}

std::string SandboxCustomer::Says(const std::string& text, const std::string& quoting) {
  nlohmann::json body = {{"text", text}};
  if (!quoting.empty()) body["context"] = quoting;
  return Send(body);
}

std::string SandboxCustomer::Taps(const std::string& reply_id) {
  return Send({{"reply_id", reply_id}});
}

std::string SandboxCustomer::SendsMedia(const std::string& bytes, const std::string& mime_type) {
  return Send({{"image_base64", common::Base64Encode(bytes)}, {"mime_type", mime_type}});
}

nlohmann::json SandboxCustomer::Replies() const {
  httplib::Client sandbox("127.0.0.1", port_);
  auto res = sandbox.Get(("/sandbox/messages?to=" + wa_id_).c_str());
  return res && res->status == 200 ? nlohmann::json::parse(res->body) : nlohmann::json::array();
}

nlohmann::json SandboxCustomer::WaitForReplies(size_t count) const {
  nlohmann::json replies;
  const bool arrived = WaitFor([&] {
    replies = Replies();
    return replies.size() >= count;
  });
  EXPECT_TRUE(arrived) << "waited for " << count << " replies, have " << replies.size() << ":\n"
                       << replies.dump(1);
  return replies;
}

std::string BodyText(const nlohmann::json& payload) {
  if (payload.value("type", "") == "text") return payload["text"].value("body", "");
  if (payload.contains("interactive")) return payload["interactive"]["body"].value("text", "");
  return "";
}

std::string ButtonIds(const nlohmann::json& payload) {
  std::string ids;
  const nlohmann::json& action = payload["interactive"]["action"];
  for (const auto& b : action.value("buttons", nlohmann::json::array()))
    ids += b["reply"]["id"].get<std::string>() + " ";
  for (const auto& s : action.value("sections", nlohmann::json::array())) {
    for (const auto& r : s["rows"]) ids += r["id"].get<std::string>() + " ";
  }
  return ids;
}

bool HttpOk(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  auto res = client.Get(path.c_str());
  return res && res->status == 200;
}

Deployment::Deployment(std::string rabbit_url) {
  dir_ = fs::temp_directory_path() / UniqueName("chatshop_e2e");
  fs::create_directories(dir_);
  gateway_port_ = FreePort();
  admin_port_ = FreePort();
  sandbox_port_ = FreePort();
  const auto& stack = StackConfig();
  rabbit_ = {rabbit_url.empty() ? stack.rabbitmq.url : rabbit_url, UniqueName("e2e"), 2, 16};
  rabbit_.outbound_shards = 2;
  config_path_ = (dir_ / "chatshop.toml").string();
  std::ofstream(config_path_) << "[http]\nlisten = \"127.0.0.1:" << gateway_port_ << "\"\n"
                              << "admin_listen = \"127.0.0.1:" << admin_port_ << "\"\n"
                              << "[whatsapp]\napp_secret = \"" << kAppSecret << "\"\n"
                              << "verify_token = \"e2e-verify\"\n"
                              << "graph_base_url = \"http://127.0.0.1:" << sandbox_port_ << "\"\n"
                              << "[postgres]\nurl = \"" << schema_.url() << "\"\n"
                              << "[redis]\nurl = \"" << stack.redis.url
                              << "\"\n"
                              // Shop ids repeat across test schemas: cached catalogs must not.
                              << "key_prefix = \"" << rabbit_.name_prefix << "\"\n"
                              << "[rabbitmq]\nurl = \"" << rabbit_.url << "\"\n"
                              << "inbound_shards = 2\noutbound_shards = 2\nname_prefix = \""
                              << rabbit_.name_prefix << "\"\n"
                              << "[worker]\noutbox_idle_poll_ms = 20\n"
                              // Meta's pair rate, scaled down from 6 s so tests stay short;
                              // the sender keeps a margin below the sandbox's burst.
                              << "[sender]\npair_interval_ms = 300\npair_burst = 8\n"
                              << "backoff_base_ms = 100\nbackoff_cap_seconds = 2\n"
                              << "credential_hold_seconds = 1\n"
                              << "[orders]\nmedia_dir = \"" << (dir_ / "media").string()
                              << "\"\ntimer_poll_ms = 100\n"
                              << "[sandbox]\nlisten = \"127.0.0.1:" << sandbox_port_ << "\"\n"
                              << "webhook_url = \"http://127.0.0.1:" << gateway_port_
                              << "/webhook\"\naccess_token = \"e2e-graph-token\"\n"
                              << "pair_interval_ms = 300\npair_burst = 10\n";

  auto migrated = RunProgram({Bin("chatshopctl"), "--config", config_path_, "db", "migrate"});
  EXPECT_EQ(migrated.status, 0) << migrated.output;
  auto added = RunProgram({Bin("chatshopctl"), "--config", config_path_, "shop", "add",
                           "--phone-number-id", kShopNumberId, "--name", "Sharma Kirana",
                           // Deliberately in plain text: the programs of a test deployment run
                           // without a master key (ctl_test covers the encrypted path).
                           "--token-stdin", "--allow-plaintext-token"},
                          "e2e-graph-token\n");
  EXPECT_EQ(added.status, 0) << added.output;
}

Deployment::~Deployment() {
  // A clean exit on SIGTERM; under the sanitizers, also no leak or undefined behaviour.
  for (auto it = programs_.rbegin(); it != programs_.rend(); ++it) {
    EXPECT_EQ(it->second->Stop(), 0) << "chatshop-" << it->first << " did not exit cleanly";
  }
  if (::testing::Test::HasFailure()) {
    for (const auto& [name, process] : programs_) {
      std::ifstream in(dir_ / (name + ".log"));
      std::cerr << "----- chatshop-" << name << " log\n" << in.rdbuf() << "\n";
    }
  }
  programs_.clear();
  infra::RabbitSettings cleanup = rabbit_;
  cleanup.url = StackConfig().rabbitmq.url;  // the real broker, even behind a cut proxy
  (void)infra::DeleteTopology(cleanup);
  fs::remove_all(dir_);
}

void Deployment::Start(const std::string& program) { StartAs(program, program, {}); }

void Deployment::StartAs(const std::string& name, const std::string& program,
                         const std::vector<std::string>& args,
                         const std::vector<std::string>& env) {
  std::vector<std::string> argv;
  if (!env.empty()) {
    argv.push_back("/usr/bin/env");  // execs the program: the pid stays the program's
    argv.insert(argv.end(), env.begin(), env.end());
  }
  argv.insert(argv.end(), {Bin("chatshop-" + program), "--config", config_path_});
  argv.insert(argv.end(), args.begin(), args.end());
  programs_.emplace_back(name,
                         std::make_unique<ChildProcess>(argv, (dir_ / (name + ".log")).string()));
}

int Deployment::Stop(const std::string& program) {
  auto it = std::find_if(programs_.begin(), programs_.end(),
                         [&](const auto& p) { return p.first == program; });
  if (it == programs_.end()) return -1;
  int status = it->second->Stop();
  programs_.erase(it);
  return status;
}

pid_t Deployment::Pid(const std::string& program) const {
  for (const auto& [name, process] : programs_) {
    if (name == program) return process->pid();
  }
  return 0;
}

void Deployment::Kill(const std::string& program) {
  auto it = std::find_if(programs_.begin(), programs_.end(),
                         [&](const auto& p) { return p.first == program; });
  if (it == programs_.end()) return;
  it->second->Kill();
  programs_.erase(it);
}

std::vector<infra::Delivery> Deployment::TakeInbound() const {
  infra::RabbitSettings direct = rabbit_;
  direct.url = StackConfig().rabbitmq.url;
  infra::RabbitNames names{rabbit_.name_prefix};
  std::vector<infra::Delivery> all;
  for (int shard = 0; shard < rabbit_.inbound_shards; ++shard) {
    auto taken = infra::TakeAll(direct, names.InboundQueue(shard));
    EXPECT_TRUE(taken) << taken.error().ToString();
    if (taken) all.insert(all.end(), taken->begin(), taken->end());
  }
  return all;
}

std::vector<infra::Delivery> Deployment::TakeParked() const {
  infra::RabbitSettings direct = rabbit_;
  direct.url = StackConfig().rabbitmq.url;
  auto taken = infra::TakeAll(direct, infra::RabbitNames{rabbit_.name_prefix}.ParkedQueue());
  EXPECT_TRUE(taken) << taken.error().ToString();
  return taken ? *taken : std::vector<infra::Delivery>{};
}

}  // namespace chatshop::testing
