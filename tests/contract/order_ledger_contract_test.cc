// One suite, two implementations: what the unit tests' FakeOrderLedger promises is what
// PgOrderLedger does, so a unit test passing on the fake means something on the real store.

#include <gtest/gtest.h>

#include "contract/ledger_worlds.h"

namespace chatshop::contract {
namespace {

using orders::Actor;
using orders::Money;
using orders::OrderAction;
using orders::OrderStatus;

orders::Catalog Kirana() {
  orders::Catalog c;
  c.products.push_back({"ATTA-5", "Atta 5kg", Money{28900}, 10, "pack", "staples", {}});
  c.products.push_back({"MAGGI-70", "Maggi 70g", Money{1400}, 3, "packet", "snacks", {}});
  return c;
}

template <typename World>
class OrderLedgerContract : public ::testing::Test {
 protected:
  void SetUp() override { shop_ = world_.AddShop("106540352242922", Kirana()); }

  // A request as the engine makes it: prices from a (maybe stale) bill, here deliberately
  // wrong, which the ledger must not trust.
  service::OrderRequest Request(const std::string& customer,
                                std::vector<std::pair<std::string, int64_t>> lines) {
    service::OrderRequest r;
    r.shop_id = shop_;
    r.customer = customer;
    for (auto& [sku, qty] : lines) r.lines.push_back({sku, "stale name", qty, Money{1}});
    r.subtotal = Money{1};
    r.delivery_rule.fee = Money{2000};
    r.delivery_rule.free_from = Money{50000};
    r.hold_minutes = 30;
    return r;
  }
  bot::Outcome Place(const service::OrderRequest& request) {
    std::optional<bot::Outcome> out;
    EXPECT_TRUE(world_.Run([&](service::OrderLedger& l) -> Status {
      ASSIGN_OR_RETURN(out, l.PlaceOrder(request));
      return Ok();
    }));
    return out.value_or(bot::Outcome{bot::StockShort{}});
  }
  orders::OrderView Placed(const service::OrderRequest& request) {
    auto outcome = Place(request);
    EXPECT_TRUE(std::holds_alternative<bot::OrderPlaced>(outcome));
    return std::holds_alternative<bot::OrderPlaced>(outcome)
               ? std::get<bot::OrderPlaced>(outcome).order
               : orders::OrderView{};
  }
  bot::Outcome Apply(bot::ChangeOrder change) {
    std::optional<bot::Outcome> out;
    EXPECT_TRUE(world_.Run([&](service::OrderLedger& l) -> Status {
      ASSIGN_OR_RETURN(out, l.Apply(shop_, change, "919800000001", 30));
      return Ok();
    }));
    return out.value_or(bot::Outcome{bot::StockShort{}});
  }
  template <typename T>
  Result<T> Read(const std::function<Result<T>(service::OrderLedger&)>& read) {
    Result<T> out = MakeError(ErrorCode::kInternal, "not run");
    EXPECT_TRUE(world_.Run([&](service::OrderLedger& l) -> Status {
      out = read(l);
      return Ok();
    }));
    return out;
  }

  World world_;
  int64_t shop_ = 0;
};

using Worlds = ::testing::Types<FakeLedgerWorld, PgLedgerWorld>;
class WorldNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, FakeLedgerWorld> ? "Fake" : "Postgres";
  }
};
TYPED_TEST_SUITE(OrderLedgerContract, Worlds, WorldNames);

TYPED_TEST(OrderLedgerContract, CheckoutReservesAndPricesFromTheStore) {
  const auto order = this->Placed(this->Request("919811111111", {{"ATTA-5", 2}}));
  EXPECT_EQ(order.status, OrderStatus::kAwaitingPayment);
  EXPECT_EQ(order.customer, "919811111111");
  EXPECT_EQ(order.shop_id, this->shop_);
  ASSERT_EQ(order.lines.size(), 1u);
  EXPECT_EQ(order.lines[0], (orders::OrderLine{"ATTA-5", "Atta 5kg", 2, Money{28900}}));
  EXPECT_EQ(order.subtotal.minor, 57800);
  EXPECT_EQ(order.delivery.minor, 0) << "free from 500 rupees";
  EXPECT_EQ(order.total.minor, 57800);
  EXPECT_FALSE(order.nonce.empty());
  EXPECT_GT(order.expires_at, 0);
  EXPECT_EQ(this->world_.Stock(this->shop_, "ATTA-5"), 8);

  auto found = this->template Read<std::optional<orders::OrderView>>(
      [&](service::OrderLedger& l) { return l.FindOrder(this->shop_, order.id); });
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->number, order.number);
  auto missing = this->template Read<std::optional<orders::OrderView>>(
      [&](service::OrderLedger& l) { return l.FindOrder(this->shop_, order.id + 100); });
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
}

