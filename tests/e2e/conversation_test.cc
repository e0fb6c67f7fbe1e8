// A customer's whole conversation with a shop through the real programs and servers: the
// sandbox plays the customer's phone (texts, taps on buttons and list rows, replies quoting a
// message) and Meta's Graph API.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/metrics.h"
#include "infra/rabbitmq.h"
#include "support/deployment.h"
#include "support/tcp_proxy.h"
#include "webhook/receiver.h"

namespace chatshop {
namespace {

using nlohmann::json;
using testing::BodyText;
using testing::Has;
using testing::HttpOk;
using testing::WaitFor;

// chatshopctl with the deployment's config; fails the test unless it exits 0.
void Ctl(const testing::Deployment& deployment, std::vector<std::string> args) {
  args.insert(args.begin(), {testing::Bin("chatshopctl"), "--config", deployment.config_path()});
  auto run = testing::RunProgram(args);
  EXPECT_EQ(run.status, 0) << run.output;
}

void ImportKiranaCatalog(const testing::Deployment& deployment) {
  Ctl(deployment, {"catalog", "import", "--shop", testing::kShopNumberId,
                   std::string(CHATSHOP_FIXTURES_DIR) + "/catalogs/kirana_catalog.csv"});
}

TEST(ConversationTest, GreetingListOrderWithProblemsReplaceEditAndCheckoutReserves) {
  testing::Deployment deployment;
  ImportKiranaCatalog(deployment);
  Ctl(deployment, {"shop", "set", "--shop", testing::kShopNumberId, "--delivery-fee", "25",
                   "--free-delivery-from", "1000"});
  deployment.Start("sandbox");
  deployment.Start("gateway");
  deployment.Start("worker");
  ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment.sandbox_port(), "/healthz"); }));
  ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment.admin_port(), "/readyz"); }));
  testing::SandboxCustomer customer(deployment.sandbox_port(), "919876543210");

  // The shop's own greeting, set while everything runs: no rebuild, no restart.
  const auto welcome = std::filesystem::temp_directory_path() / testing::UniqueName("welcome");
  std::ofstream(welcome) << "Ram Ram {{customer}}! {{shop}} is open.\n";
  Ctl(deployment, {"template", "set", "--shop", testing::kShopNumberId, "--locale", "en", "welcome",
                   welcome.string()});
  std::filesystem::remove(welcome);

  customer.Says("hi");
  json replies = customer.WaitForReplies(1);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(BodyText(replies[0]["payload"]), "Ram Ram Ramesh! Sharma Kirana is open.");
  EXPECT_EQ(replies[0]["payload"]["interactive"]["type"], "list") << "the categories";

  customer.Taps("v2:cat:0:snacks");
  replies = customer.WaitForReplies(2);
  EXPECT_TRUE(Has(replies[1]["payload"].dump(), "add:MAGGI-70:1")) << "the snacks, to pick";
  customer.Taps("v2:add:MAGGI-70:1");
  replies = customer.WaitForReplies(3);
  EXPECT_TRUE(Has(BodyText(replies[2]["payload"]), "1 × Maggi 2-Minute Noodles 70g"));

  // A typed list with one product the shop does not sell and one it has run out of.
  customer.Says("2 atta, 1 pizza, 2 kurkure");
  replies = customer.WaitForReplies(5);
  ASSERT_EQ(replies.size(), 5u);
  const std::string problems = BodyText(replies[3]["payload"]);
  EXPECT_TRUE(Has(problems, "I couldn't find \"pizza\".")) << problems;
  EXPECT_TRUE(Has(problems, "Kurkure Masala Munch 90g is out of stock.")) << problems;
  const json choices = replies[4]["payload"];
  EXPECT_EQ(choices["interactive"]["type"], "list");
  EXPECT_TRUE(Has(choices.dump(), "fix:swap:KURKURE:LAYS-CLASSIC")) << choices.dump();
  EXPECT_TRUE(Has(choices.dump(), "order:cancel"));

  customer.Taps("v2:fix:swap:KURKURE:LAYS-CLASSIC");
  replies = customer.WaitForReplies(6);
  const json bill = replies[5]["payload"];
  const std::string bill_text = BodyText(bill);
  EXPECT_TRUE(
      Has(bill_text, "Replaced Kurkure Masala Munch 90g with Lays Classic Salted Chips 52g."));
  EXPECT_TRUE(Has(bill_text, "1 × Maggi 2-Minute Noodles 70g @ ₹14.00 = ₹14.00")) << bill_text;
  EXPECT_TRUE(Has(bill_text, "2 × Aashirvaad Whole Wheat Atta 5kg @ ₹289.00 = ₹578.00"));
  EXPECT_TRUE(Has(bill_text, "2 × Lays Classic Salted Chips 52g @ ₹20.00 = ₹40.00"));
  EXPECT_TRUE(
      Has(bill_text, "Subtotal: ₹632.00\nDelivery: ₹25.00 (free from ₹1,000.00)\n*Total: ₹657.00*"))
      << bill_text;

  // The customer replies to the bill with a new quantity.
  customer.Says("maggi 3", replies[5]["id"]);
  replies = customer.WaitForReplies(7);
  EXPECT_TRUE(Has(BodyText(replies[6]["payload"]), "3 × Maggi 2-Minute Noodles 70g"))
      << BodyText(replies[6]["payload"]);

  customer.Taps("v2:cart:checkout");
  replies = customer.WaitForReplies(8);
  ASSERT_EQ(replies.size(), 8u);
  const std::string checkout = BodyText(replies[7]["payload"]);
  EXPECT_EQ(checkout.rfind("*Order #1001* is reserved for you for 30 minutes.", 0), 0u) << checkout;
  EXPECT_TRUE(Has(checkout, "*Total: ₹685.00*")) << checkout;

  const auto& db = deployment.schema();
  EXPECT_EQ(db.QueryValue("SELECT status || ' ' || total_minor FROM orders"),
            "awaiting_payment 68500");
  EXPECT_EQ(db.QueryValue("SELECT stock FROM products WHERE sku = 'LAYS-CLASSIC'"), "58")
      << "checkout reserved the stock";
  EXPECT_EQ(db.QueryValue("SELECT state->>'order_id' FROM conversations"),
            db.QueryValue("SELECT id FROM orders"));
  EXPECT_EQ(db.QueryValue("SELECT count(*) FROM inbox"), "7");
  EXPECT_EQ(db.QueryValue("SELECT count(*) FROM outbox WHERE status = 'sent'"), "8");

  // Every message the customer sent was marked read as its answer went out (blue ticks).
  httplib::Client sandbox("127.0.0.1", deployment.sandbox_port());
  auto chat = sandbox.Get(("/sandbox/chat?number=" + customer.wa_id()).c_str());
  ASSERT_TRUE(chat && chat->status == 200);
  const json page = json::parse(chat->body);
  int read = 0;
  for (const auto& entry : page["entries"]) {
    if (entry["dir"] == "in" &&
        page["statuses"].value(entry["id"].get<std::string>(), "") == "read")
      ++read;
  }
  EXPECT_EQ(read, 7) << chat->body.substr(0, 2000);
}

