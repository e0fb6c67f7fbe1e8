// One WhatsApp text message through every process and server and back out as a reply:
// sandbox (customer side) → gateway → RabbitMQ → worker → PostgreSQL → outbox → sandbox
// (Graph API side).
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/deployment.h"

namespace chatshop {
namespace {

using nlohmann::json;
using testing::HttpOk;
using testing::WaitFor;

constexpr const char* kCustomer = "919876543210";

class MessageRoundTripTest : public ::testing::Test {
 protected:
  httplib::Client Sandbox() { return httplib::Client("127.0.0.1", deployment_.sandbox_port()); }

  json RepliesTo(const std::string& customer) {
    auto res = Sandbox().Get(("/sandbox/messages?to=" + customer).c_str());
    return res && res->status == 200 ? json::parse(res->body) : json::array();
  }

  // The customer sends `text`; returns the wamid the sandbox gave the message.
  std::string CustomerSays(const std::string& text) {
    json body = {{"phone_number_id", testing::kShopNumberId},
                 {"from", kCustomer},
                 {"name", "Ramesh"},
                 {"text", text}};
    auto res = Sandbox().Post("/sandbox/customer/messages", body.dump(), "application/json");
    EXPECT_TRUE(res);
    if (!res) return "";
    EXPECT_EQ(res->status, 200) << res->body;
    return json::parse(res->body).value("wamid", "");
  }

  testing::Deployment deployment_;
};

TEST_F(MessageRoundTripTest, OneReplyPerMessageEvenWhenMetaRedelivers) {
  deployment_.Start("sandbox");
  deployment_.Start("gateway");
  ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment_.sandbox_port(), "/healthz"); }));
  ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment_.admin_port(), "/readyz"); }));

  // With no worker running, the gateway's 200 means the event waits durably in its queue.
  const std::string first = CustomerSays("2 atta, 1 kg sugar, maggi x5");
  ASSERT_FALSE(first.empty());
  infra::RabbitNames names{deployment_.rabbit().name_prefix};
  auto depth = *infra::QueueDepth(deployment_.rabbit(), names.InboundQueue(0)) +
               *infra::QueueDepth(deployment_.rabbit(), names.InboundQueue(1));
  EXPECT_EQ(depth, 1u);
  EXPECT_TRUE(RepliesTo(kCustomer).empty());

  deployment_.Start("worker");
  ASSERT_TRUE(WaitFor([&] { return RepliesTo(kCustomer).size() >= 1; }))
      << "no reply reached the sandbox";
  json replies = RepliesTo(kCustomer);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0]["phone_number_id"], testing::kShopNumberId);
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
  CustomerSays("and 1 Amul butter");
  ASSERT_TRUE(WaitFor([&] { return RepliesTo(kCustomer).size() >= 2; }));
  EXPECT_EQ(RepliesTo(kCustomer).size(), 2u);
  const auto& db = deployment_.schema();
  EXPECT_EQ(db.QueryValue("SELECT count(*) FROM inbox"), "2");
  EXPECT_EQ(db.QueryValue("SELECT count(*) FROM outbox"), "2");
  EXPECT_EQ(db.QueryValue("SELECT count(DISTINCT caused_by) FROM outbox WHERE status = 'sent'"),
            "2");
  EXPECT_EQ(db.QueryValue("SELECT count(*) FROM outbox WHERE caused_by = '" + first + "'"), "1");
}

// Runs chatshop-gateway on a config file with `http_and_whatsapp` as its first two sections
// (and valid others); returns the exit status and output, and the file's path in `path`.
testing::RunResult GatewayWithConfig(const std::string& http_and_whatsapp, std::string& path) {
  namespace fs = std::filesystem;
  path = (fs::temp_directory_path() / testing::UniqueName("config")).string() + ".toml";
  std::ofstream(path) << http_and_whatsapp
                      << "[postgres]\nurl = \"postgresql://a@b/c\"\n[redis]\nurl = \"redis://x\"\n"
                      << "[rabbitmq]\nurl = \"amqp://x\"\n";
  auto run = testing::RunProgram({testing::Bin("chatshop-gateway"), "--config", path});
  fs::remove(path);
  return run;
}

TEST(GatewayConfigTest, WrongKeyIsReportedWithFileKeyAndProblem) {
  std::string path;
  auto run = GatewayWithConfig(
      "[http]\nlisten = \"127.0.0.1:1\"\nlisen = \"x\"\n"
      "[whatsapp]\napp_secret = \"s\"\nverify_token = \"v\"\n",
      path);
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.output.find(path + ":3: [http] lisen: unknown key"), std::string::npos)
      << run.output;
}

TEST(GatewayConfigTest, NoAppSecretMeansNoGateway) {
  std::string path;
  auto run = GatewayWithConfig(
      "[http]\nlisten = \"127.0.0.1:1\"\n[whatsapp]\napp_secret = \"\"\nverify_token = \"v\"\n",
      path);
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.output.find("[whatsapp] app_secret: must not be empty"), std::string::npos)
      << run.output;
}

}  // namespace
}  // namespace chatshop
