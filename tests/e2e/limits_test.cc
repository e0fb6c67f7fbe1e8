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
  ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment.admin_port(), "/readyz"); }));
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

// The per-message caps as the worker reads them from its config (here from the environment,
// CHATSHOP_LIMITS_*): a message over message_chars_max is answered "split it" and not parsed,
// a cart stops at cart_lines_max, and the conversation goes on.
TEST(LimitsTest, AnOverlongListAndAFullCartGetClearAnswers) {
  testing::Deployment deployment;
  auto run =
      testing::RunProgram({testing::Bin("chatshopctl"), "--config", deployment.config_path(),
                           "catalog", "import", "--shop", testing::kShopNumberId,
                           std::string(CHATSHOP_FIXTURES_DIR) + "/catalogs/kirana_catalog.csv"});
  ASSERT_EQ(run.status, 0) << run.output;
  deployment.Start("sandbox");
  deployment.Start("gateway");
  deployment.StartAs("worker", "worker", {},
                     {"CHATSHOP_LIMITS_MESSAGE_CHARS_MAX=500", "CHATSHOP_LIMITS_CART_LINES_MAX=2"});
  ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment.sandbox_port(), "/healthz"); }));
  ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment.admin_port(), "/readyz"); }));
  testing::SandboxCustomer customer(deployment.sandbox_port(), "919876543210");

  std::string list;
  while (list.size() <= 500) list += "2 maggi, 1 kg sugar, ";
  customer.Says(list);
  json replies = customer.WaitForReplies(1);
  ASSERT_EQ(replies.size(), 1u);
  const std::string too_long = BodyText(replies[0]["payload"]);
  EXPECT_NE(too_long.find("too long for me to read (" + std::to_string(list.size()) +
                          " characters; I read up to 500)"),
            std::string::npos)
      << too_long;
  const auto& db = deployment.schema();
  EXPECT_EQ(db.QueryValue("SELECT jsonb_array_length(state->'cart') FROM conversations"), "0");

  customer.Says("2 maggi, 1 kg sugar, 1 paneer");
  replies = customer.WaitForReplies(2);
  ASSERT_EQ(replies.size(), 2u);
  const std::string bill = BodyText(replies[1]["payload"]);
  EXPECT_NE(bill.find("one order can have at most 2 different products, so I could not add "
                      "Amul Malai Paneer 200g"),
            std::string::npos)
      << bill;
  EXPECT_NE(bill.find("2 × Maggi 2-Minute Noodles 70g"), std::string::npos) << bill;
  EXPECT_EQ(db.QueryValue("SELECT jsonb_array_length(state->'cart') FROM conversations"), "2");
}

}  // namespace
}  // namespace chatshop
