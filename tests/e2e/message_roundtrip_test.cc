// One WhatsApp text message through every process and server and back out as a reply:
// sandbox (customer side) → gateway → RabbitMQ → worker → PostgreSQL → outbox → sandbox
// (Graph API side).
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "infra/rabbitmq.h"
#include "support/process.h"
#include "support/stack.h"

namespace chatshop {
namespace {

using nlohmann::json;
using testing::ChildProcess;
namespace fs = std::filesystem;

constexpr const char* kShopNumberId = "106540352242922";
constexpr const char* kCustomer = "919876543210";

std::string Bin(const std::string& name) { return std::string(CHATSHOP_BIN_DIR) + "/" + name; }

// Polls `done` every 50 ms for up to `timeout`.
template <typename F>
bool WaitFor(F done, std::chrono::seconds timeout = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

class MessageRoundTripTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / testing::UniqueName("chatshop_e2e");
    fs::create_directories(dir_);
    gateway_port_ = testing::FreePort();
    sandbox_port_ = testing::FreePort();
    const auto& stack = testing::StackConfig();
    rabbit_ = {stack.rabbitmq.url, testing::UniqueName("e2e"), 2, 16};
    config_path_ = (dir_ / "chatshop.toml").string();
    std::ofstream(config_path_) << "[http]\nlisten = \"127.0.0.1:" << gateway_port_ << "\"\n"
                                << "[whatsapp]\napp_secret = \"e2e-app-secret\"\n"
                                << "verify_token = \"e2e-verify\"\n"
                                << "graph_base_url = \"http://127.0.0.1:" << sandbox_port_ << "\"\n"
                                << "[postgres]\nurl = \"" << schema_.url() << "\"\n"
                                << "[redis]\nurl = \"" << stack.redis.url << "\"\n"
                                << "[rabbitmq]\nurl = \"" << rabbit_.url << "\"\n"
                                << "inbound_shards = 2\nname_prefix = \"" << rabbit_.name_prefix
                                << "\"\n"
                                << "[worker]\noutbox_idle_poll_ms = 20\n"
                                << "[sandbox]\nlisten = \"127.0.0.1:" << sandbox_port_ << "\"\n"
                                << "webhook_url = \"http://127.0.0.1:" << gateway_port_
                                << "/webhook\"\naccess_token = \"e2e-graph-token\"\n";

    auto migrated = testing::RunProgram({Bin("chatshopctl"), "--config", config_path_, "db", "migrate"});
    ASSERT_EQ(migrated.status, 0) << migrated.output;
    auto added = testing::RunProgram({Bin("chatshopctl"), "--config", config_path_, "shop", "add",
                                      "--phone-number-id", kShopNumberId, "--name",
                                      "Sharma Kirana", "--token-stdin"},
                                     "e2e-graph-token\n");
    ASSERT_EQ(added.status, 0) << added.output;
  }

  void TearDown() override {
    // A clean exit on SIGTERM; under the sanitizers, also no leak or undefined behaviour.
    for (auto* process : {&worker_, &gateway_, &sandbox_}) {
      if (*process) {
        EXPECT_EQ((*process)->Stop(), 0) << "a program did not exit cleanly";
      }
      process->reset();
    }
    if (HasFailure()) {
      for (const char* log : {"gateway.log", "worker.log", "sandbox.log"}) {
        std::ifstream in(dir_ / log);
        std::cerr << "----- " << log << "\n" << in.rdbuf() << "\n";
      }
    }
    (void)infra::DeleteTopology(rabbit_);
    fs::remove_all(dir_);
  }

  std::unique_ptr<ChildProcess> Start(const std::string& program) {
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{Bin("chatshop-" + program), "--config", config_path_},
        (dir_ / (program + ".log")).string());
  }

  httplib::Client Sandbox() { return httplib::Client("127.0.0.1", sandbox_port_); }

  json RepliesTo(const std::string& customer) {
    auto res = Sandbox().Get(("/sandbox/messages?to=" + customer).c_str());
    return res && res->status == 200 ? json::parse(res->body) : json::array();
  }

  // The customer sends `text`; returns the wamid the sandbox gave the message.
  std::string CustomerSays(const std::string& text) {
    json body = {{"phone_number_id", kShopNumberId}, {"from", kCustomer}, {"name", "Ramesh"},
                 {"text", text}};
    auto res = Sandbox().Post("/sandbox/customer/messages", body.dump(), "application/json");
    EXPECT_TRUE(res);
    if (!res) return "";
    EXPECT_EQ(res->status, 200) << res->body;
    return json::parse(res->body).value("wamid", "");
  }

  bool Healthy(int port, const char* path) {
    httplib::Client client("127.0.0.1", port);
    auto res = client.Get(path);
    return res && res->status == 200;
  }

