// An order from checkout to delivery through the real programs: the customer pays with a
// screenshot, the owner approves in their own WhatsApp and moves the order along; and the
// reject-then-pay-again path. Every message each side receives is checked.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/deployment.h"

namespace chatshop {
namespace {

using nlohmann::json;
using testing::BodyText;
using testing::ButtonIds;
using testing::Has;
using testing::HttpOk;
using testing::WaitFor;

constexpr const char* kOwner = "919800000001";

class OrdersE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Ctl({"catalog", "import", "--shop", testing::kShopNumberId,
         std::string(CHATSHOP_FIXTURES_DIR) + "/catalogs/kirana_catalog.csv"});
    Ctl({"shop", "set", "--shop", testing::kShopNumberId, "--upi-vpa", "sharmakirana@okaxis",
         "--delivery-fee", "30", "--free-delivery-from", "500"});
    Ctl({"owner", "add", "--shop", testing::kShopNumberId, "--phone", kOwner, "--name",
         "Mr Sharma"});
    deployment_.Start("sandbox");
    deployment_.Start("gateway");
    deployment_.StartAs("worker", "worker", {}, WorkerEnvironment());
    ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment_.sandbox_port(), "/healthz"); }));
    ASSERT_TRUE(WaitFor([&] { return HttpOk(deployment_.admin_port(), "/readyz"); }));
  }
  // Config overrides of the worker (CHATSHOP_<SECTION>_<KEY>=value).
  virtual std::vector<std::string> WorkerEnvironment() const { return {}; }
  void Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {testing::Bin("chatshopctl"), "--config", deployment_.config_path()});
    auto run = testing::RunProgram(args);
    ASSERT_EQ(run.status, 0) << run.output;
  }
  // The customer fills a cart with `list` and checks out; returns the order's number.
  std::string Checkout(testing::SandboxCustomer& customer, const std::string& list, size_t before) {
    customer.Says(list);
    customer.WaitForReplies(before + 1);
    customer.Taps("v2:cart:checkout");
    const json replies = customer.WaitForReplies(before + 2);
    const std::string request = BodyText(replies[before + 1]["payload"]);
    EXPECT_TRUE(Has(request, "is reserved for you for 30 minutes")) << request;
    EXPECT_TRUE(Has(request, "upi://pay?pa=sharmakirana@okaxis&pn=Sharma%20Kirana")) << request;
    return deployment_.schema().QueryValue("SELECT max(number) FROM orders WHERE customer = '" +
                                           customer.wa_id() + "'");
  }
  std::string OrderId(const std::string& number) {
    return deployment_.schema().QueryValue("SELECT id FROM orders WHERE number = " + number);
  }
  std::string Button(const std::string& verb, const std::string& number) {
    return "v2:own:" + verb + ":" + OrderId(number) + ":" +
           deployment_.schema().QueryValue("SELECT nonce FROM orders WHERE number = " + number);
  }

  testing::Deployment deployment_;
};

