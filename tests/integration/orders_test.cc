// Orders on the real PostgreSQL: the worker's processor and clock with the real stores, so
// reservations, row locks and compensations are the database's, not a fake's.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "infra/migrations.h"
#include "infra/pg_catalog_store.h"
#include "infra/pg_inbound_store.h"
#include "infra/pg_order_clock_store.h"
#include "infra/pg_outbox_store.h"
#include "infra/pg_shop_directory.h"
#include "integration/fixtures.h"
#include "orders/catalog.h"
#include "service/inbound_processor.h"
#include "service/order_clock.h"
#include "support/fixtures.h"
#include "support/stack.h"

namespace chatshop {
namespace {

using nlohmann::json;

constexpr const char* kShop = "106540352242922";
constexpr const char* kOwner = "919800000001";

class OrdersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::AddFixtureShop(schema_.url(), shop_id_));
    ASSERT_NO_FATAL_FAILURE(testing::ImportKiranaCatalog(schema_.url(), shop_id_));
    ASSERT_NO_FATAL_FAILURE(testing::LoadWorkerTemplates(templates_));
  }

  static whatsapp::InboundEvent Message(const std::string& from, const std::string& wamid,
                                        const std::string& type, json data) {
    whatsapp::InboundEvent e;
    e.phone_number_id = kShop;
    e.customer = from;
    e.id = wamid;
    e.timestamp = 1785900000;
    e.type = type;
    e.data = data;
    e.raw = {{"from", from}, {"id", wamid}, {"type", type}, {type, data}};
    return e;
  }
  static whatsapp::InboundEvent Text(const std::string& from, const std::string& wamid,
                                     const std::string& body) {
    return Message(from, wamid, "text", {{"body", body}});
  }
  static whatsapp::InboundEvent Tap(const std::string& from, const std::string& wamid,
                                    const std::string& id) {
    return Message(from, wamid, "interactive",
                   {{"type", "button_reply"}, {"button_reply", {{"id", id}, {"title", "x"}}}});
  }

  // One worker thread's processor on the real stores.
  struct Worker {
    Worker(const std::string& url, const common::TemplateSet& templates, common::MetricsRegistry& m)
        : store(url), catalogs(url), processor(store, &catalogs, templates, m) {}
    infra::PgInboundStore store;
    testing::DirectCatalog catalogs;
    service::InboundProcessor processor;
  };
  void Handle(Worker& worker, const whatsapp::InboundEvent& event) {
    ASSERT_EQ(worker.processor.Handle(event).disposition, service::Disposition::kAck) << event.id;
  }
  std::string Q(const std::string& sql) { return schema_.QueryValue(sql); }
  // Bodies of the replies queued for `to`, oldest first.
  std::vector<std::string> Said(const std::string& to) {
    std::vector<std::string> bodies;
    const int n = std::stoi(Q("SELECT count(*) FROM outbox WHERE recipient = '" + to + "'"));
    for (int i = 0; i < n; ++i) {
      bodies.push_back(
          Q("SELECT coalesce(payload->'text'->>'body', payload->'interactive'->'body'->>'text') "
            "FROM outbox WHERE recipient = '" +
            to + "' ORDER BY id OFFSET " + std::to_string(i) + " LIMIT 1"));
    }
    return bodies;
  }

  testing::TestSchema schema_;
  int64_t shop_id_ = 0;
  std::unique_ptr<common::TemplateSet> templates_;
  common::MetricsRegistry metrics_;
};