  testing::TestSchema schema_;
  fs::path dir_;
  std::string config_path_;
  int gateway_port_ = 0;
  int sandbox_port_ = 0;
  infra::RabbitSettings rabbit_;
  std::unique_ptr<ChildProcess> sandbox_, gateway_, worker_;
};

TEST_F(MessageRoundTripTest, OneReplyPerMessageEvenWhenMetaRedelivers) {
  sandbox_ = Start("sandbox");
  gateway_ = Start("gateway");
  ASSERT_TRUE(WaitFor([&] { return Healthy(sandbox_port_, "/healthz"); })) << "sandbox not up";
  ASSERT_TRUE(WaitFor([&] { return Healthy(gateway_port_, "/readyz"); })) << "gateway not ready";

  // With no worker running, the gateway's 200 means the event waits durably in its queue.
  const std::string first = CustomerSays("2 atta, 1 kg sugar, maggi x5");
  ASSERT_FALSE(first.empty());
  infra::RabbitNames names{rabbit_.name_prefix};
  auto depth = *infra::QueueDepth(rabbit_, names.InboundQueue(0)) +
               *infra::QueueDepth(rabbit_, names.InboundQueue(1));
  EXPECT_EQ(depth, 1u);
  EXPECT_TRUE(RepliesTo(kCustomer).empty());

  worker_ = Start("worker");
  ASSERT_TRUE(WaitFor([&] { return RepliesTo(kCustomer).size() >= 1; }))
      << "no reply reached the sandbox";
  json replies = RepliesTo(kCustomer);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0]["phone_number_id"], kShopNumberId);
  EXPECT_EQ(replies[0]["payload"]["to"], std::string("+") + kCustomer);
  EXPECT_EQ(replies[0]["payload"]["type"], "text");
  EXPECT_NE(replies[0]["payload"]["text"]["body"].get<std::string>().find("Sharma Kirana"),
            std::string::npos);

  // Meta delivers the same webhook again; then the customer writes once more. The customer's
  // events are handled in order, so once the second reply is out the duplicate has been handled.
  auto again = Sandbox().Post("/sandbox/webhooks/redeliver", json{{"wamid", first}}.dump(),
                              "application/json");
  ASSERT_TRUE(again);
  ASSERT_EQ(again->status, 200) << again->body;
  const std::string second = CustomerSays("and 1 Amul butter");
  ASSERT_TRUE(WaitFor([&] { return RepliesTo(kCustomer).size() >= 2; }));
  EXPECT_EQ(RepliesTo(kCustomer).size(), 2u);
  EXPECT_EQ(schema_.QueryValue("SELECT count(*) FROM inbox"), "2");
  EXPECT_EQ(schema_.QueryValue("SELECT count(*) FROM outbox"), "2");
  EXPECT_EQ(schema_.QueryValue("SELECT count(DISTINCT caused_by) FROM outbox WHERE status = 'sent'"),
            "2");
  EXPECT_EQ(schema_.QueryValue("SELECT count(*) FROM outbox WHERE caused_by = '" + first + "'"), "1");
}

TEST_F(MessageRoundTripTest, ForgedWebhookIsRefusedAndNothingIsQueued) {
  gateway_ = Start("gateway");
  ASSERT_TRUE(WaitFor([&] { return Healthy(gateway_port_, "/readyz"); })) << "gateway not ready";
  httplib::Client gateway("127.0.0.1", gateway_port_);
  const std::string body = R"({"object":"whatsapp_business_account","entry":[]})";
  auto forged = gateway.Post("/webhook", {{"X-Hub-Signature-256", "sha256=" + std::string(64, 'a')}},
                             body, "application/json");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);
  auto handshake = gateway.Get("/webhook?hub.mode=subscribe&hub.verify_token=e2e-verify&hub.challenge=12345");
  ASSERT_TRUE(handshake);
  EXPECT_EQ(handshake->status, 200);
  EXPECT_EQ(handshake->body, "12345");
  auto metrics = gateway.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("chatshop_webhook_requests_total{outcome=\"bad_signature\"} 1"),
            std::string::npos)
      << metrics->body;
}

TEST(GatewayConfigTest, WrongKeyIsReportedWithFileKeyAndProblem) {
  const std::string path = (fs::temp_directory_path() / testing::UniqueName("bad") ).string() + ".toml";
  std::ofstream(path) << "[http]\nlisten = \"127.0.0.1:1\"\nlisen = \"x\"\n"
                      << "[whatsapp]\napp_secret = \"s\"\nverify_token = \"v\"\n"
                      << "[postgres]\nurl = \"postgresql://a@b/c\"\n[redis]\nurl = \"redis://x\"\n"
                      << "[rabbitmq]\nurl = \"amqp://x\"\n";
  auto run = testing::RunProgram({Bin("chatshop-gateway"), "--config", path});
  fs::remove(path);
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.output.find(path + ":3: [http] lisen: unknown key"), std::string::npos)
      << run.output;
}

}  // namespace
}  // namespace chatshop
