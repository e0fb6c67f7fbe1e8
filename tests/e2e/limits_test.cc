// Limits per customer (issue 13) through the real programs: a customer who floods the shop is
// answered for the first [limits] customer_messages_per_minute messages, told once to slow
// down, and every message is still kept.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/deployment.h"

namespace chatshop {
namespace {

using nlohmann::json;
using testing::BodyText;
using testing::HttpOk;
using testing::WaitFor;

TEST(LimitsTest, ABurstOfTwentyFiveGetsTwentyAnswersAndOneSlowDown) {
  testing::Deployment deployment;
  auto run =
      testing::RunProgram({testing::Bin("chatshopctl"), "--config", deployment.config_path(),
                           "catalog", "import", "--shop", testing::kShopNumberId,
                           std::string(CHATSHOP_FIXTURES_DIR) + "/catalogs/kirana_catalog.csv"});
  ASSERT_EQ(run.status, 0) << run.output;
  deployment.Start("sandbox");
  deployment.Start("gateway");
  deployment.Start("worker");  // the default limit: 20 a minute
  ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment.sandbox_port(), "/healthz"); }));
  ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment.gateway_port(), "/readyz"); }));
  testing::SandboxCustomer flooder(deployment.sandbox_port(), "919876543210");
  testing::SandboxCustomer neighbour(deployment.sandbox_port(), "919811111111", "Sita");

  std::vector<std::string> sent;
  for (int i = 0; i < 25; ++i) sent.push_back(flooder.Says("help"));
  const auto& db = deployment.schema();
  // Every reply is written in the transaction of the message it answers: once all 25 are in
  // the inbox, the outbox holds every reply there will ever be.
  ASSERT_TRUE(WaitFor([&] { return db.QueryValue("SELECT count(*) FROM inbox") == "25"; }))
      << db.QueryValue("SELECT count(*) FROM inbox");
  EXPECT_EQ(db.QueryValue("SELECT count(*) FROM outbox"), "21");
  EXPECT_EQ(db.QueryValue("SELECT count(*) FROM inbox WHERE rate_limited"), "5");
  std::string last_five;
  for (int i = 20; i < 25; ++i) last_five += (last_five.empty() ? "" : ",") + sent[i];
  EXPECT_EQ(db.QueryValue("SELECT string_agg(wamid, ',' ORDER BY received_at, wamid) FROM inbox "
                          "WHERE rate_limited"),
            last_five)
      << "the first twenty were answered, the last five kept unanswered";

  const json replies = flooder.WaitForReplies(21);
  ASSERT_EQ(replies.size(), 21u);
  int help = 0, slow_down = 0;
  for (const auto& reply : replies) {
    const std::string text = BodyText(reply["payload"]);
    if (text.find("Type your list") != std::string::npos) ++help;
    if (text.find("faster than I can keep up with (more than 20 a minute)") != std::string::npos) {
      ++slow_down;
    }
  }
  EXPECT_EQ(help, 20);
  EXPECT_EQ(slow_down, 1);
  EXPECT_NE(BodyText(replies[20]["payload"]).find("Please wait a minute"), std::string::npos);

  // Another customer of the same shop is answered at once.
  neighbour.Says("help");
  const json theirs = neighbour.WaitForReplies(1);
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_NE(BodyText(theirs[0]["payload"]).find("Type your list"), std::string::npos);
}

}  // namespace
}  // namespace chatshop