TEST_F(OrdersTest, TwoHundredCustomersRaceForTenUnitsAndExactlyTenAreReserved) {
  ASSERT_EQ(Q("SELECT stock FROM products WHERE sku = 'PANEER-200'"), "10");
  constexpr int kCustomers = 200, kThreads = 16;
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.push_back(std::make_unique<Worker>(schema_.url(), *templates_, metrics_));
  }
  auto customer = [](int i) { return "9190000" + std::to_string(10000 + i); };
  // Everyone fills a cart first, then all check out at once, 16 at a time.
  std::atomic<int> next{0};
  auto run = [&](int t, const char* step) {
    for (int i = next++; i < kCustomers; i = next++) {
      const std::string who = customer(i);
      auto event = std::string(step) == "cart" ? Text(who, "wamid.cart." + who, "1 paneer")
                                               : Tap(who, "wamid.pay." + who, "cart:checkout");
      EXPECT_EQ(workers[t]->processor.Handle(event).disposition, service::Disposition::kAck);
    }
  };
  for (const char* step : {"cart", "checkout"}) {
    next = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) threads.emplace_back(run, t, step);
    for (auto& thread : threads) thread.join();
  }
  EXPECT_EQ(Q("SELECT count(*) FROM orders"), "10");
  EXPECT_EQ(Q("SELECT coalesce(sum(qty), 0) FROM reservations"), "10");
  EXPECT_EQ(Q("SELECT stock FROM products WHERE sku = 'PANEER-200'"), "0") << "never below zero";
  EXPECT_EQ(Q("SELECT count(DISTINCT number) FROM orders"), "10") << "numbers are unique";
  int told = 0, ordered = 0;
  for (int i = 0; i < kCustomers; ++i) {
    const auto said = Said(customer(i));
    ASSERT_FALSE(said.empty());
    bool payment = false, short_stock = false;
    for (const auto& body : said) {
      payment |= body.find("is reserved for you") != std::string::npos;
      short_stock |= body.find("Amul Malai Paneer 200g is out of stock.") != std::string::npos;
    }
    ordered += payment;
    told += short_stock && !payment;
  }
  EXPECT_EQ(ordered, 10);
  EXPECT_EQ(told, kCustomers - 10) << "every other customer is told what is available";
}

TEST_F(OrdersTest, LapsedReservationIsCancelledItsStockReleasedAndTheCustomerTold) {
  Worker worker(schema_.url(), *templates_, metrics_);
  Handle(worker, Text("919811111111", "wamid.a1", "3 paneer"));
  Handle(worker, Tap("919811111111", "wamid.a2", "cart:checkout"));
  ASSERT_EQ(Q("SELECT status FROM orders"), "awaiting_payment");
  ASSERT_EQ(Q("SELECT stock FROM products WHERE sku = 'PANEER-200'"), "7");

  infra::PgOrderClockStore clock_store(schema_.url());
  service::OrderClock clock(clock_store, *templates_, 30, 15, metrics_);
  EXPECT_EQ(*clock.Tick(), 0) << "not due yet";
  Q("UPDATE orders SET expires_at = now() - interval '1 second'");
  EXPECT_EQ(*clock.Tick(), 1);
  EXPECT_EQ(Q("SELECT status || ' ' || reason FROM orders"), "cancelled payment timeout");
  EXPECT_EQ(Q("SELECT stock FROM products WHERE sku = 'PANEER-200'"), "10");
  EXPECT_EQ(Q("SELECT bool_and(released) FROM reservations"), "t");
  EXPECT_EQ(Q("SELECT actor || ':' || from_status || '>' || to_status FROM order_events ORDER BY "
              "id DESC LIMIT 1"),
            "system:awaiting_payment>cancelled");
  EXPECT_NE(Said("919811111111").back().find("the payment did not arrive within 30 minutes"),
            std::string::npos);
  EXPECT_EQ(*clock.Tick(), 0) << "once";

  // The customer's next message starts afresh.
  Handle(worker, Text("919811111111", "wamid.a3", "status"));
  EXPECT_EQ(Said("919811111111").back().find("Your cart is empty."), 0u);
}

TEST_F(OrdersTest, APaymentWaitingForReviewRemindsTheOwnersOnce) {
  Worker worker(schema_.url(), *templates_, metrics_);
  const std::string customer = "919844444444";
  Handle(worker, Text(customer, "wamid.r1", "2 maggi"));
  Handle(worker, Tap(customer, "wamid.r2", "cart:checkout"));
  Handle(worker,
         Message(customer, "wamid.r3", "image", {{"id", "MEDIA-R"}, {"mime_type", "image/jpeg"}}));
  ASSERT_EQ(Q("SELECT status FROM orders"), "payment_review");
  const size_t owner_before = Said(kOwner).size();

  infra::PgOrderClockStore clock_store(schema_.url());
  service::OrderClock clock(clock_store, *templates_, 30, 15, metrics_);
  EXPECT_EQ(*clock.Tick(), 0) << "waiting less than 15 minutes";
  Q("UPDATE orders SET review_since = now() - interval '16 minutes'");
  EXPECT_EQ(*clock.Tick(), 1);
  const auto said = Said(kOwner);
  ASSERT_EQ(said.size(), owner_before + 1);
  EXPECT_NE(said.back().find("#" + Q("SELECT number FROM orders")), std::string::npos)
      << said.back();
  EXPECT_EQ(*clock.Tick(), 0) << "once";
  Q("UPDATE orders SET review_since = now() - interval '2 hours'");
  EXPECT_EQ(*clock.Tick(), 0) << "still once";
  EXPECT_EQ(Said(kOwner).size(), owner_before + 1);
  EXPECT_EQ(Q("SELECT status FROM orders"), "payment_review") << "a reminder changes nothing else";
}