TYPED_TEST(OrderLedgerContract, ShortStockReservesNothingAndNamesWhatIsLeft) {
  auto outcome = this->Place(this->Request("919811111111", {{"ATTA-5", 2}, {"MAGGI-70", 4}}));
  ASSERT_TRUE(std::holds_alternative<bot::StockShort>(outcome));
  EXPECT_EQ(std::get<bot::StockShort>(outcome).available,
            (std::map<std::string, int64_t>{{"MAGGI-70", 3}}));
  EXPECT_EQ(this->world_.Stock(this->shop_, "ATTA-5"), 10);
  EXPECT_EQ(this->world_.Stock(this->shop_, "MAGGI-70"), 3);

  auto unknown = this->Place(this->Request("919811111111", {{"NOPE-1", 1}}));
  ASSERT_TRUE(std::holds_alternative<bot::StockShort>(unknown));
  EXPECT_EQ(std::get<bot::StockShort>(unknown).available.at("NOPE-1"), 0);
}

TYPED_TEST(OrderLedgerContract, ASkuGivenTwiceIsOneLineCheckedForItsTotal) {
  // 2 + 2 Maggi against 3 in stock: short, although each line alone would fit.
  auto short_outcome =
      this->Place(this->Request("919811111111", {{"MAGGI-70", 2}, {"MAGGI-70", 2}}));
  ASSERT_TRUE(std::holds_alternative<bot::StockShort>(short_outcome));
  EXPECT_EQ(this->world_.Stock(this->shop_, "MAGGI-70"), 3);

  const auto order =
      this->Placed(this->Request("919811111111", {{"MAGGI-70", 1}, {"MAGGI-70", 2}}));
  ASSERT_EQ(order.lines.size(), 1u);
  EXPECT_EQ(order.lines[0].qty, 3);
  EXPECT_EQ(order.subtotal.minor, 4200);
  EXPECT_EQ(order.delivery.minor, 2000);
  EXPECT_EQ(this->world_.Stock(this->shop_, "MAGGI-70"), 0);
}

TYPED_TEST(OrderLedgerContract, HoldCapsCountTheCustomersOpenOrders) {
  this->Placed(this->Request("919811111111", {{"ATTA-5", 3}}));
  auto capped = this->Request("919811111111", {{"ATTA-5", 2}});
  capped.held_units_max = 4;
  auto outcome = this->Place(capped);
  ASSERT_TRUE(std::holds_alternative<bot::HoldLimitReached>(outcome));
  EXPECT_EQ(std::get<bot::HoldLimitReached>(outcome).units_held, 3);
  EXPECT_EQ(std::get<bot::HoldLimitReached>(outcome).value_held.minor, 3 * 28900);
  EXPECT_EQ(this->world_.Stock(this->shop_, "ATTA-5"), 7);
  // Another customer has their own allowance.
  auto other = this->Request("919822222222", {{"ATTA-5", 2}});
  other.held_units_max = 4;
  EXPECT_TRUE(std::holds_alternative<bot::OrderPlaced>(this->Place(other)));
}

TYPED_TEST(OrderLedgerContract, CancellationPutsTheStockBackOnce) {
  const auto order = this->Placed(this->Request("919811111111", {{"MAGGI-70", 2}}));
  ASSERT_EQ(this->world_.Stock(this->shop_, "MAGGI-70"), 1);
  bot::ChangeOrder cancel{order.id, 0, "", OrderAction::kCancel, Actor::kCustomer, "changed mind"};
  auto outcome = this->Apply(cancel);
  ASSERT_TRUE(std::holds_alternative<bot::OrderChanged>(outcome));
  const auto& changed = std::get<bot::OrderChanged>(outcome);
  EXPECT_EQ(changed.from, OrderStatus::kAwaitingPayment);
  EXPECT_EQ(changed.order.status, OrderStatus::kCancelled);
  EXPECT_EQ(changed.order.reason, "changed mind");
  EXPECT_EQ(changed.order.expires_at, 0);
  EXPECT_EQ(this->world_.Stock(this->shop_, "MAGGI-70"), 3);

  auto again = this->Apply(cancel);
  ASSERT_TRUE(std::holds_alternative<bot::OrderUnchanged>(again)) << "final: nothing moves";
  ASSERT_TRUE(std::get<bot::OrderUnchanged>(again).order);
  EXPECT_EQ(this->world_.Stock(this->shop_, "MAGGI-70"), 3);
}

