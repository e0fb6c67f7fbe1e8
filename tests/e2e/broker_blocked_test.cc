// The stack's real RabbitMQ under a memory alarm (rabbitmqctl set_vm_memory_high_watermark 0):
// it sends connection.blocked and stops reading publishes. Runs alone (RUN_SERIAL): every other
// test publishes to this broker.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>

#include "support/deployment.h"
#include "support/fixtures.h"
#include "webhook/signature.h"

namespace chatshop {
namespace {

using namespace std::chrono_literals;

testing::RunResult RabbitCtl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/bin/bash", std::string(CHATSHOP_SOURCE_DIR) + "/scripts/stack",
                                   "rabbitmqctl", "-q"};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::RunProgram(argv);
}

// Lifts the alarm whatever happens in the test: the broker is shared.
struct AlarmGuard {
  ~AlarmGuard() { RabbitCtl({"set_vm_memory_high_watermark", "0.4"}); }
};

std::string TextWebhook(const std::string& wamid) {
  std::string body = testing::ReadWebhookFixture("01_text_order.json");
  const std::string original =
      "wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhggQjFFMEZFMUNFMTc5OUJBRDU5MTk3NzQzRDlCQUNENDkA";
  body.replace(body.find(original), original.size(), wamid);
  return body;
}

std::string Readiness(int admin_port) {
  httplib::Client client("127.0.0.1", admin_port);
  auto res = client.Get("/readyz");
  return res ? std::to_string(res->status) + " " + res->body : "";
}

TEST(BrokerBlockedTest, ResourceAlarmMeansNotReadyAnd503AndNothingPublishedLater) {
  testing::Deployment deployment;
  deployment.StartAs("gateway", "gateway", {}, {"CHATSHOP_RABBITMQ_PUBLISH_TIMEOUT_MS=1500"});
  ASSERT_TRUE(
      testing::WaitFor([&] { return testing::HttpOk(deployment.admin_port(), "/readyz"); }));
  auto post = [&](const std::string& id) {
    const std::string body = TextWebhook(id);
    httplib::Client client("127.0.0.1", deployment.gateway_port());
    client.set_read_timeout(30);
    auto res = client.Post(
        "/webhook", {{"X-Hub-Signature-256", webhook::SignatureHeader(testing::kAppSecret, body)}},
        body, "application/json");
    return res ? res->status : 0;
  };
  ASSERT_EQ(post("wamid.before-alarm"), 200);

  AlarmGuard guard;
  auto raised = RabbitCtl({"set_vm_memory_high_watermark", "0"});
  ASSERT_EQ(raised.status, 0) << raised.output;
  // RabbitMQ blocks a connection when it next publishes; this one is answered 503 (by the
  // blocked notice or by the publish deadline), and tells the gateway the broker blocks.
  EXPECT_EQ(post("wamid.first-under-alarm"), 503);
  EXPECT_TRUE(testing::WaitFor([&] {
    return Readiness(deployment.admin_port()).find("503 rabbitmq: ") == 0 &&
           Readiness(deployment.admin_port()).find("blocking") != std::string::npos;
  })) << Readiness(deployment.admin_port());
  // Known blocked: refused at once, never written to the broker.
  const auto sent = std::chrono::steady_clock::now();
  EXPECT_EQ(post("wamid.known-blocked"), 503);
  EXPECT_LT(std::chrono::steady_clock::now() - sent, 1500ms) << "should not wait for a deadline";

  auto lowered = RabbitCtl({"set_vm_memory_high_watermark", "0.4"});
  ASSERT_EQ(lowered.status, 0) << lowered.output;
  EXPECT_TRUE(testing::WaitFor([&] { return testing::HttpOk(deployment.admin_port(), "/readyz"); }))
      << Readiness(deployment.admin_port());
  EXPECT_TRUE(testing::WaitFor([&] { return post("wamid.after-alarm") == 200; }));

  std::vector<std::string> queued;
  for (const auto& d : deployment.TakeInbound()) queued.push_back(d.message_id);
  auto has = [&](const std::string& id) { return std::count(queued.begin(), queued.end(), id); };
  EXPECT_EQ(has("wamid.before-alarm"), 1);
  EXPECT_EQ(has("wamid.after-alarm"), 1);
  EXPECT_EQ(has("wamid.known-blocked"), 0) << "a body answered 503 while blocked was published";
  EXPECT_LE(has("wamid.first-under-alarm"), 1);
}

}  // namespace
}  // namespace chatshop