// The catalog as it was loaded once: a cached copy that has not caught up with the database.
class SnapshotCatalog : public service::CatalogSource {
 public:
  explicit SnapshotCatalog(const std::string& url)
      : snapshot_(*infra::PgCatalogStore(url).LoadCatalog(1)) {}
  Result<orders::Catalog> CatalogFor(int64_t, int64_t) override { return snapshot_; }

 private:
  orders::Catalog snapshot_;
};

TEST_F(OrdersTest, ACheckoutWithOneShortLineReservesNothing) {
  ASSERT_EQ(shop_id_, 1);
  infra::PgInboundStore store(schema_.url());
  SnapshotCatalog stale(schema_.url());
  service::InboundProcessor processor(store, &stale, *templates_, metrics_);
  const std::string customer = "919855555555";
  ASSERT_EQ(processor.Handle(Text(customer, "wamid.s1", "2 maggi, 3 paneer")).disposition,
            service::Disposition::kAck);
  // Between the bill and checkout, someone else buys the paneer; the cached catalog does not
  // know yet, so only the database's reservation can find the shortage.
  Q("UPDATE products SET stock = 1 WHERE sku = 'PANEER-200'");
  ASSERT_EQ(processor.Handle(Tap(customer, "wamid.s2", "cart:checkout")).disposition,
            service::Disposition::kAck);
  EXPECT_EQ(Q("SELECT count(*) FROM orders"), "0");
  EXPECT_EQ(Q("SELECT count(*) FROM reservations"), "0");
  EXPECT_EQ(Q("SELECT stock FROM products WHERE sku = 'MAGGI-70'"), "200")
      << "the maggi is not taken";
  EXPECT_EQ(Q("SELECT stock FROM products WHERE sku = 'PANEER-200'"), "1");
  EXPECT_NE(Said(customer).back().find("Paneer"), std::string::npos) << Said(customer).back();
}

TEST_F(OrdersTest, OwnerListsOpenOrdersAndCancelsOneWithAReason) {
  Worker worker(schema_.url(), *templates_, metrics_);
  const std::string customer = "919866666666";
  Handle(worker, Text(customer, "wamid.o1", "3 paneer"));
  Handle(worker, Tap(customer, "wamid.o2", "cart:checkout"));
  const std::string number = Q("SELECT number FROM orders");
  Handle(worker, Text(kOwner, "wamid.o3", "orders"));
  EXPECT_EQ(Said(kOwner).back(), "1 open order(s). Tap one to see it.");
  EXPECT_EQ(
      Q("SELECT payload->'interactive'->'action'->'sections'->0->'rows'->0->>'title' FROM outbox "
        "WHERE recipient = '" +
        std::string(kOwner) + "' ORDER BY id DESC LIMIT 1"),
      "#" + number + " · ₹270.00");

  Handle(worker, Text(kOwner, "wamid.o4", "cancel " + number + " customer called to cancel"));
  EXPECT_EQ(Q("SELECT status || ' / ' || reason FROM orders"),
            "cancelled / customer called to cancel");
  EXPECT_EQ(Q("SELECT stock FROM products WHERE sku = 'PANEER-200'"), "10") << "stock released";
  EXPECT_EQ(
      Q("SELECT actor || ' ' || from_status || '>' || to_status || ' ' || reason FROM order_events "
        "ORDER BY id DESC LIMIT 1"),
      std::string("owner:") + kOwner + " awaiting_payment>cancelled customer called to cancel");
  EXPECT_NE(Said(customer).back().find("#" + number), std::string::npos) << Said(customer).back();
  EXPECT_NE(Said(customer).back().find("customer called to cancel"), std::string::npos)
      << Said(customer).back();
  Handle(worker, Text(kOwner, "wamid.o5", "orders"));
  EXPECT_NE(Said(kOwner).back().find("No open orders"), std::string::npos) << Said(kOwner).back();
}