TEST_F(OrdersE2eTest, PayWithAScreenshotOwnerApprovesPacksAndDelivers) {
  testing::SandboxCustomer customer(deployment_.sandbox_port(), "919876543210");
  testing::SandboxCustomer owner(deployment_.sandbox_port(), kOwner, "Mr Sharma");
  const std::string number = Checkout(customer, "2 maggi, 1 atta", 0);
  ASSERT_EQ(number, "1001");
  json said = customer.Replies();
  ASSERT_EQ(said.size(), 2u);
  const std::string bill = BodyText(said[0]["payload"]);
  EXPECT_TRUE(Has(bill, "*Your bill from Sharma Kirana*")) << bill;
  EXPECT_TRUE(Has(bill, "2 × Maggi 2-Minute Noodles 70g @ ₹14.00 = ₹28.00")) << bill;
  EXPECT_TRUE(Has(bill, "1 × Aashirvaad Whole Wheat Atta 5kg @ ₹289.00 = ₹289.00")) << bill;
  EXPECT_TRUE(Has(bill, "Delivery: ₹30.00")) << bill;
  EXPECT_TRUE(Has(bill, "*Total: ₹347.00*")) << bill;
  EXPECT_EQ(ButtonIds(said[0]["payload"]), "v2:cart:checkout v2:cart:edit v2:cart:cancel ");
  const std::string request = BodyText(said[1]["payload"]);
  EXPECT_TRUE(Has(request, "*Order #1001* is reserved for you for 30 minutes.")) << request;
  EXPECT_TRUE(Has(request, "Then send the payment screenshot here.")) << request;
  EXPECT_TRUE(Has(request, "₹347.00")) << request;
  EXPECT_TRUE(Has(request, "&am=347.00&cu=INR&tn=Order%20%231001")) << request;

  const std::string screenshot = "\x89PNG\r\n\x1a\nUPI payment of Rs 347 to sharmakirana@okaxis";
  customer.SendsMedia(screenshot, "image/png");
  said = customer.WaitForReplies(3);
  EXPECT_EQ(BodyText(said[2]["payload"]),
            "Thank you! Your payment for order #1001 has gone to the shop for approval.");

  // The media worker fetched the picture, kept it and showed it to the owner.
  json heard = owner.WaitForReplies(1);
  ASSERT_EQ(heard.size(), 1u);
  const json& proof = heard[0]["payload"];
  EXPECT_EQ(proof["interactive"]["header"]["type"], "image");
  const std::string uploaded = proof["interactive"]["header"]["image"]["id"];
  EXPECT_EQ(uploaded.rfind("SBXUPLOAD", 0), 0u);
  EXPECT_TRUE(Has(BodyText(proof), "Payment screenshot for *order #1001* from +919876543210"))
      << BodyText(proof);
  EXPECT_TRUE(Has(BodyText(proof), "*Total: ₹347.00*")) << BodyText(proof);
  EXPECT_EQ(ButtonIds(proof), Button("approve", number) + " " + Button("reject", number) + " ");
  const std::string first_approve = Button("approve", number);
  const auto& db = deployment_.schema();
  const std::string sha =
      db.QueryValue("SELECT sha256 FROM payment_proofs WHERE status = 'stored'");
  ASSERT_EQ(sha.size(), 64u);
  EXPECT_TRUE(std::filesystem::exists(db.QueryValue("SELECT path FROM payment_proofs")));

  struct Step {
    const char* verb;
    const char* owner_reads;
    const char* customer_reads;
    const char* next_button;
  };
  const Step steps[] = {
      {"approve", "Order #1001 is now confirmed.",
       "Your payment for order #1001 is approved. The shop is packing it now.", "pack"},
      {"pack", "Order #1001 is now packed.", "Order #1001 is packed.", "out"},
      {"out", "Order #1001 is now out for delivery.", "Order #1001 is out for delivery.",
       "deliver"},
      {"deliver", "Order #1001 is now delivered.",
       "Order #1001 is delivered. Thank you for shopping with Sharma Kirana!", nullptr},
  };
  size_t owner_count = 1, customer_count = 3;
  for (const auto& step : steps) {
    owner.Taps(Button(step.verb, number));
    heard = owner.WaitForReplies(++owner_count);
    said = customer.WaitForReplies(++customer_count);
    ASSERT_EQ(heard.size(), owner_count) << step.verb;
    ASSERT_EQ(said.size(), customer_count) << step.verb;
    EXPECT_TRUE(Has(BodyText(heard.back()["payload"]), step.owner_reads))
        << BodyText(heard.back()["payload"]);
    EXPECT_EQ(BodyText(said.back()["payload"]), step.customer_reads);
    if (step.next_button != nullptr) {
      EXPECT_EQ(ButtonIds(heard.back()["payload"]), Button(step.next_button, number) + " ");
    }
  }
  // Pressing the notice's Approve again changes nothing and tells the customer nothing.
  owner.Taps(first_approve);
  heard = owner.WaitForReplies(owner_count + 1);
  EXPECT_TRUE(Has(BodyText(heard.back()["payload"]),
                  "This button is from an older notice of *order #1001*, which is now delivered"))
      << BodyText(heard.back()["payload"]);
  EXPECT_EQ(customer.Replies().size(), customer_count);

  EXPECT_EQ(db.QueryValue("SELECT status || ' ' || payment_method FROM orders"), "delivered upi");
  EXPECT_EQ(db.QueryValue("SELECT string_agg(to_status, ' ' ORDER BY id) FROM order_events"),
            "awaiting_payment payment_review confirmed packed out_for_delivery delivered");
  EXPECT_EQ(db.QueryValue("SELECT stock FROM products WHERE sku = 'MAGGI-70'"), "198");
}