TYPED_TEST(OrderLedgerContract, OwnersMoveOrdersByNumberAndStaleButtonsAreRefused) {
  const auto order = this->Placed(this->Request("919811111111", {{"ATTA-5", 1}}));
  bot::ChangeOrder proof{order.id, 0, "", OrderAction::kSubmitProof, Actor::kCustomer, ""};
  auto reviewed = this->Apply(proof);
  ASSERT_TRUE(std::holds_alternative<bot::OrderChanged>(reviewed));
  const auto& in_review = std::get<bot::OrderChanged>(reviewed).order;
  EXPECT_EQ(in_review.status, OrderStatus::kPaymentReview);
  EXPECT_NE(in_review.nonce, order.nonce) << "every move makes a new nonce";

  bot::ChangeOrder stale{0, order.number, order.nonce, OrderAction::kApprove, Actor::kOwner, ""};
  stale.by_button = true;
  auto refused = this->Apply(stale);
  ASSERT_TRUE(std::holds_alternative<bot::OrderUnchanged>(refused));
  EXPECT_TRUE(std::get<bot::OrderUnchanged>(refused).stale_button);

  bot::ChangeOrder approve{0, order.number, in_review.nonce, OrderAction::kApprove, Actor::kOwner,
                           ""};
  approve.by_button = true;
  auto approved = this->Apply(approve);
  ASSERT_TRUE(std::holds_alternative<bot::OrderChanged>(approved));
  EXPECT_EQ(std::get<bot::OrderChanged>(approved).order.status, OrderStatus::kConfirmed);
  EXPECT_EQ(std::get<bot::OrderChanged>(approved).order.payment_method, "upi");
  EXPECT_EQ(this->world_.Stock(this->shop_, "ATTA-5"), 9) << "a confirmed order keeps its stock";

  bot::ChangeOrder deliver{0, order.number, "", OrderAction::kDeliver, Actor::kOwner, ""};
  EXPECT_TRUE(std::holds_alternative<bot::OrderUnchanged>(this->Apply(deliver)))
      << "not packed and dispatched yet";
  bot::ChangeOrder nobody{0, order.number + 50, "", OrderAction::kPack, Actor::kOwner, ""};
  auto none = this->Apply(nobody);
  ASSERT_TRUE(std::holds_alternative<bot::OrderUnchanged>(none));
  EXPECT_FALSE(std::get<bot::OrderUnchanged>(none).order);
}

TYPED_TEST(OrderLedgerContract, OpenOrdersAreNewestFirstWithoutFinalOnes) {
  const auto first = this->Placed(this->Request("919811111111", {{"ATTA-5", 1}}));
  const auto second = this->Placed(this->Request("919822222222", {{"ATTA-5", 1}}));
  const auto third = this->Placed(this->Request("919833333333", {{"ATTA-5", 1}}));
  EXPECT_LT(first.number, second.number);
  EXPECT_LT(second.number, third.number);
  this->Apply({second.id, 0, "", OrderAction::kCancel, Actor::kCustomer, ""});
  auto open = this->template Read<std::vector<orders::OrderView>>(
      [&](service::OrderLedger& l) { return l.OpenOrders(this->shop_, 10); });
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].id, third.id);
  EXPECT_EQ((*open)[1].id, first.id);
  auto one = this->template Read<std::vector<orders::OrderView>>(
      [&](service::OrderLedger& l) { return l.OpenOrders(this->shop_, 1); });
  ASSERT_TRUE(one);
  EXPECT_EQ(one->size(), 1u);
}

TYPED_TEST(OrderLedgerContract, ProofsStopAtTheCap) {
  const auto order = this->Placed(this->Request("919811111111", {{"ATTA-5", 1}}));
  int n = 0;
  for (bool expected : {true, true, false}) {
    const std::string wamid = "wamid.proof." + std::to_string(++n);
    this->world_.Received(this->shop_, wamid);
    bot::RecordProof proof{order.id, "media-" + std::to_string(n), "image/jpeg", 2};
    auto recorded = this->template Read<bool>(
        [&](service::OrderLedger& l) { return l.RecordPaymentProof(order.id, proof, wamid); });
    ASSERT_TRUE(recorded) << recorded.error().ToString();
    EXPECT_EQ(*recorded, expected);
  }
}

TYPED_TEST(OrderLedgerContract, OwnersSetStockOfProductsThatExist) {
  auto set = this->template Read<bot::Outcome>([&](service::OrderLedger& l) {
    return l.UpdateStock(this->shop_, {"MAGGI-70", 12});
  });
  ASSERT_TRUE(set);
  ASSERT_TRUE(std::holds_alternative<bot::StockWasSet>(*set));
  EXPECT_TRUE(std::get<bot::StockWasSet>(*set).found);
  EXPECT_EQ(this->world_.Stock(this->shop_, "MAGGI-70"), 12);
  auto missing = this->template Read<bot::Outcome>([&](service::OrderLedger& l) {
    return l.UpdateStock(this->shop_, {"NOPE-1", 1});
  });
  ASSERT_TRUE(missing);
  EXPECT_FALSE(std::get<bot::StockWasSet>(*missing).found);
}

}  // namespace
}  // namespace chatshop::contract