TEST_F(OrdersTest, CustomerCancelReleasesAtOnce) {
  Worker worker(schema_.url(), *templates_, metrics_);
  Handle(worker, Text("919811111111", "wamid.b1", "3 paneer"));
  Handle(worker, Tap("919811111111", "wamid.b2", "cart:checkout"));
  Handle(worker, Tap("919811111111", "wamid.b3", "order:cancel"));
  EXPECT_EQ(Q("SELECT status || ' ' || reason FROM orders"), "cancelled cancelled by the customer");
  EXPECT_EQ(Q("SELECT stock FROM products WHERE sku = 'PANEER-200'"), "10");
  EXPECT_NE(Said(kOwner).back().find("was cancelled by the customer"), std::string::npos);
}

TEST_F(OrdersTest, ApprovingTwiceChangesTheOrderOnceAndANonOwnerCannotApprove) {
  Worker worker(schema_.url(), *templates_, metrics_);
  const std::string customer = "919822222222";
  Handle(worker, Text(customer, "wamid.c1", "2 maggi"));
  Handle(worker, Tap(customer, "wamid.c2", "cart:checkout"));
  Handle(worker,
         Message(customer, "wamid.c3", "image", {{"id", "MEDIA-9"}, {"mime_type", "image/jpeg"}}));
  ASSERT_EQ(Q("SELECT status FROM orders"), "payment_review");
  EXPECT_EQ(Q("SELECT media_id || ' ' || status FROM payment_proofs"), "MEDIA-9 pending");
  const std::string number = Q("SELECT number FROM orders");
  const std::string button =
      "own:approve:" + Q("SELECT id FROM orders") + ":" + Q("SELECT nonce FROM orders");

  // Somebody else types the owner's command, or presses a forged button: customer flow only.
  Handle(worker, Text("919833333333", "wamid.x1", "approve " + number));
  Handle(worker, Tap("919833333333", "wamid.x2", button));
  EXPECT_EQ(Q("SELECT status FROM orders"), "payment_review");

  Handle(worker, Tap(kOwner, "wamid.o1", button));
  Handle(worker, Tap(kOwner, "wamid.o2", button));  // pressed again
  Handle(worker, Text(kOwner, "wamid.o3", "approve " + number));
  EXPECT_EQ(Q("SELECT status || ' ' || payment_method FROM orders"), "confirmed upi");
  EXPECT_EQ(Q("SELECT count(*) FROM order_events WHERE to_status = 'confirmed'"), "1");
  const auto owner_said = Said(kOwner);
  ASSERT_EQ(owner_said.size(), 3u);
  EXPECT_NE(owner_said[0].find("is now confirmed"), std::string::npos) << owner_said[0];
  EXPECT_NE(owner_said[1].find("is from an older notice of *order #" + number +
                               "*, which is now confirmed"),
            std::string::npos)
      << "the nonce changed with the approval: the second tap is stale";
  int approvals = 0;
  for (const auto& body : Said(customer))
    approvals += body.find("is approved") != std::string::npos;
  EXPECT_EQ(approvals, 1) << "the customer is told once";

  // A button with a wrong nonce does nothing.
  Handle(worker, Tap(kOwner, "wamid.o4", "own:pack:" + Q("SELECT id FROM orders") + ":guess"));
  EXPECT_EQ(Q("SELECT status FROM orders"), "confirmed");
  Handle(worker, Text(kOwner, "wamid.o5", "packed " + number));
  Handle(worker, Text(kOwner, "wamid.o6", "delivered " + number));  // skips "out": refused
  EXPECT_EQ(Q("SELECT status FROM orders"), "packed");
  Handle(worker, Text(kOwner, "wamid.o7", "out " + number));
  Handle(worker, Text(kOwner, "wamid.o8", "delivered " + number));
  EXPECT_EQ(Q("SELECT status FROM orders"), "delivered");
  EXPECT_EQ(Q("SELECT string_agg(coalesce(from_status, '-') || '>' || to_status, ' ' ORDER BY id) "
              "FROM order_events"),
            "->awaiting_payment awaiting_payment>payment_review payment_review>confirmed "
            "confirmed>packed packed>out_for_delivery out_for_delivery>delivered");
  EXPECT_EQ(Q("SELECT stock FROM products WHERE sku = 'MAGGI-70'"), "198") << "sold, not released";
}