TEST_F(OrdersE2eTest, OwnerRejectsTheCustomerPaysAgainAndAReusedScreenshotIsFlagged) {
  testing::SandboxCustomer customer(deployment_.sandbox_port(), "919876543210");
  testing::SandboxCustomer owner(deployment_.sandbox_port(), kOwner, "Mr Sharma");
  const std::string number = Checkout(customer, "1 atta", 0);
  const std::string blurry = "\xff\xd8\xff\xe0 blurry JPEG";
  customer.SendsMedia(blurry, "image/jpeg");
  json said = customer.WaitForReplies(3);
  EXPECT_TRUE(Has(BodyText(said[0]["payload"]), "1 × Aashirvaad Whole Wheat Atta 5kg"));
  EXPECT_TRUE(Has(BodyText(said[1]["payload"]), "upi://pay?pa=sharmakirana@okaxis"));
  EXPECT_TRUE(Has(BodyText(said[2]["payload"]), "has gone to the shop for approval"));
  json first_proof = owner.WaitForReplies(1);
  EXPECT_TRUE(Has(BodyText(first_proof[0]["payload"]), "Payment screenshot for *order #1001*"))
      << BodyText(first_proof[0]["payload"]);
  EXPECT_EQ(ButtonIds(first_proof[0]["payload"]),
            Button("approve", number) + " " + Button("reject", number) + " ");

  owner.Taps(Button("reject", number));
  json heard = owner.WaitForReplies(2);
  EXPECT_TRUE(Has(ButtonIds(heard[1]["payload"]), Button("reject", number) + ":unclear"));
  owner.Taps(Button("reject", number) + ":unclear");
  heard = owner.WaitForReplies(3);
  EXPECT_TRUE(Has(BodyText(heard[2]["payload"]), "Order #1001 is now waiting for payment."));
  said = customer.WaitForReplies(5);
  ASSERT_EQ(said.size(), 5u);
  EXPECT_EQ(BodyText(said[3]["payload"]),
            "The shop could not accept your payment for order #1001: the screenshot is not clear.\n"
            "Please pay again and send the new screenshot, or cancel the order.");
  EXPECT_TRUE(Has(BodyText(said[4]["payload"]), "upi://pay?pa=sharmakirana@okaxis"))
      << "how to pay again";

  customer.SendsMedia("\xff\xd8\xff\xe0 sharp JPEG", "image/jpeg");
  said = customer.WaitForReplies(6);
  EXPECT_TRUE(Has(BodyText(said[5]["payload"]), "has gone to the shop for approval"));
  heard = owner.WaitForReplies(4);
  EXPECT_FALSE(Has(BodyText(heard[3]["payload"]), "already sent")) << "a new picture";
  owner.Taps(Button("approve", number));
  heard = owner.WaitForReplies(5);
  EXPECT_TRUE(Has(BodyText(heard[4]["payload"]), "Order #1001 is now confirmed."))
      << BodyText(heard[4]["payload"]);
  said = customer.WaitForReplies(7);
  EXPECT_EQ(BodyText(said[6]["payload"]),
            "Your payment for order #1001 is approved. The shop is packing it now.");
  EXPECT_EQ(deployment_.schema().QueryValue("SELECT status FROM orders"), "confirmed");

  // Another customer pays with the first customer's (blurry) picture: the owner is warned.
  testing::SandboxCustomer other(deployment_.sandbox_port(), "919811112222");
  const std::string second = Checkout(other, "1 bread", 0);
  other.SendsMedia(blurry, "image/jpeg");
  heard = owner.WaitForReplies(6);
  const std::string warning = BodyText(heard[5]["payload"]);
  EXPECT_TRUE(Has(warning, "order #" + second)) << warning;
  EXPECT_TRUE(Has(warning, "This same screenshot was already sent for order #1001.")) << warning;
  const json other_said = other.WaitForReplies(3);
  ASSERT_EQ(other_said.size(), 3u);
  EXPECT_TRUE(Has(BodyText(other_said[0]["payload"]), "1 × ")) << "the bill";
  EXPECT_TRUE(Has(BodyText(other_said[2]["payload"]), "has gone to the shop for approval"));
  EXPECT_EQ(owner.Replies().size(), 6u) << "nothing else reached the owner";
  EXPECT_EQ(customer.Replies().size(), 7u) << "nothing else reached the first customer";
}