// The worker commits a message's effects and dies before RabbitMQ hears its ack: the broker
// hands the message to the next worker, which must not answer it a second time.
TEST(ConversationTest, CrashBetweenCommitAndAckSendsNoSecondReply) {
  const auto stack = testing::StackConfig();
  testing::TcpProxy proxy(std::stoi(stack.rabbitmq.url.substr(stack.rabbitmq.url.rfind(':') + 1)));
  testing::Deployment deployment("amqp://guest:guest@127.0.0.1:" + std::to_string(proxy.port()));
  ImportKiranaCatalog(deployment);
  deployment.Start("sandbox");
  // The bot's broker connection goes through the proxy; the sender's does not, so replies
  // still leave while the bot's acks are held.
  deployment.StartAs("bot", "worker", {"--role", "bot"});
  deployment.StartAs("sender", "worker", {"--role", "sender"},
                     {"CHATSHOP_RABBITMQ_URL=" + stack.rabbitmq.url});
  ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment.sandbox_port(), "/healthz"); }));
  testing::SandboxCustomer customer(deployment.sandbox_port(), "919876543210");

  // Events go straight to the broker (the gateway would go through the held proxy too).
  infra::RabbitSettings direct = deployment.rabbit();
  direct.url = stack.rabbitmq.url;
  common::MetricsRegistry metrics;
  infra::RabbitPublisher publisher(direct, metrics);
  publisher.Start();
  auto publish = [&](const std::string& wamid, const std::string& text) {
    whatsapp::InboundEvent event;
    event.phone_number_id = testing::kShopNumberId;
    event.customer = customer.wa_id();
    event.id = wamid;
    event.timestamp = 1785900000;
    event.type = "text";
    event.raw = {
        {"from", customer.wa_id()}, {"id", wamid}, {"type", "text"}, {"text", {{"body", text}}}};
    event.data = event.raw["text"];
    webhook::QueueMessage message{
        webhook::QueueMessage::Route::kInbound,
        webhook::ShardFor(event.phone_number_id, event.customer, direct.inbound_shards), wamid, "",
        event.ToJson().dump()};
    ASSERT_TRUE(publisher.PublishConfirmed({message}));
  };

  publish("wamid.CRASH1", "2 maggi");
  ASSERT_EQ(customer.WaitForReplies(1).size(), 1u) << "the worker is consuming";

  // Let the first message's ack through the proxy, then hold: from now on the worker's acks do
  // not reach the broker.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  proxy.Hold();
  publish("wamid.CRASH2", "1 bread");
  ASSERT_EQ(customer.WaitForReplies(2).size(), 2u) << "committed and sent";
  deployment.Kill("bot");
  proxy.Cut();  // the dead worker's connection closes: the broker requeues what it held
  infra::RabbitNames names{direct.name_prefix};
  auto waiting = [&] {
    size_t depth = 0;
    for (int shard = 0; shard < direct.inbound_shards; ++shard) {
      depth += infra::QueueDepth(direct, names.InboundQueue(shard)).value_or(0);
    }
    return depth;
  };
  ASSERT_TRUE(WaitFor([&] { return waiting() >= 1; })) << "the unacknowledged message is back";
  proxy.Release();
  proxy.Restore();

  deployment.StartAs("bot2", "worker", {"--role", "bot"});
  ASSERT_TRUE(WaitFor([&] { return waiting() == 0; })) << "the new worker took it";
  publish("wamid.CRASH3", "1 sugar");  // handled after the redelivery (same customer, in order)
  const json replies = customer.WaitForReplies(3);
  EXPECT_EQ(replies.size(), 3u);
  EXPECT_TRUE(Has(BodyText(replies[2]["payload"]), "1 × Sugar 1kg"));
  const auto& db = deployment.schema();
  EXPECT_EQ(db.QueryValue("SELECT count(*) FROM outbox WHERE caused_by = 'wamid.CRASH2'"), "1");
  EXPECT_EQ(db.QueryValue("SELECT count(*) FROM outbox"), "3");
  EXPECT_EQ(db.QueryValue("SELECT state->'cart'->1->>'qty' FROM conversations"), "1")
      << "bread counted once";
}

}  // namespace
}  // namespace chatshop