TEST_F(OrdersTest, OwnerRejectsWithAReasonAndTheCustomerPaysAgain) {
  Worker worker(schema_.url(), *templates_, metrics_);
  const std::string customer = "919844444444";
  Handle(worker, Text(customer, "wamid.d1", "2 maggi"));
  Handle(worker, Tap(customer, "wamid.d2", "cart:checkout"));
  Handle(worker,
         Message(customer, "wamid.d3", "image", {{"id", "MEDIA-1"}, {"mime_type", "image/png"}}));
  const std::string number = Q("SELECT number FROM orders");
  Handle(worker, Text(kOwner, "wamid.d4", "reject " + number + " amount is short by 10"));
  EXPECT_EQ(Q("SELECT status || ' / ' || reason FROM orders"),
            "awaiting_payment / amount is short by 10");
  EXPECT_EQ(Q("SELECT expires_at > now() + interval '29 minutes' FROM orders"), "t") << "renewed";
  const auto said = Said(customer);
  EXPECT_NE(said[said.size() - 2].find("could not accept your payment for order #" + number +
                                       ": amount is short by 10"),
            std::string::npos);
  EXPECT_NE(said.back().find("upi://pay?pa=sharmakirana@okaxis"), std::string::npos);
  Handle(worker,
         Message(customer, "wamid.d5", "image", {{"id", "MEDIA-2"}, {"mime_type", "image/png"}}));
  EXPECT_EQ(Q("SELECT status FROM orders"), "payment_review");
  EXPECT_EQ(Q("SELECT count(*) FROM payment_proofs"), "2");
}

TEST_F(OrdersTest, NoticeOutsideTheWindowGoesAsTheShopsTemplate) {
  ASSERT_TRUE(infra::PgShopDirectory(schema_.url())
                  .SetNoticeTemplate(shop_id_, "confirmed", {"payment_ok", "en"}));
  Worker worker(schema_.url(), *templates_, metrics_);
  const std::string customer = "919855555555";
  Handle(worker, Text(customer, "wamid.e1", "2 maggi"));
  Handle(worker, Tap(customer, "wamid.e2", "cart:checkout"));
  // The customer last wrote two days ago when the owner approves.
  Q("UPDATE conversations SET last_inbound_at = now() - interval '2 days' WHERE customer = '" +
    customer + "'");
  Handle(worker, Text(kOwner, "wamid.e3", "approve " + Q("SELECT number FROM orders")));
  EXPECT_EQ(Q("SELECT fallback->'template'->>'name' FROM outbox WHERE recipient = '" + customer +
              "' ORDER BY id DESC LIMIT 1"),
            "payment_ok");
  EXPECT_EQ(Q("SELECT payload ? 'chatshop_fallback' FROM outbox ORDER BY id DESC LIMIT 1"), "f")
      << "the fallback is kept apart, never sent to Meta";
  infra::PgOutboxStore outbox(schema_.url());
  auto claimed = outbox.ClaimUnqueued(100);
  ASSERT_TRUE(claimed);
  bool found = false;
  for (const auto& job : *claimed) {
    auto m = outbox.Load(job.outbox_id);
    ASSERT_TRUE(m && *m);
    if ((*m)->recipient == customer && (*m)->fallback.is_object()) {
      found = true;
      EXPECT_FALSE((*m)->window_open);
    }
    if ((*m)->recipient == kOwner) {
      EXPECT_TRUE((*m)->window_open) << "the owner just wrote";
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(Q("SELECT notice_kind || ' #' || notice_order FROM outbox WHERE fallback IS NOT NULL"),
            "confirmed #" + Q("SELECT number FROM orders"))
      << "an order notice names its order, for reporting a failed delivery";
}

TEST_F(OrdersTest, OwnerSetsStockInWords) {
  Worker worker(schema_.url(), *templates_, metrics_);
  Handle(worker, Text(kOwner, "wamid.s1", "out of stock onion"));
  Handle(worker, Text(kOwner, "wamid.s2", "stock MAGGI-70 7"));
  EXPECT_EQ(Q("SELECT stock FROM products WHERE sku = 'ONION-1'"), "0");
  EXPECT_EQ(Q("SELECT stock FROM products WHERE sku = 'MAGGI-70'"), "7");
  EXPECT_EQ(Said(kOwner).back(), "Maggi 2-Minute Noodles 70g: stock is now 7.");
}

}  // namespace
}  // namespace chatshop