// The cluster's settings (issue 15): screenshots in PostgreSQL ([orders] media_store =
// "postgres"), and catalog reads through [postgres] read_url (here the same database).
class OrdersClusterSettingsE2eTest : public OrdersE2eTest {
 protected:
  std::vector<std::string> WorkerEnvironment() const override {
    return {"CHATSHOP_ORDERS_MEDIA_STORE=postgres",
            "CHATSHOP_POSTGRES_READ_URL=" + deployment_.schema().url()};
  }
};

TEST_F(OrdersClusterSettingsE2eTest, AScreenshotIsKeptInPostgresAndShownToTheOwner) {
  testing::SandboxCustomer customer(deployment_.sandbox_port(), "919876543210");
  testing::SandboxCustomer owner(deployment_.sandbox_port(), kOwner, "Mr Sharma");
  const std::string number = Checkout(customer, "2 maggi, 1 atta", 0);
  ASSERT_EQ(number, "1001");
  const std::string screenshot = "\x89PNG\r\n\x1a\nUPI payment of Rs 347 kept in postgres";
  customer.SendsMedia(screenshot, "image/png");
  json heard = owner.WaitForReplies(1);
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0]["payload"]["interactive"]["header"]["type"], "image");
  EXPECT_TRUE(Has(BodyText(heard[0]["payload"]), "Payment screenshot for *order #1001*"))
      << BodyText(heard[0]["payload"]);

  const auto& db = deployment_.schema();
  const std::string sha =
      db.QueryValue("SELECT sha256 FROM payment_proofs WHERE status = 'stored'");
  ASSERT_EQ(sha.size(), 64u);
  EXPECT_EQ(db.QueryValue("SELECT path FROM payment_proofs"), "pg:" + sha);
  EXPECT_EQ(db.QueryValue("SELECT encode(sha256(bytes), 'hex') || ' ' || size_bytes FROM "
                          "media_blobs WHERE sha256 = '" +
                          sha + "'"),
            sha + " " + std::to_string(screenshot.size()));
  EXPECT_FALSE(std::filesystem::exists(
      std::filesystem::path(deployment_.config_path()).parent_path() / "media"))
      << "nothing was written to media_dir";
}

