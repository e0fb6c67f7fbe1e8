// The real RabbitMQ server stopped and started again under a running gateway (scripts/stack
// down/up rabbitmq). Runs alone (RUN_SERIAL): every other test needs the broker.
#include <gtest/gtest.h>
#include <httplib.h>

#include "support/deployment.h"
#include "support/fixtures.h"
#include "webhook/signature.h"

namespace chatshop {
namespace {

int StackCommand(const std::string& verb) {
  auto run = testing::RunProgram(
      {"/bin/bash", std::string(CHATSHOP_SOURCE_DIR) + "/scripts/stack", verb, "rabbitmq"});
  EXPECT_EQ(run.status, 0) << run.output;
  return run.status;
}

TEST(BrokerRestartTest, StoppedBrokerMeans503AndRestartedBrokerMeans200WithoutAGatewayRestart) {
  testing::Deployment deployment;
  deployment.Start("gateway");
  ASSERT_TRUE(
      testing::WaitFor([&] { return testing::HttpOk(deployment.admin_port(), "/readyz"); }));
  const std::string body = testing::ReadWebhookFixture("01_text_order.json");
  auto post = [&] {
    httplib::Client client("127.0.0.1", deployment.gateway_port());
    client.set_read_timeout(30);
    auto res = client.Post(
        "/webhook", {{"X-Hub-Signature-256", webhook::SignatureHeader(testing::kAppSecret, body)}},
        body, "application/json");
    return res ? res->status : 0;
  };
  ASSERT_EQ(post(), 200);

  ASSERT_EQ(StackCommand("down"), 0);
  EXPECT_EQ(post(), 503) << "nothing durable, so Meta must retry";
  EXPECT_TRUE(
      testing::WaitFor([&] { return !testing::HttpOk(deployment.admin_port(), "/readyz"); }));

  ASSERT_EQ(StackCommand("up"), 0);
  EXPECT_TRUE(testing::WaitFor([&] { return post() == 200; }, std::chrono::seconds(60)))
      << "the gateway did not reconnect by itself";
  // Both accepted bodies are in the durable queue: the one from before the restart survived it.
  EXPECT_EQ(deployment.TakeInbound().size(), 2u);
}

}  // namespace
}  // namespace chatshop