// The admin's view: chatshopctl orders list, show, advance and cancel, with the owner's rules,
// and the customer told as when the owner acts.
TEST_F(OrdersE2eTest, AnAdminListsShowsAndMovesOrdersWithTheOwnersRules) {
  testing::SandboxCustomer customer(deployment_.sandbox_port(), "919876543210");
  const std::string number = Checkout(customer, "2 maggi", 0);
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {testing::Bin("chatshopctl"), "--config", deployment_.config_path()});
    return testing::RunProgram(args);
  };
  auto list = run({"orders", "list", "--shop", testing::kShopNumberId, "--json"});
  ASSERT_EQ(list.status, 0) << list.output;
  const json orders = json::parse(list.output);
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0]["number"].get<int64_t>(), std::stoll(number));
  EXPECT_EQ(orders[0]["status"], "awaiting_payment");
  auto table = run({"orders", "list", "--shop", testing::kShopNumberId});
  EXPECT_NE(table.output.find("#" + number), std::string::npos) << table.output;
  auto shown = run({"orders", "show", "--shop", testing::kShopNumberId, number});
  ASSERT_EQ(shown.status, 0) << shown.output;
  EXPECT_NE(shown.output.find("2 × Maggi 2-Minute Noodles 70g (MAGGI-70) @ ₹14.00"),
            std::string::npos)
      << shown.output;
  EXPECT_NE(shown.output.find("(new) → awaiting_payment  by customer:919876543210"),
            std::string::npos)
      << shown.output;

  auto early = run({"orders", "advance", "--shop", testing::kShopNumberId, number, "packed"});
  EXPECT_EQ(early.status, 1) << "not paid yet";
  EXPECT_NE(early.output.find("is awaiting_payment: that is not possible now"), std::string::npos)
      << early.output;
  EXPECT_EQ(run({"orders", "advance", "--shop", testing::kShopNumberId, number, "shipped"}).status,
            1);
  EXPECT_EQ(run({"orders", "show", "--shop", testing::kShopNumberId, "999"}).status, 1);

  auto cancelled =
      run({"orders", "cancel", "--shop", testing::kShopNumberId, number, "shop closed today"});
  ASSERT_EQ(cancelled.status, 0) << cancelled.output;
  const json said = customer.WaitForReplies(3);
  EXPECT_EQ(BodyText(said[2]["payload"]),
            "Order #" + number + " was cancelled by the shop: shop closed today.");
  const auto& db = deployment_.schema();
  EXPECT_EQ(db.QueryValue("SELECT stock FROM products WHERE sku = 'MAGGI-70'"), "200")
      << "stock back";
  EXPECT_EQ(
      db.QueryValue("SELECT actor || ' ' || to_status FROM order_events ORDER BY id DESC LIMIT 1"),
      "owner:admin cancelled");
  auto only_cancelled =
      run({"orders", "list", "--shop", testing::kShopNumberId, "--status", "cancelled", "--json"});
  EXPECT_EQ(json::parse(only_cancelled.output).size(), 1u);
  EXPECT_EQ(json::parse(run({"orders", "list", "--shop", testing::kShopNumberId, "--status",
                             "delivered", "--json"})
                            .output)
                .size(),
            0u);
}

// A shop's own reservation time holds its stock that long and tells the customer so.
TEST_F(OrdersE2eTest, AShopsOwnReservationTimeIsUsedAtCheckout) {
  Ctl({"shop", "set", "--shop", testing::kShopNumberId, "--reservation-minutes", "45",
       "--display-number", "+91 98111 22233", "--waba-id", "102290129340398", "--payee-name",
       "Sharma Kirana Stores"});
  testing::SandboxCustomer customer(deployment_.sandbox_port(), "919876543212");
  customer.Says("1 atta");
  customer.WaitForReplies(1);
  customer.Taps("v2:cart:checkout");
  const json replies = customer.WaitForReplies(2);
  EXPECT_TRUE(Has(BodyText(replies[1]["payload"]), "is reserved for you for 45 minutes"))
      << BodyText(replies[1]["payload"]);
  EXPECT_TRUE(Has(BodyText(replies[1]["payload"]), "&pn=Sharma%20Kirana%20Stores&"))
      << "the payee name UPI apps show";
  EXPECT_EQ(deployment_.schema().QueryValue(
                "SELECT round(extract(epoch FROM expires_at - created_at) / 60) FROM orders"),
            "45");
  auto run =
      testing::RunProgram({testing::Bin("chatshopctl"), "--config", deployment_.config_path(),
                           "shop", "show", "--shop", testing::kShopNumberId});
  EXPECT_NE(run.output.find("holds stock 45 minutes"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("number +91 98111 22233, WABA 102290129340398"), std::string::npos)
      << run.output;
  auto refused =
      testing::RunProgram({testing::Bin("chatshopctl"), "--config", deployment_.config_path(),
                           "shop", "set", "--shop", testing::kShopNumberId, "--currency", "USD"});
  EXPECT_EQ(refused.status, 1);
}

// A disabled shop answers nobody; what its customers send is parked, not lost.
TEST_F(OrdersE2eTest, ADisabledShopParksItsMessagesUntilEnabled) {
  testing::SandboxCustomer customer(deployment_.sandbox_port(), "919876543211");
  customer.Says("hi");
  ASSERT_EQ(customer.WaitForReplies(1).size(), 1u);
  Ctl({"shop", "disable", "--shop", testing::kShopNumberId});
  customer.Says("2 maggi");
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(customer.Replies().size(), 1u) << "no answer while disabled";
  const auto parked = deployment_.TakeParked();
  ASSERT_EQ(parked.size(), 1u) << "the message is kept";
  EXPECT_NE(parked[0].body.find("2 maggi"), std::string::npos);
  Ctl({"shop", "enable", "--shop", testing::kShopNumberId});
  customer.Says("2 maggi");
  const json replies = customer.WaitForReplies(2);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_TRUE(Has(BodyText(replies[1]["payload"]), "2 × Maggi 2-Minute Noodles 70g"));
}

// Runs `work(i)` for i in [0, count) on `threads` threads.
template <typename Work>
void InParallel(int count, int threads, Work work) {
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < count; i = next++) work(i);
    });
  }
  for (auto& thread : pool) thread.join();
}

// 200 customers race for the last 10 packs through the real gateway, broker and worker (whose
// two consumer threads take the two shard queues, so checkouts really run at the same time):
// exactly 10 are reserved and every other customer is told what is available.
TEST_F(OrdersE2eTest, TwoHundredCustomersRaceForTenUnitsThroughTheRealWorker) {
  Ctl({"stock", "set", "--shop", testing::kShopNumberId, "MAGGI-70", "10"});
  constexpr int kCustomers = 200;
  std::vector<testing::SandboxCustomer> customers;
  for (int i = 0; i < kCustomers; ++i) {
    customers.emplace_back(deployment_.sandbox_port(), "9197" + std::to_string(10000000 + i),
                           "Customer " + std::to_string(i));
  }
  const auto& db = deployment_.schema();
  auto handled = [&](int count) {
    return WaitFor(
        [&] { return db.QueryValue("SELECT count(*) FROM inbox") == std::to_string(count); },
        std::chrono::seconds(120));
  };
  // Everyone fills a cart while the stock lasts…
  InParallel(kCustomers, 8, [&](int i) { customers[i].Says("1 maggi"); });
  ASSERT_TRUE(handled(kCustomers));
  // A tap is only accepted on a button the sandbox has delivered: wait for every bill to be sent.
  ASSERT_TRUE(WaitFor(
      [&] {
        return db.QueryValue("SELECT count(*) FROM outbox WHERE status <> 'sent'") == "0" &&
               std::stoi("0" + db.QueryValue("SELECT count(*) FROM outbox")) >= kCustomers;
      },
      std::chrono::seconds(120)));
  // …then everyone taps Checkout at once.
  InParallel(kCustomers, 8, [&](int i) { customers[i].Taps("v2:cart:checkout"); });
  ASSERT_TRUE(handled(2 * kCustomers));
  ASSERT_TRUE(WaitFor(
      [&] { return db.QueryValue("SELECT count(*) FROM outbox WHERE status <> 'sent'") == "0"; },
      std::chrono::seconds(120)));

  int reserved = 0, told = 0;
  for (const auto& customer : customers) {
    const json replies = customer.Replies();
    ASSERT_GE(replies.size(), 2u) << customer.wa_id();
    EXPECT_TRUE(Has(BodyText(replies[0]["payload"]), "1 × Maggi 2-Minute Noodles 70g"))
        << customer.wa_id();
    std::string after_checkout;
    for (size_t r = 1; r < replies.size(); ++r)
      after_checkout += BodyText(replies[r]["payload"]) + "\n";
    if (Has(after_checkout, "is reserved for you")) {
      ++reserved;
    } else if (Has(after_checkout, "Maggi 2-Minute Noodles 70g") &&
               Has(after_checkout, "out of stock")) {
      ++told;
    } else {
      ADD_FAILURE() << customer.wa_id() << " was told neither: " << after_checkout;
    }
  }
  EXPECT_EQ(reserved, 10);
  EXPECT_EQ(told, kCustomers - 10);
  EXPECT_EQ(db.QueryValue("SELECT count(*) FROM orders WHERE status = 'awaiting_payment'"), "10");
  EXPECT_EQ(db.QueryValue("SELECT sum(qty) FROM reservations WHERE NOT released"), "10");
  EXPECT_EQ(db.QueryValue("SELECT stock FROM products WHERE sku = 'MAGGI-70'"), "0");
}

}  // namespace
}  // namespace chatshop
